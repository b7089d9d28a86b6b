// Response helpers. Every response carries the request id and no CORS header, ever (docs/ARCHITECTURE.md, invariant 3).
import type { ServerResponse } from 'node:http';
import { ERROR_STATUS, type ErrorBody } from '../../shared/errors.ts';
import { AppError } from '../errors.ts';

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...BASE_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function errorBody(err: AppError, requestId: string): ErrorBody {
  const body: ErrorBody = { error: { code: err.code, message: err.message, requestId } };
  if (err.path !== undefined) body.error.path = err.path;
  if (err.rule !== undefined) body.error.rule = err.rule;
  return body;
}

/** Writes an error in another format (a provider's own, on proxy routes), or null to keep ours. */
export type ErrorRenderer = (
  err: AppError,
  requestId: string,
) => { body: unknown; headers: Record<string, string> } | null;

// Kept on the response itself: a WeakMap entry per request cost more (and weak entries wait for a full GC).
const RENDERER = Symbol('akc.errorRenderer');
type Rendered = ServerResponse & { [RENDERER]?: ErrorRenderer };

/** Every error later sent on `res` goes through `render` (set once the route is known). */
export function renderErrorsWith(res: ServerResponse, render: ErrorRenderer): void {
  (res as Rendered)[RENDERER] = render;
}

export function sendError(res: ServerResponse, err: AppError, requestId: string): void {
  const headers: Record<string, string> = { 'x-akc-error': err.code };
  if (err.retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfter)));
  const rendered = (res as Rendered)[RENDERER]?.(err, requestId) ?? null;
  if (rendered !== null) {
    sendJson(res, ERROR_STATUS[err.code], rendered.body, { ...rendered.headers, ...headers });
    return;
  }
  sendJson(res, ERROR_STATUS[err.code], errorBody(err, requestId), headers);
}

export { BASE_HEADERS };

/** Thrown by a handler that has already answered (e.g. 202 for respond-async): nothing more to send. */
export class AlreadyResponded extends Error {}
