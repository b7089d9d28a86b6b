// The policy engine (README "Scopes"). decide() is pure: no I/O, no clock (time is input.now), no mutation of its
// input. Deny by default: a request is allowed only when a scope names it and every rule of that scope passes.
//
// Order: agent status → expiry → the scope for the facts (every deny rule, limits included) → approval.
// The owner is never asked about a request that would be refused anyway.
import type { ProxyFacts } from '../../shared/facts.ts';
import type { ApprovalRule, Scopes } from '../../shared/scopes.ts';
import type { PolicyDecision, PolicyInput } from './types.ts';
import { deny, isDeny, scopeDenied, type RuleResult } from './outcome.ts';
import { checkSecret } from './rules/secret.ts';
import { checkEmail } from './rules/email.ts';
import { checkPayment, paymentAmount } from './rules/payments.ts';
import { checkProvider, costUnbounded } from './rules/provider.ts';
import { checkBilling } from './rules/billing.ts';
import { approvalReason, liveGrant, needsApproval, type ApprovalSubject } from './rules/approval.ts';

/** The key grants are remembered under: `${action}:${providerId}` for proxy calls, `secret.read:${name}` for secrets. */
export function actionKeyOf(facts: PolicyInput['facts']): string {
  return facts.type === 'secret' ? `secret.read:${facts.name}` : `${facts.action}:${facts.providerId}`;
}

/** The provider scope for `providerId`, own properties only (so "constructor" or "toString" never match). */
function providerScope(scopes: Scopes, providerId: string) {
  const providers = scopes.providers;
  return providers !== undefined && Object.hasOwn(providers, providerId) ? providers[providerId] : undefined;
}

/** What the scope checks found (a refusal or the counter bumps), which approval rule applies and what it compares. */
interface Checked {
  result: RuleResult;
  subject: ApprovalSubject;
  scopeName: string;
  approval: ApprovalRule | undefined;
  quantity: number | undefined;
}

function checkProxy(input: PolicyInput, facts: ProxyFacts): Checked {
  const scopes = input.agent.scopes;
  const { counters, now } = input;
  // Who pays comes first: a call re-pointed to an account no scope names is refused whatever else it does.
  const billing = checkBilling(scopes, facts);
  if (billing !== null) {
    return {
      result: billing,
      subject: 'provider',
      scopeName: 'payments',
      approval: undefined,
      quantity: undefined,
    };
  }
  switch (facts.action) {
    case 'email.send':
      return {
        subject: 'email',
        scopeName: 'email',
        approval: scopes.email?.approval,
        quantity: undefined,
        result: checkEmail(scopes.email, facts, counters, now),
      };
    case 'payment.create':
    case 'card.create':
      return {
        subject: 'payments',
        scopeName: 'payments',
        approval: scopes.payments?.approval,
        quantity: paymentAmount(facts),
        result: checkPayment(scopes.payments, facts, counters, now),
      };
    case 'secret.read':
      // Secrets are read through /v1/secrets, never through a provider.
      return {
        subject: 'secret',
        scopeName: 'vault',
        approval: undefined,
        quantity: undefined,
        result: scopeDenied(
          'vault',
          null,
          facts.providerId,
          'Reading a secret through a provider call is refused: secrets are read from /v1/secrets under the vault scope.',
        ),
      };
    default: {
      const scope = providerScope(scopes, facts.providerId);
      return {
        subject: 'provider',
        scopeName: `providers.${facts.providerId}`,
        approval: scope?.approval,
        // {above: N} for provider calls compares the estimate in cents; a call whose cost has no bound has no
        // amount to compare, so the rule holds it.
        quantity: costUnbounded(facts) ? undefined : (facts.estimatedUsd ?? 0) * 100,
        result: checkProvider(scope, facts, counters, now),
      };
    }
  }
}

/**
 * Decide one request. Grants access only when the agent is active and unexpired and its scope for the facts
 * allows the request; otherwise denies with the rule that refused it. An allowed request that an approval rule
 * holds comes back as 'approval' unless input.approved is true or a live grant covers its action key (then
 * 'allow' with grantId: the caller spends one use). The caller applies the returned counter effects.
 */
export function decide(input: PolicyInput): PolicyDecision {
  const { agent, facts, now } = input;
  // Status first: a revoked or suspended agent gets nothing, whatever its scopes say.
  if (agent.status === 'revoked') {
    return deny(
      'revoked',
      { scope: 'agent.status', limit: 'active', value: 'revoked' },
      `Agent ${agent.name} has been revoked.`,
    );
  }
  if (agent.status !== 'active') {
    return deny(
      'suspended',
      { scope: 'agent.status', limit: 'active', value: agent.status },
      `Agent ${agent.name} is suspended.`,
    );
  }
  // Expiry: the credential dies at expiresAt (that instant included).
  if (agent.expiresAt !== null && agent.expiresAt <= now) {
    const at = new Date(agent.expiresAt).toISOString();
    return deny(
      'expired',
      { scope: 'agent.expiresAt', limit: at, value: new Date(now).toISOString() },
      `Agent ${agent.name} expired at ${at}.`,
    );
  }

  const checked: Checked =
    facts.type === 'secret'
      ? {
          subject: 'secret',
          scopeName: 'vault',
          approval: agent.scopes.vault?.approval,
          quantity: undefined,
          // Reading a secret counts nothing: allowed means no counter bumps.
          result: checkSecret(agent.scopes.vault, facts.name, agent.scopesSetAt, now) ?? [],
        }
      : checkProxy(input, facts);
  if (isDeny(checked.result)) return checked.result;
  const effects = checked.result;

  const actionKey = actionKeyOf(facts);
  // Every deny rule has passed; now the approval rule decides whether the owner is asked.
  if (!needsApproval(checked.approval, checked.quantity) || input.approved === true) {
    return { outcome: 'allow', rule: checked.scopeName, actionKey, effects };
  }
  // A remembered approval for the same action, whose constraint covers this request, stands in for the owner.
  const grant = liveGrant(input, actionKey);
  if (grant !== undefined) {
    return { outcome: 'allow', rule: checked.scopeName, actionKey, effects, grantId: grant.id };
  }
  const { rule, reason } = approvalReason({
    rule: checked.approval ?? 'always',
    subject: checked.subject,
    scopeName: checked.scopeName,
    actionKey,
    quantity: checked.quantity,
    facts,
  });
  return { outcome: 'approval', rule, reason, actionKey, effects };
}
