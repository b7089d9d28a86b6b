// Fixed-window count limits shared by rate limits and daily limits.
import type { CounterEffect, CounterReader } from '../types.ts';
import { limited, type Deny } from '../outcome.ts';
import { secondsUntil, windowEnd, windowStart, type WindowPeriod } from '../windows.ts';

/**
 * Refusal when `limit` requests already happened in the current window of counter `key`; otherwise pushes the
 * bump (count 1) onto `effects` and returns null. Exactly `limit` requests fit in a window.
 */
export function checkCount(
  key: string,
  per: WindowPeriod,
  limit: number,
  counters: CounterReader,
  now: number,
  effects: CounterEffect[],
  scope: string,
  what: string,
): Deny | null {
  const start = windowStart(per, now);
  const end = windowEnd(per, start);
  const used = counters.get(key, start).count;
  // The window is full: refuse until it ends.
  if (used >= limit) {
    const retry = secondsUntil(end, now);
    return limited(
      'rate_limited',
      scope,
      limit,
      used,
      `${scope} reached: ${used} of ${limit} ${what} per ${per} (UTC window) used; retry in ${retry} s.`,
      retry,
    );
  }
  effects.push({ key, windowStart: start, windowEnd: end, count: 1, reserveMicro: 0 });
  return null;
}
