// Counter windows. All fixed windows are aligned to UTC: seconds, minutes, hours and days to the epoch (epoch
// milliseconds have no leap seconds), weeks start on Monday 00:00 UTC, months on the 1st 00:00 UTC.
// Pure arithmetic, no Date objects: this runs on every policy decision.

export type WindowPeriod = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month';

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

/** Day of the month (1–31) of a day number counted from 1970-01-01 (H. Hinnant's civil_from_days). */
function dayOfMonth(days: number): number {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  return doy - Math.floor((153 * mp + 2) / 5) + 1;
}

function monthStart(now: number): number {
  const days = Math.floor(now / DAY_MS);
  return (days - (dayOfMonth(days) - 1)) * DAY_MS;
}

/** Start (epoch ms, inclusive) of the window of `per` that holds `now`. */
export function windowStart(per: WindowPeriod, now: number): number {
  switch (per) {
    case 'second':
      return Math.floor(now / SECOND_MS) * SECOND_MS;
    case 'minute':
      return Math.floor(now / MINUTE_MS) * MINUTE_MS;
    case 'hour':
      return Math.floor(now / HOUR_MS) * HOUR_MS;
    case 'day':
      return Math.floor(now / DAY_MS) * DAY_MS;
    case 'week': {
      const days = Math.floor(now / DAY_MS);
      // 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays.
      const sinceMonday = (((days + 3) % 7) + 7) % 7;
      return (days - sinceMonday) * DAY_MS;
    }
    case 'month':
      return monthStart(now);
  }
}

/** End (epoch ms, exclusive) of the window of `per` that starts at `start`. */
export function windowEnd(per: WindowPeriod, start: number): number {
  switch (per) {
    case 'second':
      return start + SECOND_MS;
    case 'minute':
      return start + MINUTE_MS;
    case 'hour':
      return start + HOUR_MS;
    case 'day':
      return start + DAY_MS;
    case 'week':
      return start + WEEK_MS;
    case 'month':
      // The 1st plus 32 days is always inside the next month.
      return monthStart(start + 32 * DAY_MS);
  }
}

/** Whole seconds until `end`, rounded up, at least 1: what a retry-after header says. */
export function secondsUntil(end: number, now: number): number {
  return Math.max(1, Math.ceil((end - now) / 1000));
}
