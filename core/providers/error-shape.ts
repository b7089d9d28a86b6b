// Our refusals on proxy routes, written in the provider's own error format, so that each client (the
// official SDKs, the Vercel AI SDK, Codex, Claude Code, …) puts our reason where it shows a message.
// Status codes stay as the contract says (shared/errors.ts); our code and request id ride along as extra
// fields and in the x-akc-error / x-akc-request-id headers. The generic `http` kind keeps our envelope.
// See docs/clients.md for what each client shows.
import { ERROR_STATUS, type ErrorCode, type RuleRef } from '../../shared/errors.ts';
import type { ProviderKind } from '../../shared/facts.ts';
import type { AppError } from '../errors.ts';

export interface RenderedError {
  body: unknown;
  /** Extra response headers (the provider's request-id header, its "should retry" hint). */
  headers: Record<string, string>;
}

/**
 * Codes a client may sensibly retry after a pause (a rate window reopens, the provider was unreachable).
 * Every other refusal will give the same answer again, so we tell the SDKs not to retry it.
 */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['rate_limited', 'upstream_error', 'upstream_timeout']);

/** The human text a client shows: who answered, our code, the reason. */
export function shownMessage(err: AppError): string {
  return `Agent Keychain (${err.code}): ${err.message}`;
}

function extras(err: AppError, requestId: string): { requestId: string; rule?: RuleRef } {
  return err.rule === undefined ? { requestId } : { requestId, rule: err.rule };
}

function retryHint(err: AppError): string | undefined {
  // A limit with no reopening time (the request alone is larger than the whole limit) will never pass.
  if (err.code === 'rate_limited' && err.retryAfter === undefined) return 'false';
  return RETRYABLE.has(err.code) ? undefined : 'false';
}

/** OpenAI's error `type` for a status (the SDKs pick their error class from the status alone). */
function openaiType(err: AppError, status: number): string {
  if (err.code === 'budget_exceeded') return 'insufficient_quota';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** Anthropic's documented error types. */
function anthropicType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 504) return 'timeout_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** Resend's error names (the SDK returns `{name, message, statusCode}` as the call's `error`). */
function resendName(err: AppError, status: number): string {
  if (err.code === 'budget_exceeded') return 'daily_quota_exceeded';
  if (status === 400) return 'validation_error';
  if (status === 401) return err.code === 'invalid_token' ? 'invalid_api_key' : 'invalid_access';
  if (status === 403) return 'restricted_api_key';
  if (status === 404) return 'not_found';
  if (status === 405) return 'method_not_allowed';
  if (status === 429) return 'rate_limit_exceeded';
  if (status >= 500) return 'application_error';
  return 'validation_error';
}

function openai(err: AppError, requestId: string, status: number): RenderedError {
  const headers: Record<string, string> = { 'x-request-id': requestId };
  const retry = retryHint(err);
  if (retry !== undefined) headers['x-should-retry'] = retry;
  return {
    body: {
      error: {
        message: shownMessage(err),
        type: openaiType(err, status),
        code: err.code,
        param: err.path ?? null,
        ...extras(err, requestId),
      },
    },
    headers,
  };
}

function anthropic(err: AppError, requestId: string, status: number): RenderedError {
  const headers: Record<string, string> = { 'request-id': requestId };
  const retry = retryHint(err);
  if (retry !== undefined) headers['x-should-retry'] = retry;
  const message = shownMessage(err);
  return {
    body: {
      type: 'error',
      error: { type: anthropicType(status), message, code: err.code, ...extras(err, requestId) },
      // The official SDK builds its message from a top-level "message" when there is one, instead of
      // printing the whole body as JSON.
      message,
      request_id: requestId,
    },
    headers,
  };
}

function stripe(err: AppError, requestId: string, status: number): RenderedError {
  const headers: Record<string, string> = { 'request-id': requestId };
  // stripe-node reads this header before its own retry rules (409 and 5xx would otherwise be retried).
  const retry = retryHint(err);
  if (retry !== undefined) headers['stripe-should-retry'] = retry;
  const error: Record<string, unknown> = {
    type: status >= 500 ? 'api_error' : 'invalid_request_error',
    code: err.code,
    message: shownMessage(err),
    ...extras(err, requestId),
  };
  if (err.path !== undefined) error.param = err.path;
  return { body: { error }, headers };
}

function resend(err: AppError, requestId: string, status: number): RenderedError {
  return {
    body: {
      statusCode: status,
      name: resendName(err, status),
      message: shownMessage(err),
      code: err.code,
      ...extras(err, requestId),
    },
    headers: {},
  };
}

const SHAPES: Readonly<
  Record<ProviderKind, ((err: AppError, requestId: string, status: number) => RenderedError) | null>
> = {
  openai,
  anthropic,
  stripe,
  resend,
  http: null,
};

/** The error in `kind`'s format, or null to keep our own envelope. */
export function renderProviderError(
  kind: ProviderKind,
  err: AppError,
  requestId: string,
): RenderedError | null {
  const shape = SHAPES[kind];
  return shape === null ? null : shape(err, requestId, ERROR_STATUS[err.code]);
}

/**
 * The renderer for one proxy request: the configured provider's kind, or, for a provider id that is not
 * configured but names a kind ("openai", "anthropic", …), that kind, so an SDK pointed at the usual path
 * still reads "provider_not_configured" in its own format.
 */
export function proxyErrorRenderer(
  kindOf: (providerId: string) => ProviderKind | undefined,
  providerId: string | undefined,
): (err: AppError, requestId: string) => RenderedError | null {
  return (err, requestId) => {
    const id = providerId ?? '';
    const known = kindOf(id);
    const kind = known ?? (Object.hasOwn(SHAPES, id) ? (id as ProviderKind) : undefined);
    return kind === undefined ? null : renderProviderError(kind, err, requestId);
  };
}
