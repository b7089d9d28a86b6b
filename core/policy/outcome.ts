// Small builders for policy outcomes. Strings are only built on the deny path, never on the allow path.
import type { ErrorCode, RuleRef } from '../../shared/errors.ts';
import type { PolicyDecision } from './types.ts';

export type Deny = Extract<PolicyDecision, { outcome: 'deny' }>;

type RuleValue = RuleRef['value'];

export function deny(
  code: ErrorCode,
  scope: string,
  limit: RuleValue,
  value: RuleValue,
  message: string,
): Deny {
  return { outcome: 'deny', code, rule: { scope, limit, value }, message };
}

/** A refusal by a scope rule (403 scope_denied). */
export function scopeDenied(scope: string, limit: RuleValue, value: RuleValue, message: string): Deny {
  return deny('scope_denied', scope, limit, value, message);
}

/** A limit that reopens when its window ends (429, with retry-after). */
export function limited(
  code: 'rate_limited' | 'budget_exceeded',
  scope: string,
  limit: number,
  value: number,
  message: string,
  retryAfterSeconds: number,
): Deny {
  return { outcome: 'deny', code, rule: { scope, limit, value }, message, retryAfterSeconds };
}

/**
 * A limit this request can never fit under, whatever the window (it alone is larger than the whole limit):
 * same code as `limited`, but no retry-after, since waiting would only give the same answer.
 */
export function neverFits(
  code: 'rate_limited' | 'budget_exceeded',
  scope: string,
  limit: number,
  value: number,
  message: string,
): Deny {
  return deny(code, scope, limit, value, message);
}

/** "a, b, c" for messages; "(none)" for an empty list. */
export function listText(items: readonly string[]): string {
  return items.length === 0 ? '(none)' : items.join(', ');
}

/** A value quoted for a message; JSON quoting keeps control characters out of logs. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 200 ? value.slice(0, 200) + '…' : value);
}
