// Policy engine: provider rate limits and budgets (UTC windows, reservations of requests in flight).
import { describe, expect, it } from 'vitest';
import type { Scopes } from '../../shared/scopes.ts';
import { DAY_MS, MINUTE_MS } from '../../core/policy/windows.ts';
import { MemoryCounters, NOW, llm, run } from './policy-fixtures.ts';
import {
  DAY_START,
  MINUTE_START,
  HOUR_START,
  WEEK_START,
  MONTH_START,
  TO_MIDNIGHT,
  table,
  counters,
  openai,
  effect,
  refused,
} from './policy-table.ts';

describe('provider scopes: rate limits and budgets', () => {
  table([
    {
      name: 'rate limit: 59 of 60 → allow',
      scopes: openai,
      facts: llm({ estimatedUsd: 0 }),
      opts: { counters: counters('rate:openai', MINUTE_START, 59) },
      expect: { outcome: 'allow' },
    },
    {
      name: 'rate limit: 60 of 60 → rate_limited, retry at the next minute',
      scopes: openai,
      facts: llm(),
      opts: { counters: counters('rate:openai', MINUTE_START, 60) },
      expect: {
        outcome: 'deny',
        code: 'rate_limited',
        scope: 'providers.openai.rateLimit',
        limit: 60,
        value: 60,
        retryAfter: 45,
      },
    },
    {
      name: 'rate limit: the previous minute does not count',
      scopes: openai,
      facts: llm({ estimatedUsd: 0 }),
      opts: { counters: counters('rate:openai', MINUTE_START - MINUTE_MS, 60) },
      expect: { outcome: 'allow' },
    },
    {
      name: 'rate limit per second: retry in 1 s',
      scopes: { providers: { openai: { rateLimit: { requests: 2, per: 'second' } } } },
      facts: llm(),
      opts: { counters: counters('rate:openai', NOW - 500, 2) },
      expect: { outcome: 'deny', code: 'rate_limited', retryAfter: 1, scope: 'providers.openai.rateLimit' },
    },
    {
      name: 'rate limit per hour: aligned to the UTC hour',
      scopes: { providers: { openai: { rateLimit: { requests: 100, per: 'hour' } } } },
      facts: llm(),
      opts: { counters: counters('rate:openai', HOUR_START, 100) },
      expect: {
        outcome: 'deny',
        code: 'rate_limited',
        retryAfter: 1785,
        scope: 'providers.openai.rateLimit',
      },
    },
    {
      name: 'rate limit per day: aligned to UTC midnight',
      scopes: { providers: { openai: { rateLimit: { requests: 1000, per: 'day' } } } },
      facts: llm(),
      opts: { counters: counters('rate:openai', DAY_START, 1000) },
      expect: {
        outcome: 'deny',
        code: 'rate_limited',
        retryAfter: TO_MIDNIGHT,
        scope: 'providers.openai.rateLimit',
      },
    },
    {
      name: 'budget: spent + estimate exactly the budget → allow',
      scopes: openai,
      facts: llm({ estimatedUsd: 0.01 }),
      opts: { counters: new MemoryCounters().set('budget:openai', DAY_START, { spentMicro: 4_990_000 }) },
      expect: { outcome: 'allow' },
    },
    {
      name: 'budget: one micro-dollar over → budget_exceeded',
      scopes: openai,
      facts: llm({ estimatedUsd: 0.010001 }),
      opts: { counters: new MemoryCounters().set('budget:openai', DAY_START, { spentMicro: 4_990_000 }) },
      expect: {
        outcome: 'deny',
        code: 'budget_exceeded',
        scope: 'providers.openai.budget',
        limit: 5,
        value: 5.000001,
        retryAfter: TO_MIDNIGHT,
      },
    },
    {
      name: 'budget: reservations of requests in flight count',
      scopes: openai,
      facts: llm({ estimatedUsd: 0.02 }),
      opts: {
        counters: new MemoryCounters().set('budget:openai', DAY_START, {
          spentMicro: 4_000_000,
          reservedMicro: 990_000,
        }),
      },
      expect: { outcome: 'deny', code: 'budget_exceeded', scope: 'providers.openai.budget' },
    },
    {
      name: 'budget: fully used budget refuses a request estimated at $0',
      scopes: openai,
      facts: llm({ estimatedUsd: 0 }),
      opts: { counters: new MemoryCounters().set('budget:openai', DAY_START, { spentMicro: 5_000_000 }) },
      expect: { outcome: 'deny', code: 'budget_exceeded', scope: 'providers.openai.budget', value: 5 },
    },
    {
      name: 'budget: a call that may cost and has no estimate (a batch job) → refused, nothing bounds it',
      scopes: { providers: { openai: { budget: { usd: 5, per: 'day' } } } },
      facts: llm({ path: '/batches', model: undefined }),
      expect: refused('providers.openai.budget', { limit: 5, value: null }),
    },
    {
      name: 'budget: a read (GET) with no estimate reserves 0',
      scopes: { providers: { openai: { budget: { usd: 5, per: 'day' } } } },
      facts: llm({ method: 'GET', path: '/batches/batch_1', model: undefined }),
      expect: { outcome: 'allow', effects: [{ key: 'budget:openai', count: 1, reserveMicro: 0 }] },
    },
    {
      name: 'budget: negative estimate → refused',
      scopes: openai,
      facts: llm({ estimatedUsd: -1 }),
      expect: refused('providers.openai.budget'),
    },
    {
      name: 'budget per hour uses the UTC hour window',
      scopes: { providers: { openai: { budget: { usd: 1, per: 'hour' } } } },
      facts: llm({ estimatedUsd: 0.5 }),
      expect: {
        outcome: 'allow',
        effects: [effect('budget:openai', 500_000, HOUR_START, HOUR_START + 3600_000)],
      },
    },
    {
      name: 'budget per week starts Monday 00:00 UTC',
      scopes: { providers: { openai: { budget: { usd: 1, per: 'week' } } } },
      facts: llm({ estimatedUsd: 0.5 }),
      expect: {
        outcome: 'allow',
        effects: [effect('budget:openai', 500_000, WEEK_START, WEEK_START + 7 * DAY_MS)],
      },
    },
    {
      name: 'budget per week exceeded: retry at next Monday',
      scopes: { providers: { openai: { budget: { usd: 1, per: 'week' } } } },
      facts: llm({ estimatedUsd: 0.5 }),
      opts: { counters: new MemoryCounters().set('budget:openai', WEEK_START, { spentMicro: 600_000 }) },
      expect: {
        outcome: 'deny',
        code: 'budget_exceeded',
        retryAfter: Math.ceil((WEEK_START + 7 * DAY_MS - NOW) / 1000),
        scope: 'providers.openai.budget',
      },
    },
    {
      name: 'budget per month is the calendar month (UTC)',
      scopes: { providers: { openai: { budget: { usd: 1, per: 'month' } } } },
      facts: llm({ estimatedUsd: 0.5 }),
      expect: {
        outcome: 'allow',
        effects: [effect('budget:openai', 500_000, MONTH_START, Date.UTC(2025, 1, 1))],
      },
    },
    {
      name: 'rate limit is checked before budget',
      scopes: openai,
      facts: llm({ estimatedUsd: 100 }),
      opts: { counters: counters('rate:openai', MINUTE_START, 60) },
      expect: { outcome: 'deny', code: 'rate_limited', scope: 'providers.openai.rateLimit' },
    },
  ]);

  it('exactly N requests per minute, then the next minute opens', () => {
    const store = new MemoryCounters();
    const scopes: Scopes = { providers: { openai: { rateLimit: { requests: 3, per: 'minute' } } } };
    const seen = [0, 1, 2, 3].map((i) => {
      const d = run(scopes, llm(), { counters: store, now: MINUTE_START + i * 1000 });
      if (d.outcome === 'allow') store.apply(d.effects);
      return d.outcome;
    });
    expect(seen).toEqual(['allow', 'allow', 'allow', 'deny']);
    expect(run(scopes, llm(), { counters: store, now: MINUTE_START + MINUTE_MS - 1 }).outcome).toBe('deny');
    expect(run(scopes, llm(), { counters: store, now: MINUTE_START + MINUTE_MS }).outcome).toBe('allow');
  });

  it('budget reservations stop concurrent requests from overspending', () => {
    const store = new MemoryCounters();
    const scopes: Scopes = { providers: { openai: { budget: { usd: 1, per: 'day' } } } };
    const seen: string[] = [];
    // Five requests in flight at once, each estimated at $0.30: only three fit in $1.00.
    for (let i = 0; i < 5; i++) {
      const d = run(scopes, llm({ estimatedUsd: 0.3 }), { counters: store });
      seen.push(d.outcome);
      if (d.outcome === 'allow') store.apply(d.effects);
    }
    expect(seen).toEqual(['allow', 'allow', 'allow', 'deny', 'deny']);
    expect(store.get('budget:openai', DAY_START).reservedMicro).toBe(900_000);
  });
});
