// Usage meters: one per configured limit, read from the same counters the engine writes.
import { describe, expect, it } from 'vitest';
import { usageMeters } from '../../core/policy/usage.ts';
import { MemoryCounters, NOW, llm, makeAgent, run } from './policy-fixtures.ts';

const DAY_START = Date.UTC(2025, 0, 15);

describe('usageMeters', () => {
  it('no limits → no meters', () => {
    expect(
      usageMeters(
        makeAgent({ providers: { openai: {} }, vault: { readOnly: ['x'] } }),
        new MemoryCounters(),
        NOW,
      ),
    ).toEqual([]);
  });

  it('reports used/limit and the reset time of every configured limit', () => {
    const agent = makeAgent({
      providers: {
        openai: { rateLimit: { requests: 60, per: 'minute' }, budget: { usd: 5, per: 'day' } },
        anthropic: { budget: { usd: 20, per: 'month' } },
      },
      email: { allowedDomains: ['gmail.com'], dailyLimit: 50 },
      payments: { maxAmount: 100, dailyLimit: 3 },
    });
    const counters = new MemoryCounters()
      .set('rate:openai', Date.UTC(2025, 0, 15, 12, 30), { count: 7 })
      .set('rate:openai', Date.UTC(2025, 0, 15, 12, 29), { count: 60 }) // last minute: not shown
      .set('budget:openai', DAY_START, { spentMicro: 1_250_000, reservedMicro: 250_000 })
      .set('budget:anthropic', Date.UTC(2025, 0, 1), { spentMicro: 3_000_000 })
      .set('email:day', DAY_START, { count: 12 })
      .set('payments:day', DAY_START, { count: 1 });
    expect(usageMeters(agent, counters, NOW)).toEqual([
      {
        key: 'openai.rate',
        label: 'openai requests this minute',
        used: 7,
        limit: 60,
        unit: 'requests',
        resetsAt: '2025-01-15T12:31:00.000Z',
      },
      {
        key: 'openai.budget',
        label: 'openai spend today (UTC)',
        used: 1.5,
        limit: 5,
        unit: 'usd',
        resetsAt: '2025-01-16T00:00:00.000Z',
      },
      {
        key: 'anthropic.budget',
        label: 'anthropic spend this month (UTC)',
        used: 3,
        limit: 20,
        unit: 'usd',
        resetsAt: '2025-02-01T00:00:00.000Z',
      },
      {
        key: 'email.daily',
        label: 'Emails sent today (UTC)',
        used: 12,
        limit: 50,
        unit: 'emails',
        resetsAt: '2025-01-16T00:00:00.000Z',
      },
      {
        key: 'payments.daily',
        label: 'Payments today (UTC)',
        used: 1,
        limit: 3,
        unit: 'payments',
        resetsAt: '2025-01-16T00:00:00.000Z',
      },
    ]);
  });

  it('meters move with the effects of allowed decisions', () => {
    const scopes = {
      providers: {
        openai: {
          rateLimit: { requests: 10, per: 'hour' as const },
          budget: { usd: 1, per: 'week' as const },
        },
      },
    };
    const counters = new MemoryCounters();
    for (let i = 0; i < 3; i++) {
      const d = run(scopes, llm({ estimatedUsd: 0.1 }), { counters });
      if (d.outcome === 'allow') counters.apply(d.effects);
    }
    const meters = usageMeters(makeAgent(scopes), counters, NOW);
    expect(meters.map((m) => [m.key, m.used, m.limit, m.resetsAt])).toEqual([
      ['openai.rate', 3, 10, '2025-01-15T13:00:00.000Z'],
      ['openai.budget', 0.3, 1, '2025-01-20T00:00:00.000Z'],
    ]);
  });
});
