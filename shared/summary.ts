// The concrete action of a request as one sentence, for approval prompts and the activity feed:
// "Send email to bob@example.com and 2 others", "Charge $42.00 USD", "Read secret crm_api_key".
// Browser-safe. Built only from typed facts, which never hold a body, a key or a secret value.
import type { ProxyFacts, RequestFacts } from './facts.ts';
import { formatMinor } from './money.ts';

function money(amount: number, currency: string | undefined): string {
  return formatMinor(amount, currency ?? '');
}

function others(count: number): string {
  return count === 1 ? '1 other' : `${count} others`;
}

function describeEmail(recipients: readonly string[] | undefined): string {
  const list = recipients ?? [];
  const first = list[0];
  if (first === undefined) return 'Send email';
  return list.length === 1
    ? `Send email to ${first}`
    : `Send email to ${first} and ${others(list.length - 1)}`;
}

function describePayment(facts: ProxyFacts): string {
  if (facts.amount === undefined) return 'Create a payment';
  const charge = `Charge ${money(facts.amount, facts.currency)}`;
  return facts.oneTime === false ? `${charge} and save the payment method for future charges` : charge;
}

const PER: Readonly<Record<string, string>> = {
  per_authorization: 'per payment',
  daily: 'a day',
  weekly: 'a week',
  monthly: 'a month',
  yearly: 'a year',
  all_time: 'in total',
};

function describeCard(facts: ProxyFacts): string {
  const card = facts.card;
  const limit = card?.spendingLimit;
  const type = card?.type ?? 'unknown';
  if (type === 'unknown') {
    // An update of an existing card's spending controls.
    if (limit === undefined) return "Change a card's spending controls";
    return `Change a card's spending limit to ${money(limit.amount, facts.currency)} ${PER[limit.interval] ?? `per ${limit.interval}`}`;
  }
  if (limit === undefined) return `Create ${article(type)} ${type} card with no spending limit`;
  const amount = money(limit.amount, facts.currency);
  if (limit.interval === 'all_time') return `Create a one-time ${type} card up to ${amount}`;
  return `Create ${article(type)} ${type} card up to ${amount} ${PER[limit.interval] ?? `per ${limit.interval}`}`;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** The concrete action as one sentence. */
export function describeAction(facts: RequestFacts): string {
  if (facts.type === 'secret') return `Read secret ${facts.name}`;
  switch (facts.action) {
    case 'email.send':
      return describeEmail(facts.recipients);
    case 'payment.create':
      return describePayment(facts);
    case 'card.create':
      return describeCard(facts);
    case 'llm.request':
      return facts.model === undefined
        ? `${facts.method} ${facts.path}`
        : `${facts.method} ${facts.path} with ${facts.model}`;
    case 'http.request':
    case 'secret.read':
      return `${facts.method} ${facts.path}`;
  }
}
