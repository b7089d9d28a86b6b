// Usage against each configured limit, for the agent view and the approval prompt. Reads counters only.
import type { UsageMeter } from '../../shared/models.ts';
import type { CounterReader, PolicyAgent } from './types.ts';
import { windowEnd, windowStart, type WindowPeriod } from './windows.ts';
import { EMAIL_DAY_COUNTER } from './rules/email.ts';
import { PAYMENTS_DAY_COUNTER } from './rules/payments.ts';
import { budgetCounter, rateCounter } from './rules/provider.ts';

const THIS_WINDOW: Readonly<Record<WindowPeriod, string>> = {
  second: 'this second',
  minute: 'this minute',
  hour: 'this hour',
  day: 'today (UTC)',
  week: 'this week (UTC, from Monday)',
  month: 'this month (UTC)',
};

/** The daily limits of the email and payments scopes: the counter each counts in, and the meter's words. */
const DAILY_LIMITS = [
  { scope: 'email', counter: EMAIL_DAY_COUNTER, label: 'Emails sent', unit: 'emails' },
  { scope: 'payments', counter: PAYMENTS_DAY_COUNTER, label: 'Payments', unit: 'payments' },
] as const;

function resetsAt(per: WindowPeriod, now: number): { start: number; iso: string } {
  const start = windowStart(per, now);
  return { start, iso: new Date(windowEnd(per, start)).toISOString() };
}

/**
 * One meter per configured limit: provider rate limits ("<id>.rate"), provider budgets in USD, spent plus
 * reserved ("<id>.budget"), the email daily limit ("email.daily") and the payments daily limit ("payments.daily").
 */
export function usageMeters(agent: PolicyAgent, counters: CounterReader, now: number): UsageMeter[] {
  const meters: UsageMeter[] = [];
  const { providers } = agent.scopes;
  if (providers !== undefined) {
    for (const [id, scope] of Object.entries(providers)) {
      if (scope.rateLimit !== undefined) {
        const w = resetsAt(scope.rateLimit.per, now);
        meters.push({
          key: `${id}.rate`,
          label: `${id} requests ${THIS_WINDOW[scope.rateLimit.per]}`,
          used: counters.get(rateCounter(id), w.start).count,
          limit: scope.rateLimit.requests,
          unit: 'requests',
          resetsAt: w.iso,
        });
      }
      if (scope.budget !== undefined) {
        const w = resetsAt(scope.budget.per, now);
        const c = counters.get(budgetCounter(id), w.start);
        meters.push({
          key: `${id}.budget`,
          label: `${id} spend ${THIS_WINDOW[scope.budget.per]}`,
          used: (c.spentMicro + c.reservedMicro) / 1e6,
          limit: scope.budget.usd,
          unit: 'usd',
          resetsAt: w.iso,
        });
      }
    }
  }
  for (const d of DAILY_LIMITS) {
    const limit = agent.scopes[d.scope]?.dailyLimit;
    if (limit === undefined) continue;
    const w = resetsAt('day', now);
    meters.push({
      key: `${d.scope}.daily`,
      label: `${d.label} ${THIS_WINDOW.day}`,
      used: counters.get(d.counter, w.start).count,
      limit,
      unit: d.unit,
      resetsAt: w.iso,
    });
  }
  return meters;
}
