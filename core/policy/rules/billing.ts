// Who pays and on whose behalf: headers that re-point a call to another account pass only when a scope names
// the account. Refused, never dropped: silently dropping Stripe-Account would make a payment meant for a
// connected account on the platform account instead.
//
// - Stripe-Account (facts.account): allowed only when payments.accounts lists it (payments or not, any call).
// - OpenAI-Organization / OpenAI-Project (facts.organization / facts.project): allowed only when
//   providers.<id>.organizations / .projects lists it.
import type { Scopes } from '../../../shared/scopes.ts';
import type { ProxyFacts } from '../../../shared/facts.ts';
import { listText, quote, scopeDenied, type Deny } from '../outcome.ts';

/** The OpenAI headers that choose who is billed, each allowed by its list in providers.<id>. */
const BILLING_HEADERS = [
  { header: 'OpenAI-Organization', fact: 'organization', field: 'organizations' },
  { header: 'OpenAI-Project', fact: 'project', field: 'projects' },
] as const;

function listed(list: readonly string[] | undefined, value: string): boolean {
  return list !== undefined && list.includes(value);
}

/** Refusal when the request names an account, organization or project no scope allows; otherwise null. */
export function checkBilling(scopes: Scopes, facts: ProxyFacts): Deny | null {
  if (facts.account !== undefined && !listed(scopes.payments?.accounts, facts.account)) {
    const allowed = scopes.payments?.accounts ?? [];
    return scopeDenied(
      'payments.accounts',
      allowed,
      facts.account,
      `The Stripe-Account header names ${quote(facts.account)}, which is not in payments.accounts (allowed: ${listText(allowed)}). Add the account to payments.accounts to let this agent act for it.`,
    );
  }
  if (facts.organization === undefined && facts.project === undefined) return null;
  const providers = scopes.providers;
  const scope =
    providers !== undefined && Object.hasOwn(providers, facts.providerId)
      ? providers[facts.providerId]
      : undefined;
  const name = `providers.${facts.providerId}`;
  for (const h of BILLING_HEADERS) {
    const value = facts[h.fact];
    if (value === undefined || listed(scope?.[h.field], value)) continue;
    const allowed = scope?.[h.field] ?? [];
    return scopeDenied(
      `${name}.${h.field}`,
      allowed,
      value,
      `The ${h.header} header names ${quote(value)}, which is not in ${name}.${h.field} (allowed: ${listText(allowed)}). Add it there to let this agent bill that ${h.fact}.`,
    );
  }
  return null;
}
