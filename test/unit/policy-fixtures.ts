// Test fixtures for the policy engine: an in-memory counter store with the same (key, windowStart) keying as the
// SQLite counters table, and small builders for agents and facts.
import type { Scopes } from '../../shared/scopes.ts';
import type { ProxyFacts, SecretFacts } from '../../shared/facts.ts';
import type {
  CounterEffect,
  CounterReader,
  CounterValue,
  PolicyAgent,
  PolicyDecision,
  PolicyGrant,
} from '../../core/policy/types.ts';
import { decide } from '../../core/policy/engine.ts';

/** Wednesday 2025-01-15 12:30:15.500 UTC. */
export const NOW = Date.UTC(2025, 0, 15, 12, 30, 15, 500);

export class MemoryCounters implements CounterReader {
  private readonly rows = new Map<string, CounterValue>();

  get(key: string, windowStart: number): CounterValue {
    return this.rows.get(`${key}|${windowStart}`) ?? { count: 0, reservedMicro: 0, spentMicro: 0 };
  }

  set(key: string, windowStart: number, value: Partial<CounterValue>): this {
    this.rows.set(`${key}|${windowStart}`, { ...this.get(key, windowStart), ...value });
    return this;
  }

  apply(effects: readonly CounterEffect[]): void {
    for (const e of effects) {
      const v = this.get(e.key, e.windowStart);
      this.set(e.key, e.windowStart, {
        count: v.count + e.count,
        reservedMicro: v.reservedMicro + e.reserveMicro,
      });
    }
  }
}

export function makeAgent(scopes: Scopes, over: Partial<PolicyAgent> = {}): PolicyAgent {
  return {
    id: 'agt_test',
    name: 'mail-bot',
    status: 'active',
    expiresAt: null,
    scopes,
    scopesSetAt: NOW - 60_000,
    ...over,
  };
}

export function llm(over: Partial<ProxyFacts> = {}): ProxyFacts {
  return {
    type: 'proxy',
    providerId: 'openai',
    providerKind: 'openai',
    method: 'POST',
    path: '/chat/completions',
    action: 'llm.request',
    model: 'gpt-4o-mini',
    ...over,
  };
}

export function mail(recipients: string[] | undefined, over: Partial<ProxyFacts> = {}): ProxyFacts {
  return {
    type: 'proxy',
    providerId: 'resend',
    providerKind: 'resend',
    method: 'POST',
    path: '/emails',
    action: 'email.send',
    ...(recipients !== undefined ? { recipients } : {}),
    ...over,
  };
}

export function payment(over: Partial<ProxyFacts> = {}): ProxyFacts {
  return {
    type: 'proxy',
    providerId: 'stripe',
    providerKind: 'stripe',
    method: 'POST',
    path: '/v1/payment_intents',
    action: 'payment.create',
    amount: 4200,
    currency: 'usd',
    oneTime: true,
    ...over,
  };
}

export function card(over: Partial<ProxyFacts> = {}): ProxyFacts {
  return {
    type: 'proxy',
    providerId: 'stripe',
    providerKind: 'stripe',
    method: 'POST',
    path: '/v1/issuing/cards',
    action: 'card.create',
    currency: 'usd',
    card: { type: 'virtual', spendingLimit: { amount: 5000, interval: 'all_time' } },
    ...over,
  };
}

export function secret(name: string): SecretFacts {
  return { type: 'secret', action: 'secret.read', name };
}

export interface RunOptions {
  counters?: CounterReader;
  grants?: PolicyGrant[];
  now?: number;
  approved?: boolean;
  agent?: Partial<PolicyAgent>;
}

export function run(scopes: Scopes, facts: ProxyFacts | SecretFacts, opts: RunOptions = {}): PolicyDecision {
  return decide({
    agent: makeAgent(scopes, opts.agent),
    facts,
    counters: opts.counters ?? new MemoryCounters(),
    grants: opts.grants ?? [],
    now: opts.now ?? NOW,
    ...(opts.approved !== undefined ? { approved: opts.approved } : {}),
  });
}
