// The policy engine's table-driven tests share this: the expected-decision shape, the checker every case runs
// through (a denial names its rule, limits that reopen say when), counters and grants, the UTC windows the
// cases use, and the scopes most cases start from. One file per rule: test/unit/policy-*.test.ts.
import { expect, it } from 'vitest';
import type { PaymentsScope, Scopes } from '../../shared/scopes.ts';
import type { ProxyFacts, SecretFacts } from '../../shared/facts.ts';
import type { ErrorCode, RuleRef } from '../../shared/errors.ts';
import type { PolicyDecision, PolicyGrant } from '../../core/policy/types.ts';
import { MemoryCounters, run, type RunOptions } from './policy-fixtures.ts';
import { readmeOpenai } from './scope-fixtures.ts';

export const DAY_START = Date.UTC(2025, 0, 15);
export const MINUTE_START = Date.UTC(2025, 0, 15, 12, 30);
export const HOUR_START = Date.UTC(2025, 0, 15, 12);
export const WEEK_START = Date.UTC(2025, 0, 13); // Monday
export const MONTH_START = Date.UTC(2025, 0, 1);
export const TO_MIDNIGHT = 41385; // ceil(11 h 29 min 44.5 s)

export interface Expected {
  outcome: PolicyDecision['outcome'];
  code?: ErrorCode;
  scope?: string;
  limit?: RuleRef['limit'];
  value?: RuleRef['value'];
  message?: string;
  rule?: string;
  reason?: string;
  grantId?: string;
  retryAfter?: number;
  effects?: Array<{
    key: string;
    count: number;
    reserveMicro: number;
    windowStart?: number;
    windowEnd?: number;
  }>;
}

export interface Case {
  name: string;
  scopes: Scopes;
  facts: ProxyFacts | SecretFacts;
  opts?: RunOptions;
  expect: Expected;
}

export function check(d: PolicyDecision, e: Expected): void {
  expect(d.outcome, JSON.stringify(d)).toBe(e.outcome);
  if (d.outcome === 'deny') {
    expect(d.code).toBe(e.code);
    expect(d.rule.scope).toBe(e.scope);
    if ('limit' in e) expect(d.rule.limit).toEqual(e.limit);
    if ('value' in e) expect(d.rule.value).toEqual(e.value);
    if (e.message !== undefined) expect(d.message).toBe(e.message);
    if (e.retryAfter !== undefined) expect(d.retryAfterSeconds).toBe(e.retryAfter);
    // Limits that reopen say when; scope refusals, and requests larger than the whole limit, never do.
    if ((d.code === 'rate_limited' || d.code === 'budget_exceeded') && !d.message.includes('can never fit'))
      expect(d.retryAfterSeconds).toBeGreaterThan(0);
    else expect(d.retryAfterSeconds).toBeUndefined();
    // Every denial names its rule in words.
    if (d.code === 'scope_denied' || d.code === 'rate_limited' || d.code === 'budget_exceeded') {
      expect(d.message).toContain(d.rule.scope.split('.')[0]);
    }
  }
  if (d.outcome === 'approval') {
    if (e.scope !== undefined) expect(d.rule.scope).toBe(e.scope);
    if ('limit' in e) expect(d.rule.limit).toEqual(e.limit);
    if ('value' in e) expect(d.rule.value).toEqual(e.value);
    if (e.reason !== undefined) expect(d.reason).toBe(e.reason);
  }
  if (d.outcome === 'allow') {
    if (e.rule !== undefined) expect(d.rule).toBe(e.rule);
    expect(d.grantId).toBe(e.grantId);
  }
  if (e.effects !== undefined && d.outcome !== 'deny') {
    expect(d.effects.map((x) => ({ key: x.key, count: x.count, reserveMicro: x.reserveMicro }))).toEqual(
      e.effects.map((x) => ({ key: x.key, count: x.count, reserveMicro: x.reserveMicro })),
    );
    e.effects.forEach((x, i) => {
      if (x.windowStart !== undefined) expect(d.effects[i]?.windowStart).toBe(x.windowStart);
      if (x.windowEnd !== undefined) expect(d.effects[i]?.windowEnd).toBe(x.windowEnd);
    });
  }
}

export function table(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => check(run(c.scopes, c.facts, c.opts), c.expect));
  }
}

export const counters = (key: string, windowStart: number, count: number) =>
  new MemoryCounters().set(key, windowStart, { count });
export const grant = (actionKey: string, over: Partial<PolicyGrant> = {}): PolicyGrant => ({
  id: 'grt_1',
  actionKey,
  constraint: null,
  usesLeft: null,
  expiresAt: null,
  ...over,
});

export const openai: Scopes = { providers: { openai: readmeOpenai } };
export const mailScope: Scopes = { email: { allowedDomains: ['gmail.com', 'outlook.com'], dailyLimit: 50 } };
export const payScope: PaymentsScope = {
  provider: 'stripe',
  maxAmount: 10000,
  currency: 'usd',
  oneTime: true,
};
export const pay: Scopes = { payments: payScope };
export const vault: Scopes = { vault: { readOnly: ['crm_api_key'], ttlSeconds: 3600 } };

/** One counter effect of an allowed request: one more in `key`'s window, `reserveMicro` reserved. */
export const effect = (key: string, reserveMicro: number, windowStart: number, windowEnd: number) => ({
  key,
  count: 1,
  reserveMicro,
  windowStart,
  windowEnd,
});

/** A scope_denied decision naming `scope` (and, where given, its limit, the refused value and the message). */
export const refused = (
  scope: string,
  more: Omit<Expected, 'outcome' | 'code' | 'scope'> = {},
): Expected => ({
  outcome: 'deny',
  code: 'scope_denied',
  scope,
  ...more,
});
