// Inputs and outputs of the policy engine. The engine is a pure function: it reads counters through
// CounterReader and returns the counter effects to apply; the caller applies them in the same
// synchronous step, so concurrent requests can never both pass a limit.
import type { Scopes } from '../../shared/scopes.ts';
import type { RequestFacts } from '../../shared/facts.ts';
import type { ErrorCode, RuleRef } from '../../shared/errors.ts';
import type { GrantConstraint } from './grant-match.ts';

export interface PolicyAgent {
  id: string;
  name: string;
  status: 'active' | 'suspended' | 'revoked';
  /** Epoch ms, or null for no expiry. */
  expiresAt: number | null;
  scopes: Scopes;
  /** Epoch ms when the scopes were last set (vault ttlSeconds counts from here). */
  scopesSetAt: number;
}

export interface CounterValue {
  count: number;
  reservedMicro: number;
  spentMicro: number;
}

export interface CounterReader {
  get(key: string, windowStart: number): CounterValue;
}

/** One counter bump to apply when the request is allowed. */
export interface CounterEffect {
  key: string;
  windowStart: number;
  windowEnd: number;
  count: number;
  /** Budget reservation in micro-dollars, settled against the real cost after the response. */
  reserveMicro: number;
}

/** A remembered approval: agent × action key × constraint, for a time or a number of uses. */
export interface PolicyGrant {
  id: string;
  actionKey: string;
  /** What within the action it covers (see grant-match.ts); null: the whole action key (first-use). */
  constraint: GrantConstraint | null;
  usesLeft: number | null;
  expiresAt: number | null;
}

export interface PolicyInput {
  agent: PolicyAgent;
  facts: RequestFacts;
  counters: CounterReader;
  grants: readonly PolicyGrant[];
  /** Epoch ms. */
  now: number;
  /** True when the owner has just approved this very request: the approval rule is satisfied. */
  approved?: boolean;
  /** Digest of the exact request (method, path, query, billing headers, body), for grants bound to one request. */
  digest?: string;
}

export type PolicyDecision =
  | { outcome: 'allow'; rule: string; actionKey: string; effects: CounterEffect[]; grantId?: string }
  | { outcome: 'deny'; code: ErrorCode; rule: RuleRef; message: string; retryAfterSeconds?: number }
  | { outcome: 'approval'; rule: RuleRef; reason: string; actionKey: string; effects: CounterEffect[] };
