// Approval rules: when an allowed request must still wait for the owner.
//
// - "never" (or no rule): no approval.
// - "always": every request needs approval.
// - "first-use": needs approval unless a live grant exists for the action key (the approvals module should
//   remember a first-use approval as a grant with no expiry and no use limit).
// - {above: N}: payments — the amount (or a card's spending limit) in minor units is over N; provider calls —
//   the estimated cost in cents (estimatedUsd * 100, 0 when absent) is over N. Email and vault requests have no
//   amount to compare, so {above} there holds every request (the safe reading of an owner's rule).
// A live grant (same action key, not expired, uses left) or input.approved satisfies any approval rule.
import type { ApprovalRule } from '../../../shared/scopes.ts';
import type { RuleRef } from '../../../shared/errors.ts';
import type { ProxyFacts } from '../../../shared/facts.ts';
import { formatMinor, formatUsd } from '../../../shared/money.ts';
import type { RequestFacts } from '../../../shared/facts.ts';
import type { PolicyGrant, PolicyInput } from '../types.ts';
import { grantCovers } from '../grant-match.ts';
import { grantLive } from '../../../shared/grant-live.ts';

export type ApprovalSubject = 'email' | 'payments' | 'provider' | 'secret';

/**
 * Whether `rule` holds this request for the owner. `quantity` is the amount the {above} rule compares (minor
 * units for payments, cents for provider calls), or undefined where there is none.
 */
export function needsApproval(rule: ApprovalRule | undefined, quantity: number | undefined): boolean {
  if (rule === undefined || rule === 'never') return false;
  if (typeof rule === 'string') return true;
  // No amount to compare: hold it rather than guess.
  return quantity === undefined || quantity > rule.above;
}

/** The first of `input.grants` live for `actionKey` whose constraint covers this request (see grant-match.ts). */
export function liveGrant(
  input: Pick<PolicyInput, 'grants' | 'facts' | 'digest' | 'now'>,
  actionKey: string,
): PolicyGrant | undefined {
  const { facts, digest, now } = input;
  for (const g of input.grants) {
    if (g.actionKey !== actionKey || !grantLive(g, now)) continue;
    if (grantCovers(g.constraint, facts, digest)) return g;
  }
  return undefined;
}

/** A request that an approval rule holds: which rule, under which scope, comparing what. */
export interface HeldCase {
  rule: ApprovalRule;
  subject: ApprovalSubject;
  scopeName: string;
  actionKey: string;
  quantity: number | undefined;
  facts: RequestFacts;
}

/** Rule reference and reason in words for a held request. Only called off the allow path. */
export function approvalReason(held: HeldCase): { rule: RuleRef; reason: string } {
  const { rule, subject, scopeName, actionKey, quantity } = held;
  const facts: ProxyFacts | null = held.facts.type === 'proxy' ? held.facts : null;
  const secretName = held.facts.type === 'secret' ? held.facts.name : null;
  const ref = `${scopeName}.approval`;
  if (rule === 'first-use') {
    const reason =
      subject === 'email'
        ? 'First use of the email API needs approval'
        : subject === 'payments'
          ? `First ${facts?.action === 'card.create' ? 'card' : 'payment'} through ${facts?.providerId ?? 'this provider'} needs approval`
          : subject === 'provider'
            ? `First use of ${facts?.providerId ?? 'this provider'} needs approval`
            : `First read of secret ${secretName ?? ''} needs approval`;
    return { rule: { scope: ref, limit: 'first-use', value: actionKey }, reason };
  }
  if (typeof rule === 'object') {
    if (quantity !== undefined) {
      const over =
        subject === 'payments'
          ? `Over ${formatMinor(rule.above, facts?.currency ?? '')}`
          : `Estimated cost over ${formatUsd(rule.above / 100)}`;
      return { rule: { scope: ref, limit: rule.above, value: quantity }, reason: over };
    }
    return {
      rule: { scope: ref, limit: rule.above, value: null },
      reason: `${scopeName}.approval is {above: ${rule.above}}, but this request has no amount to compare, so it needs approval`,
    };
  }
  const reason =
    subject === 'email'
      ? 'Emails always need approval'
      : subject === 'payments'
        ? facts?.action === 'card.create'
          ? 'New cards always need approval'
          : 'Payments always need approval'
        : subject === 'provider'
          ? `Calls to ${facts?.providerId ?? 'this provider'} always need approval`
          : 'Reading secrets always needs approval';
  return { rule: { scope: ref, limit: 'always', value: actionKey }, reason };
}
