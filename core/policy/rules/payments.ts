// Payments scope: payment intents/charges and issuing cards, within an amount, a currency and one-time use.
//
// - Amounts are in the currency's minor unit (Stripe's convention); a missing, negative or non-integer amount
//   is refused.
// - payments.currency set: the request must name the same currency (a request without one is refused).
// - payments.oneTime: payments must be one-time (facts.oneTime === true); cards must have a spending-limit
//   interval of "all_time" or "per_authorization".
// - card.create: only virtual cards, and only with a spending limit no higher than maxAmount.
// - dailyLimit counts payment.create and card.create calls per UTC day, counter "payments:day".
import type { PaymentsScope } from '../../../shared/scopes.ts';
import type { ProxyFacts } from '../../../shared/facts.ts';
import { formatMinor } from '../../../shared/money.ts';
import type { CounterReader } from '../types.ts';
import { quote, isDeny, scopeDenied, type Deny, type RuleResult } from '../outcome.ts';
import { checkDailyLimit } from './counter.ts';
import { kindScope } from './kind-scope.ts';

export const PAYMENTS_DAY_COUNTER = 'payments:day';
export const ONE_TIME_CARD_INTERVALS: readonly string[] = ['all_time', 'per_authorization'];

function money(amount: number, scope: PaymentsScope, facts: ProxyFacts): string {
  return formatMinor(amount, scope.currency ?? facts.currency ?? '');
}

function validAmount(amount: number | undefined): amount is number {
  return amount !== undefined && Number.isSafeInteger(amount) && amount >= 0;
}

/** The amount a payments request moves: the payment amount, or a card's spending limit. */
export function paymentAmount(facts: ProxyFacts): number | undefined {
  return facts.action === 'card.create' ? facts.card?.spendingLimit?.amount : facts.amount;
}

function checkAmount(
  scope: PaymentsScope,
  facts: ProxyFacts,
  amount: number | undefined,
  what: string,
): Deny | null {
  if (!validAmount(amount)) {
    return scopeDenied(
      'payments.maxAmount',
      scope.maxAmount,
      amount ?? null,
      `${what} has no valid amount; payments.maxAmount is ${money(scope.maxAmount, scope, facts)}.`,
    );
  }
  // Never more than maxAmount (minor units); exactly maxAmount is allowed.
  if (amount > scope.maxAmount) {
    return scopeDenied(
      'payments.maxAmount',
      scope.maxAmount,
      amount,
      `${what} of ${money(amount, scope, facts)} is over payments.maxAmount (${money(scope.maxAmount, scope, facts)}).`,
    );
  }
  return null;
}

function checkCurrency(scope: PaymentsScope, facts: ProxyFacts): Deny | null {
  if (scope.currency === undefined) return null;
  const currency = facts.currency;
  // A pinned currency must be named by the request: amounts mean nothing across currencies.
  if (currency === undefined || currency.toLowerCase() !== scope.currency) {
    return scopeDenied(
      'payments.currency',
      scope.currency,
      currency ?? null,
      currency === undefined
        ? `The request names no currency; payments.currency is ${scope.currency}.`
        : `Currency ${quote(currency)} is not payments.currency (allowed: ${scope.currency}).`,
    );
  }
  return null;
}

/** Refusal for a payment.create or card.create, or the daily counter bump to apply when allowed. */
export function checkPayment(
  payments: PaymentsScope | undefined,
  facts: ProxyFacts,
  counters: CounterReader,
  now: number,
): RuleResult {
  // No payments scope: no money may move (deny by default); payments.provider pins payments to one provider.
  const scope = kindScope('payments', payments, facts);
  if (isDeny(scope)) return scope;
  if (facts.action === 'card.create') {
    const card = facts.card;
    // Only virtual cards: a physical card outlives the agent's scopes.
    if (card === undefined || card.type !== 'virtual') {
      return scopeDenied(
        'payments.card.type',
        'virtual',
        card?.type ?? null,
        `Only virtual cards may be created under the payments scope (requested: ${card === undefined ? 'no card type' : quote(card.type)}).`,
      );
    }
    const limit = card.spendingLimit;
    if (limit === undefined) {
      return scopeDenied(
        'payments.maxAmount',
        scope.maxAmount,
        null,
        `A card without a spending limit is refused; payments.maxAmount is ${money(scope.maxAmount, scope, facts)}.`,
      );
    }
    const amountDenied = checkAmount(scope, facts, limit.amount, 'Card spending limit');
    if (amountDenied !== null) return amountDenied;
    const currencyDenied = checkCurrency(scope, facts);
    if (currencyDenied !== null) return currencyDenied;
    // One-time cards: the limit must cover the card's whole life or a single authorization.
    if (scope.oneTime === true && !ONE_TIME_CARD_INTERVALS.includes(limit.interval)) {
      return scopeDenied(
        'payments.oneTime',
        ONE_TIME_CARD_INTERVALS,
        limit.interval,
        `payments.oneTime is true: a card's spending-limit interval must be all_time or per_authorization (requested: ${quote(limit.interval)}).`,
      );
    }
  } else {
    const amountDenied = checkAmount(scope, facts, facts.amount, 'Payment');
    if (amountDenied !== null) return amountDenied;
    const currencyDenied = checkCurrency(scope, facts);
    if (currencyDenied !== null) return currencyDenied;
    // One-time only: a payment that sets up future or recurring use is refused.
    if (scope.oneTime === true && facts.oneTime !== true) {
      return scopeDenied(
        'payments.oneTime',
        true,
        facts.oneTime ?? null,
        'payments.oneTime is true: this payment is not marked one-time (it may set up future or recurring use).',
      );
    }
  }
  return checkDailyLimit(
    { scope: 'payments', key: PAYMENTS_DAY_COUNTER, limit: scope.dailyLimit, what: 'payments' },
    counters,
    now,
  );
}
