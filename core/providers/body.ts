// Reading request bodies into plain values for the adapters. Errors name the offending field and never quote
// the body (it may hold prompts, card data or message text).
import { AppError } from '../errors.ts';
import type { AdapterRequest } from './types.ts';
import { mediaTypeOf, parseCanonicalJson, refusePolicyQuery, requireMediaType } from './canonical.ts';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The body of a JSON endpoint policy reads, as a JSON object: exactly "application/json" (415 otherwise), strict
 * UTF-8, keys checked (no duplicates or case variants, see canonical.ts), and no `sensitive` field in the query
 * string. `required`: the endpoint needs a body (an empty one is refused); otherwise an empty body gives
 * undefined. `what` names the endpoint in messages.
 */
export function readJsonBody(
  req: AdapterRequest,
  sensitive: ReadonlySet<string>,
  required: boolean,
  what: string,
): JsonObject | undefined {
  if (req.body.length === 0 && !required) {
    refusePolicyQuery(req.query, sensitive, undefined);
    return undefined;
  }
  requireMediaType(req, 'application/json', what);
  const value = parseCanonicalJson(req, sensitive);
  if (!isObject(value))
    throw new AppError('bad_request', 'The request body must be a JSON object.', { path: 'body' });
  refusePolicyQuery(req.query, sensitive, value);
  return value;
}

/**
 * For endpoints that may also take uploads: true when the body is JSON (then read with readJsonBody), false for
 * an empty body or a multipart upload; any other content type is refused (415), so a JSON body cannot hide
 * behind text/plain from the facts policy reads.
 */
export function saysJson(req: AdapterRequest): boolean {
  if (req.body.length === 0) return false;
  const { type } = mediaTypeOf(req);
  if (type === 'application/json') return true;
  if (type === 'multipart/form-data') return false;
  throw new AppError(
    'unsupported_media_type',
    `POST ${req.path} must be sent as "application/json" (or "multipart/form-data" for uploads)${type === '' ? '; no content-type was given' : `, not "${type}"`}.`,
  );
}

export function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new AppError('bad_request', `"${key}" must be a string.`, { path: key });
  return value;
}

export function optionalBoolean(body: JsonObject, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw new AppError('bad_request', `"${key}" must be true or false.`, { path: key });
  return value;
}

export function optionalCount(body: JsonObject, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new AppError('bad_request', `"${key}" must be a non-negative integer.`, { path: key });
  }
  return value;
}
