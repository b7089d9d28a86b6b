// Property-based tests of the policy engine against a deliberately simple, independent reference checker:
// (a) no request outside an agent's scopes is ever allowed (or put to the owner), and every request inside is;
// (b) every denial names the rule scope the reference says failed first, with the right code;
// (c) approval holds exactly when the reference says so.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Scopes, type ApprovalRule } from '../../shared/scopes.ts';
import type { ProxyFacts, RequestFacts } from '../../shared/facts.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import type { CounterReader, CounterValue, PolicyAgent, PolicyGrant } from '../../core/policy/types.ts';
import { decide } from '../../core/policy/engine.ts';
import { NOW } from './policy-fixtures.ts';

// ---- generators ------------------------------------------------------------------------------------------

const PROVIDER_IDS = ['openai', 'anthropic', 'resend', 'stripe', 'web', 'constructor'];
const MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-3', 'o1'];
const PATHS = [
  '/chat/completions',
  '/v1/files',
  '/v1/files/1',
  '/v1/',
  '/v1',
  '/v1/../admin',
  '/v1/%2e%2e/x',
  '/emails',
  '/a*',
  '/embeddings',
  '/realtime/sessions',
];
const PATTERNS = ['/chat/completions', '/v1/*', '/v1/files', '/emails', '/a*', '/*', '/realtime/sessions'];
const DOMAINS = ['gmail.com', 'outlook.com', 'example.com', 'mail.example.com'];
const ADDRESSES = ['bob@example.com', 'Alice@Corp.io', 'carol@gmail.com'];
const RECIPIENTS = [
  'bob@gmail.com',
  'BOB@GMAIL.COM',
  'x@outlook.com',
  'y@example.com',
  'z@mail.example.com',
  'bob@example.com',
  'alice@corp.io',
  'eve@corp.io',
  'eve@evil.com',
  'a@evil.com,b@gmail.com',
  'Eve <eve@gmail.com>',
  'gmail.com',
  'bob@@gmail.com',
  'eve@evilgmail.com',
];
const SECRETS = ['crm_api_key', 'db_password', 'CRM_API_KEY'];
const ACTIONS = [
  'llm.request',
  'http.request',
  'email.send',
  'payment.create',
  'card.create',
  'secret.read',
] as const;
const WINDOWS = ['second', 'minute', 'hour', 'day'] as const;

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
const sub = <T>(items: readonly T[]) => fc.subarray([...items], { minLength: 0 });

const approvalArb: fc.Arbitrary<ApprovalRule | undefined> = opt(
  fc.oneof(
    fc.constantFrom('never' as const, 'always' as const, 'first-use' as const),
    fc.record({ above: fc.constantFrom(0, 50, 2500, 10000) }),
  ),
);

/** Drop undefined fields so the generated object is what JSON would give. */
function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const providerScopeArb = fc
  .record({
    models: opt(sub(MODELS)),
    methods: opt(sub(['GET', 'POST', 'DELETE'] as const)),
    paths: opt(sub(PATTERNS)),
    rateLimit: opt(fc.record({ requests: fc.integer({ min: 1, max: 5 }), per: fc.constantFrom(...WINDOWS) })),
    budget: opt(
      fc.record({
        usd: fc.constantFrom(0.5, 1, 5),
        per: fc.constantFrom('hour' as const, 'day' as const, 'week' as const, 'month' as const),
      }),
    ),
    approval: approvalArb,
  })
  .map(clean);

const scopesArb = fc
  .record({
    providers: opt(fc.dictionary(fc.constantFrom(...PROVIDER_IDS), providerScopeArb, { maxKeys: 3 })),
    email: opt(
      fc
        .record({
          provider: opt(fc.constantFrom('resend', 'other')),
          allowedDomains: opt(sub(DOMAINS)),
          allowedAddresses: opt(sub(ADDRESSES)),
          dailyLimit: opt(fc.integer({ min: 1, max: 5 })),
          approval: approvalArb,
        })
        .map(clean),
    ),
    payments: opt(
      fc
        .record({
          provider: opt(fc.constantFrom('stripe', 'other')),
          maxAmount: fc.constantFrom(1000, 10000),
          currency: opt(fc.constantFrom('usd', 'eur')),
          oneTime: opt(fc.boolean()),
          dailyLimit: opt(fc.integer({ min: 1, max: 5 })),
          approval: approvalArb,
        })
        .map(clean),
    ),
    vault: opt(
      fc
        .record({
          readOnly: sub(['crm_api_key', 'db_password']),
          ttlSeconds: opt(fc.constantFrom(60, 3600)),
          approval: approvalArb,
        })
        .map(clean),
    ),
  })
  .map(clean)
  // Every generated scope must be a valid Scopes value: the engine only ever sees parsed scopes.
  .map((s) => Scopes.parse(s));

const proxyFactsArb: fc.Arbitrary<ProxyFacts> = fc
  .record({
    type: fc.constant('proxy' as const),
    providerId: fc.constantFrom(...PROVIDER_IDS, 'other', 'tostring'),
    providerKind: fc.constantFrom('openai' as const, 'stripe' as const, 'resend' as const, 'http' as const),
    method: fc.constantFrom('GET', 'POST', 'DELETE', 'post'),
    path: fc.constantFrom(...PATHS),
    action: fc.constantFrom(...ACTIONS),
    model: opt(fc.constantFrom(...MODELS)),
    estimatedUsd: opt(fc.constantFrom(0, 0.001, 0.3, 0.5, 0.51, 1, 4.99, 25, -1)),
    recipients: opt(fc.array(fc.constantFrom(...RECIPIENTS), { maxLength: 3 })),
    amount: opt(fc.constantFrom(-1, 0, 999, 1000, 1001, 2500, 2501, 10000, 10001, 10.5)),
    currency: opt(fc.constantFrom('usd', 'USD', 'eur')),
    oneTime: opt(fc.boolean()),
    card: opt(
      fc
        .record({
          type: fc.constantFrom('virtual', 'physical'),
          spendingLimit: opt(
            fc.record({
              amount: fc.constantFrom(500, 1000, 1001, 10000, 20000),
              interval: fc.constantFrom('all_time', 'per_authorization', 'monthly'),
            }),
          ),
        })
        .map(clean),
    ),
  })
  .map(clean);

const factsArb: fc.Arbitrary<RequestFacts> = fc.oneof(
  { weight: 4, arbitrary: proxyFactsArb },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('secret' as const),
      action: fc.constant('secret.read' as const),
      name: fc.constantFrom(...SECRETS),
    }),
  },
);

const pick = <T>(items: readonly T[], fallback: readonly T[]) =>
  fc.constantFrom(...(items.length > 0 ? items : fallback));

/** Facts drawn from the scopes' own values, so that many requests land inside (or just outside) them. */
function nearFactsArb(scopes: Scopes): fc.Arbitrary<RequestFacts> {
  const providers = Object.entries(scopes.providers ?? {});
  const e = scopes.email;
  const p = scopes.payments;
  const base = {
    type: fc.constant('proxy' as const),
    providerKind: fc.constant('http' as const),
    method: fc.constant('POST'),
    path: fc.constant('/x'),
  };
  const provider: fc.Arbitrary<RequestFacts> = pick(providers, [['openai', {}] as const]).chain(([id, ps]) =>
    fc
      .record({
        ...base,
        providerId: fc.constant(id),
        action: fc.constantFrom('llm.request' as const, 'http.request' as const),
        method: pick(ps.methods ?? [], ['GET', 'POST']),
        path: pick(
          (ps.paths ?? []).map((x) => (x.endsWith('*') ? x.slice(0, -1) + 'more' : x)),
          PATHS,
        ),
        model: opt(pick(ps.models ?? [], MODELS)),
        estimatedUsd: opt(fc.constantFrom(0, 0.001, 0.3, 0.6)),
      })
      .map(clean),
  );
  // Allowed recipients, plus near misses: subdomains, look-alike suffixes, parent domains, other local parts.
  const recipients = [
    ...(e?.allowedAddresses ?? []).flatMap((a) => [a.toLowerCase(), a.toUpperCase(), `x${a.toLowerCase()}`]),
    ...(e?.allowedDomains ?? []).flatMap((d) => [
      `u@${d}`,
      `u@${d}`,
      `U@${d.toUpperCase()}`,
      `u@sub.${d}`,
      `u@x${d}`,
      `u@${d.slice(d.indexOf('.') + 1)}`,
    ]),
  ];
  const email: fc.Arbitrary<RequestFacts> = fc.record({
    ...base,
    providerId: fc.constant(e?.provider ?? 'resend'),
    action: fc.constant('email.send' as const),
    recipients: fc.array(pick(recipients, RECIPIENTS), { minLength: 1, maxLength: 3 }),
  });
  const money = {
    ...base,
    providerId: fc.constant(p?.provider ?? 'stripe'),
    currency: fc.constant(p?.currency ?? 'usd'),
  };
  const max = p?.maxAmount ?? 1000;
  const payment: fc.Arbitrary<RequestFacts> = fc.record({
    ...money,
    action: fc.constant('payment.create' as const),
    amount: fc.constantFrom(0, 999, max, max + 1),
    oneTime: fc.constant(true),
  });
  const card: fc.Arbitrary<RequestFacts> = fc.record({
    ...money,
    action: fc.constant('card.create' as const),
    card: fc.record({
      type: fc.constant('virtual'),
      spendingLimit: fc.record({
        amount: fc.constantFrom(1, max, max + 1),
        interval: fc.constantFrom('all_time', 'per_authorization', 'monthly'),
      }),
    }),
  });
  const secret: fc.Arbitrary<RequestFacts> = fc.record({
    type: fc.constant('secret' as const),
    action: fc.constant('secret.read' as const),
    name: pick(scopes.vault?.readOnly ?? [], SECRETS),
  });
  // Prefer the sections these scopes actually have.
  const present = [
    ...(providers.length > 0 ? [provider] : []),
    ...(e !== undefined ? [email] : []),
    ...(p !== undefined ? [payment, card] : []),
    ...(scopes.vault !== undefined ? [secret] : []),
  ];
  return present.length > 0 ? fc.oneof(...present) : fc.oneof(provider, email, payment, card, secret);
}

const COUNTER_KEYS = [
  ...PROVIDER_IDS.flatMap((id) => [`rate:${id}`, `budget:${id}`]),
  'email:day',
  'payments:day',
];

const counterArb = fc.record({
  count: fc.constantFrom(0, 0, 0, 1, 2, 4, 5, 6),
  reservedMicro: fc.constantFrom(0, 0, 200_000, 1_000_000),
  spentMicro: fc.constantFrom(0, 0, 300_000, 4_990_000, 5_000_000),
});

const worldArb = scopesArb.chain((scopes) =>
  fc.record({
    scopes: fc.constant(scopes),
    facts: fc.oneof({ weight: 1, arbitrary: factsArb }, { weight: 2, arbitrary: nearFactsArb(scopes) }),
    status: fc.oneof(
      { weight: 8, arbitrary: fc.constant('active' as const) },
      { weight: 1, arbitrary: fc.constantFrom('suspended' as const, 'revoked' as const) },
    ),
    expiresIn: fc.oneof(
      { weight: 8, arbitrary: fc.constant(undefined) },
      { weight: 2, arbitrary: fc.constantFrom(-1000, 0, 1000) },
    ),
    setAgo: fc.constantFrom(0, 59_999, 60_000, 3_599_999, 3_600_000),
    // Counters for the scopes' own providers, so that limits are actually reached.
    counters: fc.dictionary(
      fc.constantFrom(
        ...Object.keys(scopes.providers ?? {}).flatMap((id) => [`rate:${id}`, `budget:${id}`]),
        ...COUNTER_KEYS.slice(-4),
      ),
      counterArb,
      { maxKeys: 3 },
    ),
    grants: fc.array(
      fc.record({
        id: fc.constantFrom('g1', 'g2'),
        actionKey: fc.constantFrom(
          'llm.request:openai',
          'email.send:resend',
          'payment.create:stripe',
          'card.create:stripe',
          'secret.read:crm_api_key',
        ),
        constraint: fc.constant(null),
        usesLeft: fc.constantFrom(null, 0, 1),
        expiresAt: fc.constantFrom(null, NOW - 1, NOW, NOW + 1),
      }),
      { maxLength: 2 },
    ),
    approved: fc.constantFrom(false, false, false, true),
  }),
);

// ---- the reference checker -------------------------------------------------------------------------------
// Written independently of core/policy: plain predicates in the documented order, first failure wins.

interface Verdict {
  ok: boolean;
  scope?: string;
  code?: ErrorCode;
  approval?: { rule: ApprovalRule | undefined; amount: number | undefined };
  actionKey?: string;
  counters?: string[];
}

const ZERO: CounterValue = { count: 0, reservedMicro: 0, spentMicro: 0 };
const fail = (scope: string, code: ErrorCode = 'scope_denied'): Verdict => ({ ok: false, scope, code });

function plainRecipient(r: string): boolean {
  const parts = r.split('@');
  return parts.length === 2 && parts[0] !== '' && parts[1] !== '' && !/[\s,;<>()[\]\\:"]/.test(r);
}

function safePath(path: string): boolean {
  return !path.split('/').some((seg) => seg === '.' || seg === '..') && !/%2e|%2f|%5c|\\/i.test(path);
}

function reference(
  agent: PolicyAgent,
  facts: RequestFacts,
  c: Record<string, CounterValue>,
  now: number,
): Verdict {
  const get = (k: string) => c[k] ?? ZERO;
  if (agent.status === 'revoked') return fail('agent.status', 'revoked');
  if (agent.status === 'suspended') return fail('agent.status', 'suspended');
  if (agent.expiresAt !== null && now >= agent.expiresAt) return fail('agent.expiresAt', 'expired');
  const s = agent.scopes;

  if (facts.type === 'secret') {
    const v = s.vault;
    if (!v) return fail('vault');
    if (!v.readOnly.some((n) => n === facts.name)) return fail('vault.readOnly');
    if (v.ttlSeconds !== undefined && now - agent.scopesSetAt >= v.ttlSeconds * 1000)
      return fail('vault.ttlSeconds');
    return {
      ok: true,
      approval: { rule: v.approval, amount: undefined },
      actionKey: `secret.read:${facts.name}`,
      counters: [],
    };
  }

  const key = `${facts.action}:${facts.providerId}`;
  if (facts.action === 'secret.read') return fail('vault');

  if (facts.action === 'email.send') {
    const e = s.email;
    if (!e) return fail('email');
    if (e.provider && e.provider !== facts.providerId) return fail('email.provider');
    const rs = facts.recipients ?? [];
    if (rs.length === 0) return fail('email');
    const bad = rs.find((raw) => {
      const r = raw.toLowerCase();
      if (!plainRecipient(r)) return true;
      const inAddresses = (e.allowedAddresses ?? []).map((a) => a.toLowerCase()).includes(r);
      const inDomains = (e.allowedDomains ?? []).includes(r.split('@')[1] ?? '');
      return !inAddresses && !inDomains;
    });
    if (bad !== undefined)
      return fail(
        e.allowedDomains === undefined && e.allowedAddresses !== undefined
          ? 'email.allowedAddresses'
          : 'email.allowedDomains',
      );
    if (e.dailyLimit !== undefined && get('email:day').count + 1 > e.dailyLimit)
      return fail('email.dailyLimit', 'rate_limited');
    return {
      ok: true,
      approval: { rule: e.approval, amount: undefined },
      actionKey: key,
      counters: e.dailyLimit ? ['email:day'] : [],
    };
  }

  if (facts.action === 'payment.create' || facts.action === 'card.create') {
    const p = s.payments;
    if (!p) return fail('payments');
    if (p.provider && p.provider !== facts.providerId) return fail('payments.provider');
    const isCard = facts.action === 'card.create';
    if (isCard && facts.card?.type !== 'virtual') return fail('payments.card.type');
    const amount = isCard ? facts.card?.spendingLimit?.amount : facts.amount;
    if (amount === undefined || !Number.isInteger(amount) || amount < 0 || amount > p.maxAmount)
      return fail('payments.maxAmount');
    if (p.currency && facts.currency?.toLowerCase() !== p.currency) return fail('payments.currency');
    if (p.oneTime === true) {
      if (isCard && !['all_time', 'per_authorization'].includes(facts.card?.spendingLimit?.interval ?? ''))
        return fail('payments.oneTime');
      if (!isCard && facts.oneTime !== true) return fail('payments.oneTime');
    }
    if (p.dailyLimit !== undefined && get('payments:day').count >= p.dailyLimit)
      return fail('payments.dailyLimit', 'rate_limited');
    return {
      ok: true,
      approval: { rule: p.approval, amount },
      actionKey: key,
      counters: p.dailyLimit ? ['payments:day'] : [],
    };
  }

  const id = facts.providerId;
  const entry = Object.entries(s.providers ?? {}).find(([k]) => k === id);
  if (!entry) return fail(`providers.${id}`);
  const ps = entry[1];
  if (ps.methods && !ps.methods.some((m) => m === facts.method)) return fail(`providers.${id}.methods`);
  if (ps.paths) {
    const matches = ps.paths.some((p) =>
      p.endsWith('*') ? facts.path.startsWith(p.slice(0, -1)) : p === facts.path,
    );
    if (!matches || !safePath(facts.path)) return fail(`providers.${id}.paths`);
  }
  // OpenAI's realtime sessions mint a credential: only where paths list the path itself.
  const mints =
    facts.providerKind === 'openai' && facts.method === 'POST' && facts.path === '/realtime/sessions';
  if (mints && !(ps.paths ?? []).includes(facts.path)) return fail(`providers.${id}.paths`);
  if (ps.models && !ps.models.some((m) => m === facts.model)) return fail(`providers.${id}.models`);
  if (ps.rateLimit && get(`rate:${id}`).count >= ps.rateLimit.requests)
    return fail(`providers.${id}.rateLimit`, 'rate_limited');
  const est = facts.estimatedUsd ?? 0;
  // A call that may cost (not a read or a delete) with no estimate has no bound on what it spends.
  const unbounded =
    facts.estimatedUsd === undefined && !['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(facts.method);
  if (ps.budget) {
    if (unbounded) return fail(`providers.${id}.budget`);
    if (est < 0) return fail(`providers.${id}.budget`);
    const b = get(`budget:${id}`);
    const used = b.spentMicro + b.reservedMicro;
    const cap = ps.budget.usd * 1_000_000;
    if (used >= cap || used + Math.round(est * 1_000_000) > cap)
      return fail(`providers.${id}.budget`, 'budget_exceeded');
  }
  const counters = [...(ps.rateLimit ? [`rate:${id}`] : []), ...(ps.budget ? [`budget:${id}`] : [])];
  return {
    ok: true,
    approval: { rule: ps.approval, amount: unbounded ? undefined : Math.round(est * 100 * 1e6) / 1e6 },
    actionKey: key,
    counters,
  };
}

function referenceNeedsApproval(v: Verdict): boolean {
  const rule = v.approval?.rule;
  if (rule === undefined || rule === 'never') return false;
  if (rule === 'always' || rule === 'first-use') return true;
  return v.approval?.amount === undefined || v.approval.amount > rule.above;
}

function referenceGrant(grants: PolicyGrant[], key: string, now: number): PolicyGrant | undefined {
  return grants.find(
    (g) =>
      g.actionKey === key &&
      (g.expiresAt === null || now < g.expiresAt) &&
      (g.usesLeft === null || g.usesLeft >= 1),
  );
}

// ---- properties ------------------------------------------------------------------------------------------

describe('policy engine properties', () => {
  it('decides exactly like the reference checker: outside → deny naming the first failed rule; inside → allow or approval', () => {
    const tally = { allow: 0, deny: 0, approval: 0 };
    fc.assert(
      fc.property(worldArb, (w) => {
        const agent: PolicyAgent = {
          id: 'agt_p',
          name: 'prop',
          status: w.status,
          expiresAt: w.expiresIn === undefined ? null : NOW + w.expiresIn,
          scopes: w.scopes,
          scopesSetAt: NOW - w.setAgo,
        };
        // Counters here ignore the window start: the reference needs no window arithmetic.
        const counters: CounterReader = { get: (key) => w.counters[key] ?? ZERO };
        const grants = w.grants as PolicyGrant[];
        const d = decide({ agent, facts: w.facts, counters, grants, now: NOW, approved: w.approved });
        const ref = reference(agent, w.facts, w.counters, NOW);
        tally[d.outcome]++;

        if (!ref.ok) {
          // (a) nothing outside the scopes is allowed or even put to the owner; (b) the right rule is named.
          expect(d.outcome).toBe('deny');
          if (d.outcome !== 'deny') return;
          expect(d.rule.scope).toBe(ref.scope);
          expect(d.code).toBe(ref.code);
          expect(d.message).not.toBe('');
          return;
        }
        expect(d.outcome).not.toBe('deny');
        if (d.outcome === 'deny') return;
        expect(d.actionKey).toBe(ref.actionKey);
        expect(d.effects.map((e) => e.key)).toEqual(ref.counters);
        expect(
          d.effects.every(
            (e) => e.count === 1 && e.reserveMicro >= 0 && e.windowEnd > NOW && e.windowStart <= NOW,
          ),
        ).toBe(true);
        // (c) approval exactly when a rule holds the request and neither the owner nor a grant has answered it.
        const needs = referenceNeedsApproval(ref) && !w.approved;
        const g = needs ? referenceGrant(grants, ref.actionKey ?? '', NOW) : undefined;
        if (needs && g === undefined) {
          expect(d.outcome).toBe('approval');
        } else {
          expect(d.outcome).toBe('allow');
          if (d.outcome === 'allow') expect(d.grantId).toBe(g?.id);
        }
      }),
      { numRuns: 5000 },
    );
    // The generators reach every outcome, so the property is not vacuous.
    expect(tally.allow).toBeGreaterThan(400);
    expect(tally.approval).toBeGreaterThan(100);
    expect(tally.deny).toBeGreaterThan(1500);
  });

  it('an agent with empty scopes is refused everything', () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const agent: PolicyAgent = {
          id: 'agt_e',
          name: 'empty',
          status: 'active',
          expiresAt: null,
          scopes: {},
          scopesSetAt: NOW,
        };
        const d = decide({
          agent,
          facts,
          counters: { get: () => ZERO },
          grants: [],
          now: NOW,
          approved: true,
        });
        expect(d.outcome).toBe('deny');
      }),
      { numRuns: 500 },
    );
  });
});
