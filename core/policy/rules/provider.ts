// Provider scope: which calls an agent may make to one provider, how often and for how much.
//
// - methods: exact, case-sensitive (Node gives upper-case methods).
// - paths: a pattern matches the path exactly; a pattern ending in "*" matches every path that starts with the
//   text before the "*" (so "/v1/*" matches "/v1/" and "/v1/files/1"). A "*" elsewhere is a literal character.
//   When paths are set, a path with a dot segment ("/../", "/./") or an encoded ".", "/" or "\" is refused,
//   so a prefix pattern cannot be escaped.
// - models: exact match; a request without a model is refused when models are set.
// - an endpoint that mints a credential of the provider's own (minting.ts) is refused unless paths lists it
//   exactly.
// - rateLimit: fixed UTC-aligned windows, counter "rate:<providerId>".
// - budget: counter "budget:<providerId>", windows hour/day/week (Monday 00:00 UTC)/month (calendar, UTC). The
//   request's estimatedUsd is reserved: allowed only if spent + reserved + estimate <= budget. A budget that is
//   already fully used refuses even a request estimated at $0. A call that may cost (any method but GET, HEAD,
//   OPTIONS and DELETE) and that the adapter could not estimate (a batch job, a run with no model) is refused
//   under a budget: nothing bounds what it would spend.
import type { ProviderScope } from '../../../shared/scopes.ts';
import type { ProxyFacts } from '../../../shared/facts.ts';
import { formatUsd } from '../../../shared/money.ts';
import type { CounterEffect, CounterReader } from '../types.ts';
import {
  isDeny,
  limited,
  listText,
  neverFits,
  quote,
  scopeDenied,
  type CountResult,
  type Deny,
  type RuleResult,
} from '../outcome.ts';
import { secondsUntil, windowEnd, windowStart } from '../windows.ts';
import { checkCount } from './counter.ts';
import { mintsCredential } from './minting.ts';

const UNSAFE_PATH = /(?:^|\/)\.\.?(?:\/|$)|%2e|%2f|%5c|\\/i;

export function rateCounter(providerId: string): string {
  return `rate:${providerId}`;
}

export function budgetCounter(providerId: string): string {
  return `budget:${providerId}`;
}

/** Methods that read or delete: a provider does not bill them. */
const UNBILLED_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

/** True when the call may cost money and its adapter could put no bound on how much (no estimate). */
export function costUnbounded(facts: ProxyFacts): boolean {
  return facts.estimatedUsd === undefined && !UNBILLED_METHODS.has(facts.method);
}

/** True when `path` matches one of `patterns` (see the rules at the top of this file). */
export function pathAllowed(patterns: readonly string[], path: string): boolean {
  if (UNSAFE_PATH.test(path)) return false;
  for (const p of patterns) {
    if (p === path) return true;
    const last = p.length - 1;
    if (p.charCodeAt(last) === 42 /* "*" */ && path.length >= last && path.startsWith(p.slice(0, last)))
      return true;
  }
  return false;
}

function methodAllowed(methods: readonly string[], method: string): boolean {
  for (const m of methods) if (m === method) return true;
  return false;
}

const LISTED = { methods: 'Method', paths: 'Path', models: 'Model' } as const;

/** Refusal of `value` because providers.<id>.<field> does not list it. */
function notListed(id: string, field: keyof typeof LISTED, list: readonly string[], value: string): Deny {
  return scopeDenied(
    `providers.${id}.${field}`,
    list,
    value,
    `${LISTED[field]} ${quote(value)} is not in providers.${id}.${field} (allowed: ${listText(list)}).`,
  );
}

/** Refusal for a call to a provider, or the rate and budget bumps to apply when the provider scope allows it. */
export function checkProvider(
  scope: ProviderScope | undefined,
  facts: ProxyFacts,
  counters: CounterReader,
  now: number,
): RuleResult {
  const id = facts.providerId;
  // No scope for this provider: no call to it is allowed (deny by default).
  if (scope === undefined) {
    return scopeDenied(
      `providers.${id}`,
      null,
      id,
      `Provider ${quote(id)} is not in this agent's scopes (providers.${id} is not set).`,
    );
  }
  // Reading the model list (filtered to the allowlist, core/providers/model-list.ts) or one allowed model
  // shows nothing the models rule does not already grant, so method and path rules do not apply to it.
  const modelRead = facts.modelList !== undefined && scope.models !== undefined;
  if (scope.methods !== undefined && !modelRead && !methodAllowed(scope.methods, facts.method)) {
    return notListed(id, 'methods', scope.methods, facts.method);
  }
  if (scope.paths !== undefined && !modelRead && !pathAllowed(scope.paths, facts.path)) {
    return notListed(id, 'paths', scope.paths, facts.path);
  }
  // A credential the provider mints leaves our control: only where the owner listed that very path.
  if (
    mintsCredential(facts.providerKind, facts.method, facts.path) &&
    !(scope.paths ?? []).includes(facts.path)
  ) {
    return scopeDenied(
      `providers.${id}.paths`,
      scope.paths ?? null,
      facts.path,
      `${facts.method} ${facts.path} makes ${id} hand out a credential of its own, which works without Agent Keychain (no scopes, budget or audit on its use). It is forwarded only when providers.${id}.paths lists ${quote(facts.path)} exactly.`,
    );
  }
  if (
    scope.models !== undefined &&
    facts.modelList !== 'list' &&
    (facts.model === undefined || !scope.models.includes(facts.model))
  ) {
    if (facts.model !== undefined) {
      return notListed(id, 'models', scope.models, facts.model);
    }
    return scopeDenied(
      `providers.${id}.models`,
      scope.models,
      null,
      `The request names no model; providers.${id}.models is set (allowed: ${listText(scope.models)}).`,
    );
  }
  let rate: CounterEffect | undefined;
  if (scope.rateLimit !== undefined) {
    const rl = scope.rateLimit;
    const counted = checkCount(
      {
        key: rateCounter(id),
        per: rl.per,
        limit: rl.requests,
        scope: `providers.${id}.rateLimit`,
        what: 'requests',
      },
      counters,
      now,
    );
    if (isDeny(counted)) return counted;
    rate = counted;
  }
  if (scope.budget === undefined) return rate === undefined ? [] : [rate];
  const reserved = checkBudget(scope.budget, facts, counters, now);
  if (isDeny(reserved)) return reserved;
  return rate === undefined ? [reserved] : [rate, reserved];
}

/** Refusal when the call's estimate does not fit in what is left of providers.<id>.budget; otherwise the reservation. */
function checkBudget(
  budget: NonNullable<ProviderScope['budget']>,
  facts: ProxyFacts,
  counters: CounterReader,
  now: number,
): CountResult {
  const id = facts.providerId;
  const scopeName = `providers.${id}.budget`;
  if (costUnbounded(facts)) {
    return scopeDenied(
      scopeName,
      budget.usd,
      null,
      `${facts.method} ${facts.path} has no cost Agent Keychain can estimate before sending it (no model, or billed later), so under ${scopeName} it is refused: nothing would bound what it spends. Ask the owner to give this agent a scope without a budget for it.`,
    );
  }
  const estimate = facts.estimatedUsd ?? 0;
  // A negative or non-finite estimate would shrink the reservation: refuse it.
  if (!Number.isFinite(estimate) || estimate < 0) {
    return scopeDenied(
      scopeName,
      budget.usd,
      estimate,
      `The request's cost estimate is not a valid amount; ${scopeName} is ${formatUsd(budget.usd)} per ${budget.per}.`,
    );
  }
  const estimateMicro = Math.round(estimate * 1e6);
  const limitMicro = Math.round(budget.usd * 1e6);
  // An estimate above the whole budget can never fit in any window: say so, with no retry hint.
  if (estimateMicro > limitMicro) {
    return neverFits(
      'budget_exceeded',
      { scope: scopeName, limit: budget.usd, value: estimate },
      `This request is estimated at ${formatUsd(estimate)}, more than the whole ${scopeName} of ${formatUsd(budget.usd)} per ${budget.per}: it can never fit under this budget. Send a smaller request (fewer tokens, a cheaper model), or ask the owner to raise the budget.`,
    );
  }
  const key = budgetCounter(id);
  const start = windowStart(budget.per, now);
  const end = windowEnd(budget.per, start);
  const c = counters.get(key, start);
  const used = c.spentMicro + c.reservedMicro;
  // Reserve the estimate only if it still fits; a fully used budget refuses everything until the window ends.
  if (used >= limitMicro || used + estimateMicro > limitMicro) {
    const retry = secondsUntil(end, now);
    return limited(
      'budget_exceeded',
      { scope: scopeName, limit: budget.usd, value: (used + estimateMicro) / 1e6 },
      `${scopeName} exceeded: ${formatUsd(used / 1e6)} spent or reserved of ${formatUsd(budget.usd)} per ${budget.per} (UTC window), this request is estimated at ${formatUsd(estimate)}; retry in ${retry} s.`,
      retry,
    );
  }
  return { key, windowStart: start, windowEnd: end, count: 1, reserveMicro: estimateMicro };
}
