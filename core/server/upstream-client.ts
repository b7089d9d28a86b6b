// The calls to providers: undici's connection pool (keep-alive per origin), which takes ~40 % less CPU per
// call than node:http's client (docs/benchmarks.md). Response headers are folded exactly as node:http folds
// them, so what reaches the agent, the redaction and the usage meters is what node:http would have given.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
// The pool, its request method and the error classes, loaded on their own: the package's index loads every
// part of undici (fetch, WebSocket, caches, mocks), which kept ~5 MB more resident in the daemon for nothing.
// Typed in undici-parts.d.ts; test/integration/upstream-client.test.ts runs them against real sockets.
import Agent from 'undici/lib/dispatcher/agent.js';
import request from 'undici/lib/api/api-request.js';
import errors from 'undici/lib/core/errors.js';

/** Headers sent upstream: names in lower case, values already checked by the proxy. */
export type UpstreamRequestHeaders = Record<string, string | string[]>;

export interface UpstreamCall {
  url: URL;
  method: string;
  headers: UpstreamRequestHeaders;
  body: Buffer;
  /** Revocation, or the agent hanging up, aborts the call (and its body stream). */
  signal: AbortSignal;
  /** The provider must send its response headers within this time. */
  headersTimeoutMs: number;
  /** Longest silence between two chunks of the response body. */
  idleTimeoutMs: number;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/**
 * Why a call failed before its response began. `why` is a short reason for people, when one is known;
 * `sent`: the request may have reached the provider (and been billed), false only when the connection was
 * never made.
 */
export type UpstreamFailure =
  { kind: 'timeout'; sent: true } | { kind: 'unreachable'; why: string | undefined; sent: boolean };

const pool = new Agent({ connections: 256 });

export async function callUpstream(call: UpstreamCall): Promise<UpstreamResponse> {
  // The provider's final head must come within headersTimeoutMs of the call, whatever came before it:
  // undici's own headersTimeout starts only once the request leaves the pool's queue and is restarted by
  // every informational (1xx) answer, so a provider sending "102 Processing" now and then would hold the
  // call (and its budget reservation) forever. Our own timer, as node:http's client had, bounds it.
  // One signal for undici: aborted by the deadline, or by the caller's (a cut) for as long as the call lasts.
  const deadline = new AbortController();
  if (call.signal.aborted) deadline.abort(call.signal.reason);
  else call.signal.addEventListener('abort', () => deadline.abort(call.signal.reason), { once: true });
  const timer = setTimeout(() => deadline.abort(new errors.HeadersTimeoutError()), call.headersTimeoutMs);
  let response: Dispatcher.ResponseData;
  try {
    response = await request.call(pool, {
      origin: call.url.origin,
      path: call.url.pathname + call.url.search,
      method: call.method,
      headers: call.headers,
      // A bodiless call sends no body and no length; the rest send exactly the bytes policy read.
      body: call.body.length > 0 ? call.body : null,
      // Aborts the call and, once the head is in, its body stream; the deadline only ever fires before.
      signal: deadline.signal,
      headersTimeout: call.headersTimeoutMs,
      bodyTimeout: call.idleTimeoutMs,
    });
  } finally {
    clearTimeout(timer);
  }
  if (deadline.signal.aborted) {
    // Cut, or the deadline passed, while the head was being handed over: the answer is not used.
    discard(response.body);
    throw deadline.signal.reason;
  }
  return { status: response.statusCode, headers: foldHeaders(response.headers), body: response.body };
}

/**
 * Closes an answer that will not be read (and its connection). The stream's own abort error has nobody to
 * hear it and would otherwise end the process as an uncaught exception.
 */
export function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

/**
 * Reads an answer whole, keeping its chunks while they add up to at most `limit` bytes: `done(bytes,
 * overflowed)` at its end, `broken()` when it broke off before its end.
 */
export function readWhole(
  body: Readable,
  limit: number,
  done: (bytes: Buffer, overflowed: boolean) => void,
  broken: () => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  body.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  });
  body.on('end', () => done(Buffer.concat(chunks), size > limit));
  body.on('error', broken);
}

/** Classifies an error from callUpstream() (before any response). */
export function upstreamFailure(err: unknown): UpstreamFailure {
  const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return { kind: 'timeout', sent: true };
  return {
    kind: 'unreachable',
    why: code === undefined ? undefined : (UNDICI_REASONS[code] ?? code),
    sent: code === undefined || !NOT_CONNECTED.has(code),
  };
}

/** Errors of the connection phase: nothing of the request left this machine. */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

// undici's own codes in words; system codes (ECONNREFUSED, ENOTFOUND, …) are shown as they are.
const UNDICI_REASONS: Readonly<Record<string, string>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
  UND_ERR_SOCKET: 'the connection closed',
  UND_ERR_CLOSED: 'the connection closed',
};

// node:http keeps the first of these when a response repeats them (IncomingMessage#headers).
const FIRST_ONLY = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/**
 * Repeated response headers folded as node:http folds them: set-cookie stays a list, the single-valued
 * headers above keep their first value, cookie joins with "; " and every other joins with ", ". A header
 * named "__proto__" is dropped, as node:http drops it.
 */
export function foldHeaders(raw: Record<string, string | string[] | undefined>): IncomingHttpHeaders {
  const out = Object.create(null) as IncomingHttpHeaders;
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || name === '__proto__') continue;
    if (name === 'set-cookie') out[name] = typeof value === 'string' ? [value] : value;
    else if (typeof value === 'string') out[name] = value;
    else if (FIRST_ONLY.has(name)) out[name] = value[0];
    else out[name] = value.join(name === 'cookie' ? '; ' : ', ');
  }
  return out;
}
