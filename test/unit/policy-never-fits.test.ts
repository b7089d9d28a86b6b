// A request larger than the whole limit can never pass: the refusal says so and gives no retry time,
// whatever is already used; one exactly at the limit still fits an empty window.
import { describe, expect, it } from 'vitest';
import { MemoryCounters, llm, mail, run } from './policy-fixtures.ts';

const DAY_START = Date.UTC(2025, 0, 15);
const budget = { providers: { openai: { budget: { usd: 5, per: 'day' as const } } } };

describe('limits a request can never fit under', () => {
  it('an estimate above the whole budget: budget_exceeded, "can never fit", no retry-after, even in an empty window', () => {
    const d = run(budget, llm({ estimatedUsd: 5.01 }));
    expect(d.outcome).toBe('deny');
    if (d.outcome !== 'deny') return;
    expect(d.code).toBe('budget_exceeded');
    expect(d.rule).toEqual({ scope: 'providers.openai.budget', limit: 5, value: 5.01 });
    expect(d.retryAfterSeconds).toBeUndefined();
    expect(d.message).toBe(
      'This request is estimated at $5.01, more than the whole providers.openai.budget of $5.00 per day: it can never fit under this budget. Send a smaller request (fewer tokens, a cheaper model), or ask the owner to raise the budget.',
    );
  });

  it('an estimate of exactly the whole budget fits an empty window, and waits (with retry-after) behind spending', () => {
    expect(run(budget, llm({ estimatedUsd: 5 })).outcome).toBe('allow');
    const spent = new MemoryCounters().set('budget:openai', DAY_START, { spentMicro: 1 });
    const d = run(budget, llm({ estimatedUsd: 5 }), { counters: spent });
    expect(d.outcome === 'deny' && d.retryAfterSeconds).toBeGreaterThan(0);
    expect(d.outcome === 'deny' && d.message).toMatch(/retry in \d+ s\.$/);
  });

  it('a batch of more emails than the whole daily limit: rate_limited with no retry-after', () => {
    const scopes = { email: { allowedDomains: ['example.com'], dailyLimit: 3 } };
    const d = run(scopes, mail(['a@example.com'], { emails: 4 }));
    expect(d.outcome).toBe('deny');
    if (d.outcome !== 'deny') return;
    expect(d.code).toBe('rate_limited');
    expect(d.rule).toEqual({ scope: 'email.dailyLimit', limit: 3, value: 4 });
    expect(d.retryAfterSeconds).toBeUndefined();
    expect(d.message).toContain('can never fit under this limit');
    // Three fit; a fourth one later in the day waits for the next day.
    expect(run(scopes, mail(['a@example.com'], { emails: 3 })).outcome).toBe('allow');
    const used = new MemoryCounters().set('email:day', DAY_START, { count: 3 });
    const later = run(scopes, mail(['a@example.com']), { counters: used });
    expect(later.outcome === 'deny' && later.retryAfterSeconds).toBeGreaterThan(0);
  });
});
