// What a remembered approval covers, and the one test of whether a grant still counts. A grant is agent ×
// action key × a constraint taken from the request the owner approved (its label is generated from the same
// constraint, so it covers exactly what it says): the model, the recipient domains, at most the approved
// amount in its currency, the exact call, or the exact request (a respond-async retry). The account, the
// organization and the project the approved request named are always pinned.
import type { RequestFacts } from '../../shared/facts.ts';

export interface GrantConstraint {
  /** llm.request: exactly this model (null: only requests that name no model). */
  model?: string | null;
  /** email.send: every recipient's domain is one of these. */
  domains?: string[];
  /** payment.create / card.create: at most this amount (minor units) in `currency`. */
  maxAmount?: number;
  currency?: string | null;
  /** http.request: exactly this method and path. */
  method?: string;
  path?: string;
  /** A respond-async retry: exactly the request that was approved (its digest). */
  digest?: string;
  /** Who acts or pays, as the approved request named it (null: none named). */
  account?: string | null;
  organization?: string | null;
  project?: string | null;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** True when the request falls inside the constraint (a grant with no constraint covers its whole action key). */
export function grantCovers(
  c: GrantConstraint | null,
  facts: RequestFacts,
  digest: string | undefined,
): boolean {
  if (c === null) return true;
  if (c.digest !== undefined && c.digest !== digest) return false;
  if (facts.type === 'secret') return true;
  if ('account' in c && (facts.account ?? null) !== c.account) return false;
  if ('organization' in c && (facts.organization ?? null) !== c.organization) return false;
  if ('project' in c && (facts.project ?? null) !== c.project) return false;
  if ('model' in c && (facts.model ?? null) !== c.model) return false;
  if (c.method !== undefined && facts.method !== c.method) return false;
  if (c.path !== undefined && facts.path !== c.path) return false;
  if (c.domains !== undefined) {
    const recipients = facts.recipients ?? [];
    if (recipients.length === 0) return false;
    for (const r of recipients) if (!c.domains.includes(domainOf(r))) return false;
  }
  if (c.maxAmount !== undefined) {
    const amount = facts.action === 'card.create' ? facts.card?.spendingLimit?.amount : facts.amount;
    if (amount === undefined || amount > c.maxAmount) return false;
    if ((facts.currency ?? null) !== (c.currency ?? null)) return false;
  }
  return true;
}
