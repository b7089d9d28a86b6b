// Reading request bodies into plain values for the adapters. Errors name the offending field and never quote
// the body (it may hold prompts, card data or message text).
import { AppError } from '../errors.ts';
import type { AdapterRequest } from './types.ts';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function contentType(req: AdapterRequest): string {
  const raw = req.headers['content-type'];
  return (typeof raw === 'string' ? raw : '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** The body parsed as JSON, or a bad_request at "body" when it is not JSON. An empty body gives undefined. */
export function parseJson(req: AdapterRequest): unknown {
  if (req.body.length === 0) return undefined;
  try {
    return JSON.parse(req.body.toString('utf8')) as unknown;
  } catch {
    throw new AppError('bad_request', 'The request body is not valid JSON.', { path: 'body' });
  }
}

/** The body as a JSON object; bad_request at "body" when it is anything else (or empty and required). */
export function parseJsonObject(req: AdapterRequest, required: boolean): JsonObject | undefined {
  const value = parseJson(req);
  if (value === undefined && !required) return undefined;
  if (!isObject(value))
    throw new AppError('bad_request', 'The request body must be a JSON object.', { path: 'body' });
  return value;
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
