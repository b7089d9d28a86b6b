// Table-driven tests for every rule of the policy engine (README "Scopes").
import { describe, expect, it } from 'vitest';
import type { PaymentsScope, Scopes } from '../../shared/scopes.ts';
import type { ProxyFacts, SecretFacts } from '../../shared/facts.ts';
import type { ErrorCode, RuleRef } from '../../shared/errors.ts';
import type { PolicyDecision, PolicyGrant } from '../../core/policy/types.ts';
import { actionKeyOf, decide } from '../../core/policy/engine.ts';
import { DAY_MS, MINUTE_MS } from '../../core/policy/windows.ts';
import {
  MemoryCounters,
  NOW,
  card,
  llm,
  mail,
  makeAgent,
  payment,
  run,
  secret,
  type RunOptions,
} from './policy-fixtures.ts';

const DAY_START = Date.UTC(2025, 0, 15);
const MINUTE_START = Date.UTC(2025, 0, 15, 12, 30);
const HOUR_START = Date.UTC(2025, 0, 15, 12);
const WEEK_START = Date.UTC(2025, 0, 13); // Monday
const MONTH_START = Date.UTC(2025, 0, 1);
const TO_MIDNIGHT = 41385; // ceil(11 h 29 min 44.5 s)

interface Expected {
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

interface Case {
  name: string;
  scopes: Scopes;
  facts: ProxyFacts | SecretFacts;
  opts?: RunOptions;
  expect: Expected;
}

function check(d: PolicyDecision, e: Expected): void {
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

function table(cases: Case[]): void {
  for (const c of cases) {
    it(c.name, () => check(run(c.scopes, c.facts, c.opts), c.expect));
  }
}

const counters = (key: string, windowStart: number, count: number) =>
  new MemoryCounters().set(key, windowStart, { count });
const grant = (actionKey: string, over: Partial<PolicyGrant> = {}): PolicyGrant => ({
  id: 'grt_1',
  actionKey,
  constraint: null,
  usesLeft: null,
  expiresAt: null,
  ...over,
});

const openai: Scopes = {
  providers: {
    openai: {
      models: ['gpt-4o-mini'],
      methods: ['POST'],
      paths: ['/chat/completions'],
      rateLimit: { requests: 60, per: 'minute' },
      budget: { usd: 5, per: 'day' },
    },
  },
};
const mailScope: Scopes = { email: { allowedDomains: ['gmail.com', 'outlook.com'], dailyLimit: 50 } };
const payScope: PaymentsScope = { provider: 'stripe', maxAmount: 10000, currency: 'usd', oneTime: true };
const pay: Scopes = { payments: payScope };
const vault: Scopes = { vault: { readOnly: ['crm_api_key'], ttlSeconds: 3600 } };

describe('agent status and expiry', () => {
  table([
    {
      name: 'active agent is allowed',
      scopes: vault,
      facts: secret('crm_api_key'),
      expect: { outcome: 'allow', rule: 'vault' },
    },
    {
      name: 'revoked → revoked',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { status: 'revoked' } },
      expect: { outcome: 'deny', code: 'revoked', scope: 'agent.status', value: 'revoked' },
    },
    {
      name: 'suspended → suspended',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { status: 'suspended' } },
      expect: { outcome: 'deny', code: 'suspended', scope: 'agent.status', value: 'suspended' },
    },
    {
      name: 'status is checked before expiry',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { status: 'revoked', expiresAt: NOW - 1 } },
      expect: { outcome: 'deny', code: 'revoked', scope: 'agent.status' },
    },
    {
      name: 'suspended is checked before scopes (even a refused request says suspended)',
      scopes: {},
      facts: secret('nope'),
      opts: { agent: { status: 'suspended' } },
      expect: { outcome: 'deny', code: 'suspended', scope: 'agent.status' },
    },
    {
      name: 'expiresAt == now → expired',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { expiresAt: NOW } },
      expect: {
        outcome: 'deny',
        code: 'expired',
        scope: 'agent.expiresAt',
        limit: new Date(NOW).toISOString(),
      },
    },
    {
      name: 'expiresAt one ms in the future → allowed',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { expiresAt: NOW + 1 } },
      expect: { outcome: 'allow' },
    },
    {
      name: 'expiry is checked before scopes',
      scopes: {},
      facts: secret('x'),
      opts: { agent: { expiresAt: NOW - 1000 } },
      expect: { outcome: 'deny', code: 'expired', scope: 'agent.expiresAt' },
    },
  ]);
});

describe('vault scope', () => {
  table([
    {
      name: 'listed secret → allow with no counters',
      scopes: vault,
      facts: secret('crm_api_key'),
      expect: { outcome: 'allow', rule: 'vault', effects: [] },
    },
    {
      name: 'no vault scope → deny "vault"',
      scopes: openai,
      facts: secret('crm_api_key'),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'vault', value: 'crm_api_key' },
    },
    {
      name: 'unlisted secret → vault.readOnly',
      scopes: vault,
      facts: secret('db_password'),
      expect: {
        outcome: 'deny',
        code: 'scope_denied',
        scope: 'vault.readOnly',
        limit: ['crm_api_key'],
        value: 'db_password',
        message: 'Secret "db_password" is not in vault.readOnly (allowed: crm_api_key).',
      },
    },
    {
      name: 'names are case-sensitive',
      scopes: vault,
      facts: secret('CRM_API_KEY'),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'vault.readOnly' },
    },
    {
      name: 'ttl: one ms before the end → allowed',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { scopesSetAt: NOW - 3600_000 + 1 } },
      expect: { outcome: 'allow' },
    },
    {
      name: 'ttl: at the end → vault.ttlSeconds',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { scopesSetAt: NOW - 3600_000 } },
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'vault.ttlSeconds', limit: 3600, value: 3600 },
    },
    {
      name: 'no ttl → no time limit',
      scopes: { vault: { readOnly: ['crm_api_key'] } },
      facts: secret('crm_api_key'),
      opts: { agent: { scopesSetAt: NOW - 400 * DAY_MS } },
      expect: { outcome: 'allow' },
    },
    {
      name: 'vault approval always → approval',
      scopes: { vault: { readOnly: ['crm_api_key'], approval: 'always' } },
      facts: secret('crm_api_key'),
      expect: {
        outcome: 'approval',
        scope: 'vault.approval',
        limit: 'always',
        value: 'secret.read:crm_api_key',
        reason: 'Reading secrets always needs approval',
      },
    },
    {
      name: 'vault first-use without a grant → approval',
      scopes: { vault: { readOnly: ['crm_api_key'], approval: 'first-use' } },
      facts: secret('crm_api_key'),
      expect: { outcome: 'approval', reason: 'First read of secret crm_api_key needs approval' },
    },
    {
      name: 'vault first-use with a grant → allow with grantId',
      scopes: { vault: { readOnly: ['crm_api_key'], approval: 'first-use' } },
      facts: secret('crm_api_key'),
      opts: { grants: [grant('secret.read:crm_api_key')] },
      expect: { outcome: 'allow', grantId: 'grt_1' },
    },
    {
      name: 'vault {above} has no amount → held',
      scopes: { vault: { readOnly: ['crm_api_key'], approval: { above: 100 } } },
      facts: secret('crm_api_key'),
      expect: { outcome: 'approval', scope: 'vault.approval', limit: 100, value: null },
    },
    {
      name: 'ttl is checked before approval',
      scopes: { vault: { readOnly: ['crm_api_key'], ttlSeconds: 60, approval: 'always' } },
      facts: secret('crm_api_key'),
      opts: { agent: { scopesSetAt: NOW - 61_000 } },
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'vault.ttlSeconds' },
    },
  ]);
});

describe('email scope', () => {
  table([
    {
      name: 'allowed domains, several recipients → allow, one daily count',
      scopes: mailScope,
      facts: mail(['bob@gmail.com', 'ann@outlook.com', 'cc@gmail.com']),
      expect: {
        outcome: 'allow',
        rule: 'email',
        effects: [
          {
            key: 'email:day',
            count: 1,
            reserveMicro: 0,
            windowStart: DAY_START,
            windowEnd: DAY_START + DAY_MS,
          },
        ],
      },
    },
    {
      name: 'recipients are compared lower-cased',
      scopes: mailScope,
      facts: mail(['Bob@GMAIL.com']),
      expect: { outcome: 'allow' },
    },
    {
      name: 'subdomains do not match',
      scopes: mailScope,
      facts: mail(['bob@mail.gmail.com']),
      expect: {
        outcome: 'deny',
        code: 'scope_denied',
        scope: 'email.allowedDomains',
        limit: ['gmail.com', 'outlook.com'],
        value: 'bob@mail.gmail.com',
      },
    },
    {
      name: 'look-alike domain suffix does not match',
      scopes: mailScope,
      facts: mail(['bob@evilgmail.com']),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'email.allowedDomains' },
    },
    {
      name: 'one refused recipient refuses the whole send and names it',
      scopes: mailScope,
      facts: mail(['bob@gmail.com', 'eve@evil.com']),
      expect: {
        outcome: 'deny',
        code: 'scope_denied',
        scope: 'email.allowedDomains',
        value: 'eve@evil.com',
        message:
          'Recipient "eve@evil.com" is not in email.allowedDomains (allowed: gmail.com, outlook.com); subdomains do not match.',
      },
    },
    ...[
      'eve@evil.com,bob@gmail.com',
      'Eve <eve@gmail.com>',
      'gmail.com',
      'bob@@gmail.com',
      '@gmail.com',
      'bob @gmail.com',
      '"a@b"@gmail.com',
    ].map((r): Case => ({
      name: `malformed recipient ${JSON.stringify(r)} → refused`,
      scopes: mailScope,
      facts: mail([r]),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'email.allowedDomains' },
    })),
    {
      name: 'allowedAddresses: exact address (case-insensitive, even if the scope has capitals)',
      scopes: { email: { allowedAddresses: ['Bob@Example.com'] } },
      facts: mail(['bob@example.com']),
      expect: { outcome: 'allow', effects: [] },
    },
    {
      name: 'allowedAddresses: another address at the same domain → refused',
      scopes: { email: { allowedAddresses: ['bob@example.com'] } },
      facts: mail(['ann@example.com']),
      expect: {
        outcome: 'deny',
        code: 'scope_denied',
        scope: 'email.allowedAddresses',
        limit: ['bob@example.com'],
        value: 'ann@example.com',
      },
    },
    {
      name: 'addresses and domains together: either matches',
      scopes: { email: { allowedAddresses: ['boss@corp.io'], allowedDomains: ['example.com'] } },
      facts: mail(['boss@corp.io', 'x@example.com']),
      expect: { outcome: 'allow' },
    },
    {
      name: 'neither list → every recipient refused',
      scopes: { email: { dailyLimit: 10 } },
      facts: mail(['bob@gmail.com']),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'email.allowedDomains', limit: null },
    },
    {
      name: 'zero recipients → refused',
      scopes: mailScope,
      facts: mail([]),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'email', value: 0 },
    },
    {
      name: 'no recipients field → refused',
      scopes: mailScope,
      facts: mail(undefined),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'email' },
    },
    {
      name: 'no email scope → "email" (a provider scope for the email API does not allow sends)',
      scopes: { providers: { resend: {} } },
      facts: mail(['bob@gmail.com']),
      expect: {
        outcome: 'deny',
        code: 'scope_denied',
        scope: 'email',
        message: 'Sending email is refused: the email scope is not set.',
      },
    },
    {
      name: 'email.provider mismatch → email.provider',
      scopes: { email: { provider: 'resend', allowedDomains: ['gmail.com'] } },
      facts: mail(['bob@gmail.com'], { providerId: 'other-mail' }),
      expect: {
        outcome: 'deny',
        code: 'scope_denied',
        scope: 'email.provider',
        limit: 'resend',
        value: 'other-mail',
      },
    },
    {
      name: 'email.provider match → allow',
      scopes: { email: { provider: 'resend', allowedDomains: ['gmail.com'] } },
      facts: mail(['bob@gmail.com']),
      expect: { outcome: 'allow' },
    },
    {
      name: 'daily limit: 49 sent of 50 → allowed (the 50th)',
      scopes: mailScope,
      facts: mail(['bob@gmail.com']),
      opts: { counters: counters('email:day', DAY_START, 49) },
      expect: { outcome: 'allow' },
    },
    {
      name: 'daily limit: 50 sent of 50 → rate_limited until UTC midnight',
      scopes: mailScope,
      facts: mail(['bob@gmail.com']),
      opts: { counters: counters('email:day', DAY_START, 50) },
      expect: {
        outcome: 'deny',
        code: 'rate_limited',
        scope: 'email.dailyLimit',
        limit: 50,
        value: 50,
        retryAfter: TO_MIDNIGHT,
      },
    },
    {
      name: 'daily limit: yesterday’s count does not matter',
      scopes: mailScope,
      facts: mail(['bob@gmail.com']),
      opts: { counters: counters('email:day', DAY_START - DAY_MS, 50) },
      expect: { outcome: 'allow' },
    },
    {
      name: 'recipients are checked before the daily limit',
      scopes: mailScope,
      facts: mail(['eve@evil.com']),
      opts: { counters: counters('email:day', DAY_START, 50) },
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'email.allowedDomains' },
    },
    {
      name: 'email approval always → approval with its reason and effects',
      scopes: { email: { allowedDomains: ['gmail.com'], dailyLimit: 5, approval: 'always' } },
      facts: mail(['bob@gmail.com']),
      expect: {
        outcome: 'approval',
        scope: 'email.approval',
        reason: 'Emails always need approval',
        effects: [{ key: 'email:day', count: 1, reserveMicro: 0 }],
      },
    },
    {
      name: 'email first-use → approval',
      scopes: { email: { allowedDomains: ['gmail.com'], approval: 'first-use' } },
      facts: mail(['bob@gmail.com']),
      expect: {
        outcome: 'approval',
        scope: 'email.approval',
        limit: 'first-use',
        value: 'email.send:resend',
        reason: 'First use of the email API needs approval',
      },
    },
    {
      name: 'email first-use with a grant → allow',
      scopes: { email: { allowedDomains: ['gmail.com'], approval: 'first-use' } },
      facts: mail(['bob@gmail.com']),
      opts: { grants: [grant('email.send:resend', { id: 'grt_mail' })] },
      expect: { outcome: 'allow', grantId: 'grt_mail' },
    },
    {
      name: 'email {above} has no amount → held',
      scopes: { email: { allowedDomains: ['gmail.com'], approval: { above: 3 } } },
      facts: mail(['bob@gmail.com']),
      expect: { outcome: 'approval', scope: 'email.approval' },
    },
    {
      name: 'daily limit is checked before approval',
      scopes: { email: { allowedDomains: ['gmail.com'], dailyLimit: 1, approval: 'always' } },
      facts: mail(['bob@gmail.com']),
      opts: { counters: counters('email:day', DAY_START, 1) },
      expect: { outcome: 'deny', code: 'rate_limited', scope: 'email.dailyLimit' },
    },
  ]);

  it('exactly N sends pass with dailyLimit N, then the next UTC day opens again', () => {
    const store = new MemoryCounters();
    const scopes: Scopes = { email: { allowedDomains: ['gmail.com'], dailyLimit: 3 } };
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const d = run(scopes, mail(['a@gmail.com', 'b@gmail.com']), { counters: store, now: NOW + i });
      outcomes.push(d.outcome);
      if (d.outcome === 'allow') store.apply(d.effects);
    }
    expect(outcomes).toEqual(['allow', 'allow', 'allow', 'deny', 'deny']);
    expect(store.get('email:day', DAY_START).count).toBe(3);
    // Last ms of the day: still refused. First ms of the next: allowed.
    expect(run(scopes, mail(['a@gmail.com']), { counters: store, now: DAY_START + DAY_MS - 1 }).outcome).toBe(
      'deny',
    );
    const next = run(scopes, mail(['a@gmail.com']), { counters: store, now: DAY_START + DAY_MS });
    expect(next.outcome).toBe('allow');
    if (next.outcome === 'allow') expect(next.effects[0]?.windowStart).toBe(DAY_START + DAY_MS);
  });
});

describe('payments scope', () => {
  table([
    {
      name: 'payment within maxAmount → allow',
      scopes: pay,
      facts: payment(),
      expect: { outcome: 'allow', rule: 'payments', effects: [] },
    },
    {
      name: 'amount exactly maxAmount → allow',
      scopes: pay,
      facts: payment({ amount: 10000 }),
      expect: { outcome: 'allow' },
    },
    {
      name: 'amount maxAmount + 1 → payments.maxAmount',
      scopes: pay,
      facts: payment({ amount: 10001 }),
      expect: {
        outcome: 'deny',
        code: 'scope_denied',
        scope: 'payments.maxAmount',
        limit: 10000,
        value: 10001,
        message: 'Payment of $100.01 USD is over payments.maxAmount ($100.00 USD).',
      },
    },
    {
      name: 'missing amount → payments.maxAmount',
      scopes: pay,
      facts: payment({ amount: undefined }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'payments.maxAmount', value: null },
    },
    {
      name: 'negative amount → refused',
      scopes: pay,
      facts: payment({ amount: -5 }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'payments.maxAmount' },
    },
    {
      name: 'fractional amount → refused',
      scopes: pay,
      facts: payment({ amount: 10.5 }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'payments.maxAmount' },
    },
    {
      name: 'currency mismatch → payments.currency',
      scopes: pay,
      facts: payment({ currency: 'eur' }),
      expect: {
        outcome: 'deny',
        code: 'scope_denied',
        scope: 'payments.currency',
        limit: 'usd',
        value: 'eur',
      },
    },
    {
      name: 'missing currency when the scope pins one → payments.currency',
      scopes: pay,
      facts: payment({ currency: undefined }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'payments.currency', value: null },
    },
    {
      name: 'currency compared case-insensitively',
      scopes: pay,
      facts: payment({ currency: 'USD' }),
      expect: { outcome: 'allow' },
    },
    {
      name: 'no currency in the scope → any currency',
      scopes: { payments: { maxAmount: 10000 } },
      facts: payment({ currency: 'jpy', oneTime: undefined }),
      expect: { outcome: 'allow' },
    },
    {
      name: 'oneTime: payment not one-time → payments.oneTime',
      scopes: pay,
      facts: payment({ oneTime: false }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'payments.oneTime', limit: true, value: false },
    },
    {
      name: 'oneTime: payment without the flag → payments.oneTime',
      scopes: pay,
      facts: payment({ oneTime: undefined }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'payments.oneTime', value: null },
    },
    {
      name: 'no oneTime rule → recurring payment allowed',
      scopes: { payments: { maxAmount: 10000, currency: 'usd' } },
      facts: payment({ oneTime: false }),
      expect: { outcome: 'allow' },
    },
    {
      name: 'payments.provider mismatch',
      scopes: pay,
      facts: payment({ providerId: 'stripe-test' }),
      expect: {
        outcome: 'deny',
        code: 'scope_denied',
        scope: 'payments.provider',
        limit: 'stripe',
        value: 'stripe-test',
      },
    },
    {
      name: 'no payments scope → "payments"',
      scopes: { providers: { stripe: {} } },
      facts: payment(),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'payments' },
    },
    {
      name: 'virtual card within limits → allow',
      scopes: pay,
      facts: card(),
      expect: { outcome: 'allow', rule: 'payments' },
    },
    {
      name: 'physical card → payments.card.type',
      scopes: pay,
      facts: card({ card: { type: 'physical', spendingLimit: { amount: 100, interval: 'all_time' } } }),
      expect: {
        outcome: 'deny',
        code: 'scope_denied',
        scope: 'payments.card.type',
        limit: 'virtual',
        value: 'physical',
      },
    },
    {
      name: 'card without card facts → payments.card.type',
      scopes: pay,
      facts: card({ card: undefined }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'payments.card.type', value: null },
    },
    {
      name: 'card without a spending limit → payments.maxAmount',
      scopes: pay,
      facts: card({ card: { type: 'virtual' } }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'payments.maxAmount', value: null },
    },
    {
      name: 'card limit exactly maxAmount → allow',
      scopes: pay,
      facts: card({
        card: { type: 'virtual', spendingLimit: { amount: 10000, interval: 'per_authorization' } },
      }),
      expect: { outcome: 'allow' },
    },
    {
      name: 'card limit over maxAmount → payments.maxAmount',
      scopes: pay,
      facts: card({ card: { type: 'virtual', spendingLimit: { amount: 10001, interval: 'all_time' } } }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'payments.maxAmount', value: 10001 },
    },
    {
      name: 'oneTime: monthly card interval → payments.oneTime',
      scopes: pay,
      facts: card({ card: { type: 'virtual', spendingLimit: { amount: 100, interval: 'monthly' } } }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'payments.oneTime', value: 'monthly' },
    },
    {
      name: 'no oneTime rule → monthly card allowed',
      scopes: { payments: { maxAmount: 10000, currency: 'usd' } },
      facts: card({ card: { type: 'virtual', spendingLimit: { amount: 100, interval: 'monthly' } } }),
      expect: { outcome: 'allow' },
    },
    {
      name: 'card currency mismatch → payments.currency',
      scopes: pay,
      facts: card({ currency: 'eur' }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'payments.currency' },
    },
    {
      name: 'payments daily limit: under → allow with payments:day count',
      scopes: { payments: { maxAmount: 10000, dailyLimit: 2 } },
      facts: payment(),
      opts: { counters: counters('payments:day', DAY_START, 1) },
      expect: {
        outcome: 'allow',
        effects: [{ key: 'payments:day', count: 1, reserveMicro: 0, windowStart: DAY_START }],
      },
    },
    {
      name: 'payments daily limit reached → rate_limited',
      scopes: { payments: { maxAmount: 10000, dailyLimit: 2 } },
      facts: card(),
      opts: { counters: counters('payments:day', DAY_START, 2) },
      expect: {
        outcome: 'deny',
        code: 'rate_limited',
        scope: 'payments.dailyLimit',
        limit: 2,
        value: 2,
        retryAfter: TO_MIDNIGHT,
      },
    },
    {
      name: 'approval always → approval "Payments always need approval"',
      scopes: { payments: { ...payScope, approval: 'always' } },
      facts: payment(),
      expect: {
        outcome: 'approval',
        scope: 'payments.approval',
        limit: 'always',
        value: 'payment.create:stripe',
        reason: 'Payments always need approval',
      },
    },
    {
      name: 'approval always + input.approved → allow without grant',
      scopes: { payments: { ...payScope, approval: 'always' } },
      facts: payment(),
      opts: { approved: true },
      expect: { outcome: 'allow' },
    },
    {
      name: 'approval always + live grant (uses left) → allow with grantId',
      scopes: { payments: { ...payScope, approval: 'always' } },
      facts: payment(),
      opts: { grants: [grant('payment.create:stripe', { id: 'grt_pay', usesLeft: 2, expiresAt: NOW + 1 })] },
      expect: { outcome: 'allow', grantId: 'grt_pay' },
    },
    {
      name: 'approval always + expired grant → approval',
      scopes: { payments: { ...payScope, approval: 'always' } },
      facts: payment(),
      opts: { grants: [grant('payment.create:stripe', { expiresAt: NOW })] },
      expect: { outcome: 'approval' },
    },
    {
      name: 'approval always + used-up grant → approval',
      scopes: { payments: { ...payScope, approval: 'always' } },
      facts: payment(),
      opts: { grants: [grant('payment.create:stripe', { usesLeft: 0 })] },
      expect: { outcome: 'approval' },
    },
    {
      name: 'approval always + grant for another action → approval',
      scopes: { payments: { ...payScope, approval: 'always' } },
      facts: payment(),
      opts: { grants: [grant('card.create:stripe'), grant('payment.create:stripe-test')] },
      expect: { outcome: 'approval' },
    },
    {
      name: 'second live grant is used when the first is spent',
      scopes: { payments: { ...payScope, approval: 'always' } },
      facts: payment(),
      opts: {
        grants: [
          grant('payment.create:stripe', { id: 'a', usesLeft: 0 }),
          grant('payment.create:stripe', { id: 'b', usesLeft: 1 }),
        ],
      },
      expect: { outcome: 'allow', grantId: 'b' },
    },
    {
      name: 'approval always on cards → "New cards always need approval"',
      scopes: { payments: { ...payScope, approval: 'always' } },
      facts: card(),
      expect: { outcome: 'approval', reason: 'New cards always need approval', value: 'card.create:stripe' },
    },
    {
      name: 'deny rules come before approval: over maxAmount with approval always → deny',
      scopes: { payments: { ...payScope, approval: 'always' } },
      facts: payment({ amount: 20000 }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'payments.maxAmount' },
    },
    {
      name: '{above: 2500}: exactly 2500 → allow',
      scopes: { payments: { ...payScope, approval: { above: 2500 } } },
      facts: payment({ amount: 2500 }),
      expect: { outcome: 'allow' },
    },
    {
      name: '{above: 2500}: 2501 → approval "Over $25.00 USD"',
      scopes: { payments: { ...payScope, approval: { above: 2500 } } },
      facts: payment({ amount: 2501 }),
      expect: {
        outcome: 'approval',
        scope: 'payments.approval',
        limit: 2500,
        value: 2501,
        reason: 'Over $25.00 USD',
      },
    },
    {
      name: '{above} on cards compares the spending limit',
      scopes: { payments: { ...payScope, approval: { above: 2500 } } },
      facts: card({ card: { type: 'virtual', spendingLimit: { amount: 3000, interval: 'all_time' } } }),
      expect: { outcome: 'approval', value: 3000 },
    },
    {
      name: 'first-use without grant → approval',
      scopes: { payments: { ...payScope, approval: 'first-use' } },
      facts: payment(),
      expect: { outcome: 'approval', reason: 'First payment through stripe needs approval' },
    },
    {
      name: 'first-use with grant → allow',
      scopes: { payments: { ...payScope, approval: 'first-use' } },
      facts: payment(),
      opts: { grants: [grant('payment.create:stripe')] },
      expect: { outcome: 'allow', grantId: 'grt_1' },
    },
    {
      name: 'approval never + a grant → allow without spending the grant',
      scopes: { payments: { ...payScope, approval: 'never' } },
      facts: payment(),
      opts: { grants: [grant('payment.create:stripe', { usesLeft: 1 })] },
      expect: { outcome: 'allow' },
    },
  ]);
});

describe('provider scopes', () => {
  table([
    {
      name: 'allowed call → allow with rate and budget effects',
      scopes: openai,
      facts: llm({ estimatedUsd: 0.0125 }),
      expect: {
        outcome: 'allow',
        rule: 'providers.openai',
        effects: [
          {
            key: 'rate:openai',
            count: 1,
            reserveMicro: 0,
            windowStart: MINUTE_START,
            windowEnd: MINUTE_START + MINUTE_MS,
          },
          {
            key: 'budget:openai',
            count: 1,
            reserveMicro: 12500,
            windowStart: DAY_START,
            windowEnd: DAY_START + DAY_MS,
          },
        ],
      },
    },
    {
      name: 'provider not in scopes → providers.<id>',
      scopes: openai,
      facts: llm({ providerId: 'anthropic', providerKind: 'anthropic' }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'providers.anthropic', value: 'anthropic' },
    },
    ...['constructor', 'tostring', 'hasownproperty', 'valueof'].map((id): Case => ({
      name: `provider id "${id}" cannot hit Object.prototype`,
      scopes: openai,
      facts: llm({ providerId: id }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: `providers.${id}` },
    })),
    {
      name: 'method not listed → providers.openai.methods',
      scopes: openai,
      facts: llm({ method: 'GET' }),
      expect: {
        outcome: 'deny',
        code: 'scope_denied',
        scope: 'providers.openai.methods',
        limit: ['POST'],
        value: 'GET',
      },
    },
    {
      name: 'methods are case-sensitive',
      scopes: openai,
      facts: llm({ method: 'post' }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'providers.openai.methods' },
    },
    {
      name: 'path not listed → providers.openai.paths',
      scopes: openai,
      facts: llm({ path: '/embeddings' }),
      expect: {
        outcome: 'deny',
        code: 'scope_denied',
        scope: 'providers.openai.paths',
        limit: ['/chat/completions'],
        value: '/embeddings',
      },
    },
    {
      name: 'exact path pattern does not match a longer path',
      scopes: openai,
      facts: llm({ path: '/chat/completions/x' }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'providers.openai.paths' },
    },
    ...[
      ['/v1/files/1', 'allow'],
      ['/v1/', 'allow'],
      ['/v1', 'deny'],
      ['/v2/files', 'deny'],
      ['/v1/../admin', 'deny'],
      ['/v1/./x', 'deny'],
      ['/v1/%2e%2e/admin', 'deny'],
      ['/v1/%2E%2E/admin', 'deny'],
      ['/v1/a%2fb', 'deny'],
      ['/v1/a\\b', 'deny'],
      ['/v1/..', 'deny'],
      ['/v1/a..b', 'allow'],
    ].map(([path, outcome]): Case => ({
      name: `prefix pattern /v1/* and path ${path} → ${outcome}`,
      scopes: { providers: { web: { paths: ['/v1/*'] } } },
      facts: llm({ providerId: 'web', providerKind: 'http', action: 'http.request', path: path ?? '' }),
      expect:
        outcome === 'allow'
          ? { outcome: 'allow', rule: 'providers.web' }
          : { outcome: 'deny', code: 'scope_denied', scope: 'providers.web.paths' },
    })),
    {
      name: '"*" not at the end is a literal character',
      scopes: { providers: { web: { paths: ['/a/*/b'] } } },
      facts: llm({ providerId: 'web', action: 'http.request', path: '/a/x/b' }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'providers.web.paths' },
    },
    {
      name: 'model not listed → providers.openai.models with the exact message',
      scopes: openai,
      facts: llm({ model: 'gpt-4o' }),
      expect: {
        outcome: 'deny',
        code: 'scope_denied',
        scope: 'providers.openai.models',
        limit: ['gpt-4o-mini'],
        value: 'gpt-4o',
        message: 'Model "gpt-4o" is not in providers.openai.models (allowed: gpt-4o-mini).',
      },
    },
    {
      name: 'no model when models are set → refused',
      scopes: openai,
      facts: llm({ model: undefined }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'providers.openai.models', value: null },
    },
    {
      name: 'empty provider scope allows any method, path and model',
      scopes: { providers: { openai: {} } },
      facts: llm({ method: 'DELETE', path: '/files/1', model: undefined }),
      expect: { outcome: 'allow', effects: [] },
    },
    {
      name: 'non-send call to an email provider is governed by providers.<id>',
      scopes: { providers: { resend: { methods: ['GET'] } } },
      facts: mail(undefined, { action: 'http.request', method: 'GET', path: '/emails/1' }),
      expect: { outcome: 'allow', rule: 'providers.resend' },
    },
    {
      name: 'non-payment call to stripe without a provider scope → providers.stripe',
      scopes: pay,
      facts: payment({ action: 'http.request', method: 'GET', path: '/v1/balance' }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'providers.stripe' },
    },
    {
      name: 'secret.read through a provider call → refused',
      scopes: { providers: { openai: {} }, vault: { readOnly: ['crm_api_key'] } },
      facts: llm({ action: 'secret.read' }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'vault' },
    },
    {
      name: 'rate limit: 59 of 60 → allow',
      scopes: openai,
      facts: llm(),
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
      facts: llm(),
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
      facts: llm(),
      opts: { counters: new MemoryCounters().set('budget:openai', DAY_START, { spentMicro: 5_000_000 }) },
      expect: { outcome: 'deny', code: 'budget_exceeded', scope: 'providers.openai.budget', value: 5 },
    },
    {
      name: 'budget: no estimate reserves 0',
      scopes: { providers: { openai: { budget: { usd: 5, per: 'day' } } } },
      facts: llm(),
      expect: { outcome: 'allow', effects: [{ key: 'budget:openai', count: 1, reserveMicro: 0 }] },
    },
    {
      name: 'budget: negative estimate → refused',
      scopes: openai,
      facts: llm({ estimatedUsd: -1 }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'providers.openai.budget' },
    },
    {
      name: 'budget per hour uses the UTC hour window',
      scopes: { providers: { openai: { budget: { usd: 1, per: 'hour' } } } },
      facts: llm({ estimatedUsd: 0.5 }),
      expect: {
        outcome: 'allow',
        effects: [
          {
            key: 'budget:openai',
            count: 1,
            reserveMicro: 500_000,
            windowStart: HOUR_START,
            windowEnd: HOUR_START + 3600_000,
          },
        ],
      },
    },
    {
      name: 'budget per week starts Monday 00:00 UTC',
      scopes: { providers: { openai: { budget: { usd: 1, per: 'week' } } } },
      facts: llm({ estimatedUsd: 0.5 }),
      expect: {
        outcome: 'allow',
        effects: [
          {
            key: 'budget:openai',
            count: 1,
            reserveMicro: 500_000,
            windowStart: WEEK_START,
            windowEnd: WEEK_START + 7 * DAY_MS,
          },
        ],
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
        effects: [
          {
            key: 'budget:openai',
            count: 1,
            reserveMicro: 500_000,
            windowStart: MONTH_START,
            windowEnd: Date.UTC(2025, 1, 1),
          },
        ],
      },
    },
    {
      name: 'rate limit is checked before budget',
      scopes: openai,
      facts: llm({ estimatedUsd: 100 }),
      opts: { counters: counters('rate:openai', MINUTE_START, 60) },
      expect: { outcome: 'deny', code: 'rate_limited', scope: 'providers.openai.rateLimit' },
    },
    {
      name: 'provider approval {above: 50} cents: $0.50 → allow',
      scopes: { providers: { openai: { approval: { above: 50 } } } },
      facts: llm({ estimatedUsd: 0.5 }),
      expect: { outcome: 'allow' },
    },
    {
      name: 'provider approval {above: 50} cents: $0.51 → approval',
      scopes: { providers: { openai: { approval: { above: 50 } } } },
      facts: llm({ estimatedUsd: 0.51 }),
      expect: {
        outcome: 'approval',
        scope: 'providers.openai.approval',
        limit: 50,
        value: 51,
        reason: 'Estimated cost over $0.50',
      },
    },
    {
      name: 'provider approval {above}: no estimate counts as $0',
      scopes: { providers: { openai: { approval: { above: 0 } } } },
      facts: llm(),
      expect: { outcome: 'allow' },
    },
    {
      name: 'provider first-use → approval',
      scopes: { providers: { openai: { approval: 'first-use' } } },
      facts: llm(),
      expect: {
        outcome: 'approval',
        value: 'llm.request:openai',
        reason: 'First use of openai needs approval',
      },
    },
    {
      name: 'provider always → approval carries effects',
      scopes: { providers: { openai: { approval: 'always', rateLimit: { requests: 5, per: 'minute' } } } },
      facts: llm(),
      expect: {
        outcome: 'approval',
        reason: 'Calls to openai always need approval',
        effects: [{ key: 'rate:openai', count: 1, reserveMicro: 0 }],
      },
    },
    {
      name: 'budget is checked before approval',
      scopes: { providers: { openai: { approval: 'always', budget: { usd: 1, per: 'day' } } } },
      facts: llm({ estimatedUsd: 2 }),
      expect: { outcome: 'deny', code: 'budget_exceeded', scope: 'providers.openai.budget' },
    },
    {
      name: 'empty scopes refuse everything',
      scopes: {},
      facts: llm(),
      expect: { outcome: 'deny', code: 'scope_denied', scope: 'providers.openai' },
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

describe('decide() contract', () => {
  it('action keys', () => {
    expect(actionKeyOf(secret('crm_api_key'))).toBe('secret.read:crm_api_key');
    expect(actionKeyOf(mail(['a@b.co']))).toBe('email.send:resend');
    expect(actionKeyOf(payment())).toBe('payment.create:stripe');
    const d = run(openai, llm());
    expect(d.outcome === 'allow' && d.actionKey).toBe('llm.request:openai');
  });

  it('does not mutate its input (works on deeply frozen input)', () => {
    const deepFreeze = <T>(o: T): T => {
      if (o !== null && typeof o === 'object') {
        for (const v of Object.values(o)) deepFreeze(v);
        Object.freeze(o);
      }
      return o;
    };
    const agent = deepFreeze(makeAgent({ ...openai, ...mailScope, ...pay, ...vault }));
    const inputs = [
      llm({ estimatedUsd: 0.01 }),
      mail(['bob@gmail.com']),
      payment(),
      card(),
      secret('crm_api_key'),
    ].map((f) => deepFreeze(f));
    for (const facts of inputs) {
      const d = decide({ agent, facts, counters: new MemoryCounters(), grants: deepFreeze([]), now: NOW });
      expect(d.outcome).toBe('allow');
    }
  });

  it('the same input gives the same decision', () => {
    const store = new MemoryCounters().set('rate:openai', MINUTE_START, { count: 10 });
    const a = run(openai, llm({ model: 'gpt-4o' }), { counters: store });
    const b = run(openai, llm({ model: 'gpt-4o' }), { counters: store });
    expect(a).toEqual(b);
  });
});
