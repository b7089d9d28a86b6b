// Email scope: who an agent may send to and how many sends a day.
//
// Matching (documented for owners):
// - Recipients are compared lower-cased. A recipient must be a plain address (one "@", no spaces, commas,
//   angle brackets, quotes, ...); anything else is refused, so "a@evil.com,b@gmail.com" cannot pass as gmail.com.
// - allowedAddresses: exact address match (case-insensitive).
// - allowedDomains: exact domain match. Subdomains do NOT match: "example.com" does not allow
//   "bob@mail.example.com". List each subdomain you mean.
// - Neither list set: every recipient is refused. A send with no recipients is refused.
// - dailyLimit counts emails, per UTC day, counter "email:day": one email with 3 recipients counts as 1, a batch
//   of 10 emails counts as 10 (a batch that does not fit in what is left of the day is refused whole).
import type { EmailScope } from '../../../shared/scopes.ts';
import type { ProxyFacts } from '../../../shared/facts.ts';
import type { CounterReader } from '../types.ts';
import { listText, quote, isDeny, scopeDenied, type Deny, type RuleResult } from '../outcome.ts';
import { checkDailyLimit } from './counter.ts';
import { kindScope } from './kind-scope.ts';

const PLAIN_ADDRESS = /^[^\s@,;<>()[\]\\:"]+@[^\s@,;<>()[\]\\:"]+$/;

export const EMAIL_DAY_COUNTER = 'email:day';

function domainAllowed(domains: readonly string[], address: string): boolean {
  for (const d of domains) {
    // Exact domain: the address ends with "@" + domain (no subdomain match).
    const at = address.length - d.length - 1;
    if (at > 0 && address.charCodeAt(at) === 64 && address.endsWith(d)) return true;
  }
  return false;
}

function addressAllowed(addresses: readonly string[], address: string): boolean {
  for (const a of addresses) {
    if (a === address || (a.length === address.length && a.toLowerCase() === address)) return true;
  }
  return false;
}

/** True when `recipient` may receive mail under `scope` (see the rules at the top of this file). */
export function recipientAllowed(scope: EmailScope, recipient: string): boolean {
  const address = recipient.toLowerCase();
  if (!PLAIN_ADDRESS.test(address)) return false;
  if (scope.allowedAddresses !== undefined && addressAllowed(scope.allowedAddresses, address)) return true;
  if (scope.allowedDomains !== undefined && domainAllowed(scope.allowedDomains, address)) return true;
  return false;
}

function recipientDenied(scope: EmailScope, raw: string): Deny {
  const recipient = raw.toLowerCase();
  const r = quote(recipient);
  const domains = scope.allowedDomains;
  const addresses = scope.allowedAddresses;
  if (domains === undefined && addresses === undefined) {
    return scopeDenied(
      'email.allowedDomains',
      null,
      recipient,
      `Recipient ${r} is refused: email.allowedDomains and email.allowedAddresses are not set, so no recipient is allowed.`,
    );
  }
  if (domains !== undefined) {
    const also =
      addresses !== undefined ? ` or email.allowedAddresses (allowed: ${listText(addresses)})` : '';
    return scopeDenied(
      'email.allowedDomains',
      domains,
      recipient,
      `Recipient ${r} is not in email.allowedDomains (allowed: ${listText(domains)})${also}; subdomains do not match.`,
    );
  }
  const list = addresses ?? [];
  return scopeDenied(
    'email.allowedAddresses',
    list,
    recipient,
    `Recipient ${r} is not in email.allowedAddresses (allowed: ${listText(list)}).`,
  );
}

/** Refusal for an email.send, or the daily counter bump to apply (none without a daily limit) when allowed. */
export function checkEmail(
  email: EmailScope | undefined,
  facts: ProxyFacts,
  counters: CounterReader,
  now: number,
): RuleResult {
  // No email scope: no email may be sent (deny by default); email.provider pins sends to one provider.
  const scope = kindScope('email', email, facts);
  if (isDeny(scope)) return scope;
  const recipients = facts.recipients;
  if (recipients === undefined || recipients.length === 0) {
    return scopeDenied('email', null, 0, 'An email with no recipients is refused by the email scope.');
  }
  // Every recipient (to, cc, bcc) must be allowed; one refused recipient refuses the whole send.
  for (const recipient of recipients) {
    if (!recipientAllowed(scope, recipient)) return recipientDenied(scope, recipient);
  }
  // Counted in emails: each item of a batch send is one.
  return checkDailyLimit(
    {
      scope: 'email',
      key: EMAIL_DAY_COUNTER,
      limit: scope.dailyLimit,
      what: 'emails',
      units: facts.emails ?? 1,
    },
    counters,
    now,
  );
}
