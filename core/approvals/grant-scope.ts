// The constraint a remembered approval takes from the request the owner approved, and its label, generated
// from that same constraint so the grant covers exactly what its label says:
//   "research-bot · call openai · model gpt-4o-mini"
//   "mail-bot · send email via resend · to example.com"
//   "pay-bot · make payments via stripe · up to $42.00 USD each"
//   "async-bot · call openai · one retry of the exact request approved"
import type { RequestFacts } from '../../shared/facts.ts';
import { formatMinor } from '../../shared/money.ts';
import type { GrantConstraint } from '../policy/grant-match.ts';

/** What the action key names, in words ("call openai", "send email via resend"). */
export function actionLabel(actionKey: string): string {
  const colon = actionKey.indexOf(':');
  const action = colon < 0 ? actionKey : actionKey.slice(0, colon);
  const target = colon < 0 ? '' : actionKey.slice(colon + 1);
  switch (action) {
    case 'email.send':
      return `send email via ${target}`;
    case 'payment.create':
      return `make payments via ${target}`;
    case 'card.create':
      return `create cards via ${target}`;
    case 'secret.read':
      return `read secret ${target}`;
    default:
      return `call ${target}`;
  }
}

/** The constraint of a grant remembered from an approval of `facts` ("approve for N minutes / N uses"). */
export function constraintOf(facts: RequestFacts): GrantConstraint | null {
  if (facts.type === 'secret') return null;
  const c: GrantConstraint = {
    account: facts.account ?? null,
    organization: facts.organization ?? null,
    project: facts.project ?? null,
  };
  switch (facts.action) {
    case 'llm.request':
      c.model = facts.model ?? null;
      break;
    case 'email.send':
      c.domains = [...new Set((facts.recipients ?? []).map((r) => r.slice(r.lastIndexOf('@') + 1)))].sort();
      break;
    case 'payment.create':
      c.maxAmount = facts.amount ?? 0;
      c.currency = facts.currency ?? null;
      break;
    case 'card.create':
      c.maxAmount = facts.card?.spendingLimit?.amount ?? 0;
      c.currency = facts.currency ?? null;
      break;
    default:
      c.method = facts.method;
      c.path = facts.path;
  }
  return c;
}

/** The constraint of a respond-async retry grant: the exact request (digest), nothing else. */
export function retryConstraint(digest: string): GrantConstraint {
  return { digest };
}

function constraintText(c: GrantConstraint | null): string[] {
  if (c === null) return [];
  if (c.digest !== undefined) return ['one retry of the exact request approved'];
  const parts: string[] = [];
  if ('model' in c) parts.push(c.model === null ? 'requests naming no model' : `model ${c.model ?? ''}`);
  if (c.domains !== undefined) parts.push(`to ${c.domains.join(', ') || '(no recipients)'}`);
  if (c.maxAmount !== undefined) parts.push(`up to ${formatMinor(c.maxAmount, c.currency ?? '')} each`);
  if (c.method !== undefined || c.path !== undefined) parts.push(`${c.method ?? ''} ${c.path ?? ''}`.trim());
  if (c.account) parts.push(`for account ${c.account}`);
  if (c.organization) parts.push(`billed to organization ${c.organization}`);
  if (c.project) parts.push(`in project ${c.project}`);
  return parts;
}

/** The grant's label, built only from what it covers. */
export function grantLabel(
  agentName: string,
  actionKey: string,
  constraint: GrantConstraint | null,
  firstUse: boolean,
): string {
  return [
    agentName,
    actionLabel(actionKey),
    ...constraintText(constraint),
    ...(firstUse ? ['first use approved'] : []),
  ].join(' · ');
}
