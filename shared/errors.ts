// Error codes of the external contract (README "The API") and the HTTP status each one maps to.
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_token: 401,
  revoked: 401,
  expired: 401,
  unauthorized: 401,
  suspended: 403,
  scope_denied: 403,
  approval_denied: 403,
  approval_timeout: 403,
  forbidden_origin: 403,
  wrong_passphrase: 403,
  not_found: 404,
  provider_not_configured: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  misdirected_host: 421,
  rate_limited: 429,
  budget_exceeded: 429,
  internal_error: 500,
  upstream_error: 502,
  vault_locked: 503,
  integrity_error: 500,
  audit_unavailable: 503,
  keychain_unavailable: 503,
  upstream_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; path?: string; rule?: RuleRef };
}

/** The rule that denied or held a request: which scope, which limit, which value. */
export interface RuleRef {
  scope: string;
  limit?: string | number | boolean | readonly string[] | null;
  value?: string | number | boolean | readonly string[] | null;
}
