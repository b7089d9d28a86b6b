// Counter windows: UTC alignment for every period, checked against Date's own calendar arithmetic.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DAY_MS,
  secondsUntil,
  windowEnd,
  windowStart,
  type WindowPeriod,
} from '../../core/policy/windows.ts';

const PERIODS: WindowPeriod[] = ['second', 'minute', 'hour', 'day', 'week', 'month'];
// 1970 … 2200, with extra weight on boundaries.
const timeArb = fc.oneof(
  fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) }),
  fc
    .tuple(fc.integer({ min: 0, max: 80_000 }), fc.constantFrom(-1, 0, 1))
    .map(([days, nudge]) => days * DAY_MS + nudge)
    .filter((t) => t >= 0),
);

describe('windows', () => {
  it.each([
    ['second', Date.UTC(2025, 0, 15, 12, 30, 15), Date.UTC(2025, 0, 15, 12, 30, 16)],
    ['minute', Date.UTC(2025, 0, 15, 12, 30), Date.UTC(2025, 0, 15, 12, 31)],
    ['hour', Date.UTC(2025, 0, 15, 12), Date.UTC(2025, 0, 15, 13)],
    ['day', Date.UTC(2025, 0, 15), Date.UTC(2025, 0, 16)],
    ['week', Date.UTC(2025, 0, 13), Date.UTC(2025, 0, 20)],
    ['month', Date.UTC(2025, 0, 1), Date.UTC(2025, 1, 1)],
  ] as const)('%s window of Wed 2025-01-15 12:30:15.5Z', (per, start, end) => {
    const now = Date.UTC(2025, 0, 15, 12, 30, 15, 500);
    expect(windowStart(per, now)).toBe(start);
    expect(windowEnd(per, start)).toBe(end);
  });

  it('months of every length, leap years included', () => {
    expect(windowEnd('month', windowStart('month', Date.UTC(2024, 1, 29, 23, 59)))).toBe(
      Date.UTC(2024, 2, 1),
    );
    expect(windowStart('month', Date.UTC(2024, 1, 29, 23, 59))).toBe(Date.UTC(2024, 1, 1));
    expect(windowEnd('month', Date.UTC(2023, 1, 1))).toBe(Date.UTC(2023, 2, 1));
    expect(windowEnd('month', Date.UTC(2025, 11, 1))).toBe(Date.UTC(2026, 0, 1));
    expect(windowStart('month', Date.UTC(2000, 2, 1) - 1)).toBe(Date.UTC(2000, 1, 1));
    expect(windowStart('month', Date.UTC(2100, 2, 1) - 1)).toBe(Date.UTC(2100, 1, 1));
  });

  it('a week starts on Monday 00:00 UTC, also on Sunday night and Monday at midnight', () => {
    expect(windowStart('week', Date.UTC(2025, 0, 19, 23, 59, 59, 999))).toBe(Date.UTC(2025, 0, 13));
    expect(windowStart('week', Date.UTC(2025, 0, 20))).toBe(Date.UTC(2025, 0, 20));
    expect(windowStart('week', 0)).toBe(Date.UTC(1969, 11, 29));
  });

  it('every window holds now, starts where Date says it does and ends where the next starts', () => {
    fc.assert(
      fc.property(timeArb, fc.constantFrom(...PERIODS), (now, per) => {
        const start = windowStart(per, now);
        const end = windowEnd(per, start);
        expect(start).toBeLessThanOrEqual(now);
        expect(end).toBeGreaterThan(now);
        expect(windowStart(per, end)).toBe(end);
        expect(windowStart(per, end - 1)).toBe(start);
        const d = new Date(now);
        const expected = {
          second: Math.floor(now / 1000) * 1000,
          minute: Date.UTC(
            d.getUTCFullYear(),
            d.getUTCMonth(),
            d.getUTCDate(),
            d.getUTCHours(),
            d.getUTCMinutes(),
          ),
          hour: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours()),
          day: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()),
          week:
            Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) -
            ((d.getUTCDay() + 6) % 7) * DAY_MS,
          month: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
        }[per];
        expect(start).toBe(expected);
        if (per === 'month') {
          expect(end).toBe(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('secondsUntil rounds up and is at least 1', () => {
    expect(secondsUntil(10_000, 9_999)).toBe(1);
    expect(secondsUntil(10_000, 8_500)).toBe(2);
    expect(secondsUntil(10_000, 9_000)).toBe(1);
    expect(secondsUntil(10_000, 10_000)).toBe(1);
    expect(secondsUntil(70_000, 10_000)).toBe(60);
  });
});
