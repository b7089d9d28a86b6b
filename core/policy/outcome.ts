// Small builders for policy outcomes. Strings are only built on the deny path, never on the allow path.
import type { ErrorCode, RuleRef } from '../../shared/errors.ts';
import type { CounterEffect, PolicyDecision } from './types.ts';

export type Deny = Extract<PolicyDecision, { outcome: 'deny' }>;

/**
 * What one scope rule found: the refusal, or the counter bumps to apply when the request goes ahead (an empty
 * array when the rule counts nothing). Rules return it rather than write into an array of their caller's.
 */
export type RuleResult = Deny | CounterEffect[];

/** What one counter check found: the refusal, or the single bump to apply. */
export type CountResult = Deny | CounterEffect;

/**
 * True when a rule or check refused the request. What a check returns when it passes (counter bumps, a scope
 * that is set) never has an `outcome` field: scopes are strict zod objects.
 */
export function isDeny(result: Deny | object): result is Deny {
  return 'outcome' in result;
}

/** A limit's rule reference: the scope field, the limit and what this request would make of it. */
interface LimitRef {
  scope: string;
  limit: number;
  value: number;
}

export function deny(code: ErrorCode, rule: RuleRef, message: string): Deny {
  return { outcome: 'deny', code, rule, message };
}

/** A refusal by a scope rule (403 scope_denied). */
export function scopeDenied(
  scope: string,
  limit: RuleRef['limit'],
  value: RuleRef['value'],
  message: string,
): Deny {
  return deny('scope_denied', { scope, limit, value }, message);
}

/** A limit that reopens when its window ends (429, with retry-after). */
export function limited(
  code: 'rate_limited' | 'budget_exceeded',
  rule: LimitRef,
  message: string,
  retryAfterSeconds: number,
): Deny {
  return { outcome: 'deny', code, rule, message, retryAfterSeconds };
}

/**
 * A limit this request can never fit under, whatever the window (it alone is larger than the whole limit):
 * same code as `limited`, but no retry-after, since waiting would only give the same answer.
 */
export function neverFits(code: 'rate_limited' | 'budget_exceeded', rule: LimitRef, message: string): Deny {
  return deny(code, rule, message);
}

/** "a, b, c" for messages; "(none)" for an empty list. */
export function listText(items: readonly string[]): string {
  return items.length === 0 ? '(none)' : items.join(', ');
}

/** A value quoted for a message; JSON quoting keeps control characters out of logs. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 200 ? value.slice(0, 200) + '…' : value);
}
