// Fixed-window count limits shared by rate limits and daily limits.
import type { CounterReader } from '../types.ts';
import { isDeny, limited, neverFits, type CountResult, type RuleResult } from '../outcome.ts';
import { secondsUntil, windowEnd, windowStart, type WindowPeriod } from '../windows.ts';

export interface CountLimit {
  /** Counter key, e.g. "email:day". */
  key: string;
  per: WindowPeriod;
  limit: number;
  /** The scope field, for the refusal ("email.dailyLimit"). */
  scope: string;
  /** What is counted, plural ("emails"). */
  what: string;
  /** How many units this request uses (each email of a batch counts): 1 when absent. */
  units?: number;
}

/** The daily limit of the email or payments scope: `units` counted per UTC day under counter `key`. */
export interface DailyLimit {
  scope: 'email' | 'payments';
  key: string;
  /** scope.dailyLimit: no limit (nothing counted) when absent. */
  limit: number | undefined;
  what: string;
  units?: number;
}

/**
 * Refusal when a request does not fit under `d.scope`.dailyLimit today; otherwise the bump to apply (none when
 * the scope sets no daily limit).
 */
export function checkDailyLimit(d: DailyLimit, counters: CounterReader, now: number): RuleResult {
  if (d.limit === undefined) return [];
  const counted = checkCount(
    { key: d.key, per: 'day', limit: d.limit, scope: `${d.scope}.dailyLimit`, what: d.what, units: d.units },
    counters,
    now,
  );
  return isDeny(counted) ? counted : [counted];
}

/**
 * Refusal when this request's units do not fit in what is left of the current window of counter `key`;
 * otherwise the bump to apply. Exactly `limit` units fit in a window.
 */
export function checkCount(c: CountLimit, counters: CounterReader, now: number): CountResult {
  const units = c.units ?? 1;
  const start = windowStart(c.per, now);
  const end = windowEnd(c.per, start);
  // More units than the whole limit: no window will ever take it, so no retry hint.
  if (units > c.limit) {
    return neverFits(
      'rate_limited',
      { scope: c.scope, limit: c.limit, value: units },
      `This request needs ${units} ${c.what}, more than the whole ${c.scope} of ${c.limit} per ${c.per}: it can never fit under this limit. Send fewer at once, or ask the owner to raise the limit.`,
    );
  }
  const used = counters.get(c.key, start).count;
  // The window cannot take this request: refuse until it ends.
  if (used + units > c.limit) {
    const retry = secondsUntil(end, now);
    const asked = units === 1 ? '' : `; this request needs ${units}`;
    return limited(
      'rate_limited',
      { scope: c.scope, limit: c.limit, value: used },
      `${c.scope} reached: ${used} of ${c.limit} ${c.what} per ${c.per} (UTC window) used${asked}; retry in ${retry} s.`,
      retry,
    );
  }
  return { key: c.key, windowStart: start, windowEnd: end, count: units, reserveMicro: 0 };
}
