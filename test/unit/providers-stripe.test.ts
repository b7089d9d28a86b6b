// Stripe adapter: form-encoded bodies as stripe-node sends them (qs with literal brackets, indexed arrays).
import { describe, expect, it } from 'vitest';
import { ADAPTERS, DEFAULT_PRICES } from '../../core/providers/registry.ts';
import type { AdapterRequest } from '../../core/providers/types.ts';
import type { ProxyFacts } from '../../shared/facts.ts';
import { adapterFacts, badRequestPath } from './adapter-probe.ts';
import { card as cardFacts, payment } from './policy-fixtures.ts';

const adapter = ADAPTERS.stripe;
const FORM = 'application/x-www-form-urlencoded';

function req(
  method: string,
  path: string,
  body = '',
  opts: { type?: string | null; query?: string } = {},
): AdapterRequest {
  const type = opts.type === undefined ? FORM : opts.type;
  return {
    providerId: 'stripe',
    method,
    path,
    query: opts.query ?? '',
    headers: type === null ? {} : { 'content-type': type },
    body: Buffer.from(body),
  };
}

const facts = (r: AdapterRequest): ProxyFacts => adapterFacts(adapter, r);
const refusedAt = (r: AdapterRequest): string | undefined =>
  badRequestPath(() => adapter.facts(r, 'stripe', DEFAULT_PRICES));

describe('stripe payments', () => {
  it('reads amount, currency and one-time from a payment intent', () => {
    const body =
      'amount=4200&currency=USD&automatic_payment_methods[enabled]=true&description=Order%20%236735&metadata[order_id]=6735';
    // The policy tests' payment facts (test/unit/policy-fixtures.ts) are exactly what the adapter reads.
    expect(facts(req('POST', '/v1/payment_intents', body))).toEqual(
      payment({ amount: 4200, currency: 'usd' }),
    );
  });

  it('reads a charge', () => {
    expect(facts(req('POST', '/v1/charges', 'amount=999&currency=eur&source=tok_visa'))).toMatchObject({
      action: 'payment.create',
      amount: 999,
      currency: 'eur',
      oneTime: true,
    });
  });

  it('marks payments that save the card for later as not one-time', () => {
    const oneTime = (extra: string): boolean | undefined =>
      facts(req('POST', '/v1/payment_intents', `amount=500&currency=usd&customer=cus_1&${extra}`)).oneTime;
    expect(oneTime('setup_future_usage=off_session')).toBe(false);
    expect(oneTime('off_session=true&confirm=true&payment_method=pm_1')).toBe(false);
    expect(oneTime('payment_method_options[card][setup_future_usage]=on_session')).toBe(false);
    expect(oneTime('payment_method_options[card][setup_future_usage]=none&off_session=false')).toBe(true);
  });

  it('refuses a missing or non-integer amount with path "amount"', () => {
    expect(refusedAt(req('POST', '/v1/payment_intents', 'currency=usd'))).toBe('amount');
    expect(refusedAt(req('POST', '/v1/payment_intents', 'amount=42.50&currency=usd'))).toBe('amount');
    expect(refusedAt(req('POST', '/v1/charges', 'amount=-100&currency=usd'))).toBe('amount');
    expect(refusedAt(req('POST', '/v1/charges', 'amount=1e4&currency=usd'))).toBe('amount');
    expect(refusedAt(req('POST', '/v1/charges', 'amount=&currency=usd'))).toBe('amount');
  });

  it('refuses a body that is not form-encoded, and a missing content type (415)', () => {
    for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x', null]) {
      expect(() =>
        adapter.facts(
          req('POST', '/v1/payment_intents', 'amount=100&currency=usd', { type }),
          'stripe',
          DEFAULT_PRICES,
        ),
      ).toThrow(expect.objectContaining({ code: 'unsupported_media_type' }));
    }
  });

  it('refuses any query string on a POST, and an amount given twice even with the same value', () => {
    expect(refusedAt(req('POST', '/v1/payment_intents', 'currency=usd', { query: 'amount=700' }))).toBe(
      'query',
    );
    expect(refusedAt(req('POST', '/v1/payment_intents', 'amount=100&amount=1000000&currency=usd'))).toBe(
      'amount',
    );
    expect(refusedAt(req('POST', '/v1/payment_intents', 'amount=100&amount=100&currency=usd'))).toBe(
      'amount',
    );
    expect(refusedAt(req('POST', '/v1/payment_intents', 'amount=100&Amount=900&currency=usd'))).toBe(
      'Amount',
    );
    expect(refusedAt(req('POST', '/v1/payment_intents', 'amount=100;amount=900&currency=usd'))).toBe('body');
  });

  it("checks a change of an existing intent's amount as a payment", () => {
    expect(facts(req('POST', '/v1/payment_intents/pi_123', 'amount=90000'))).toMatchObject({
      action: 'payment.create',
      amount: 90000,
    });
    expect(
      facts(req('POST', '/v1/payment_intents/pi_123/increment_authorization', 'amount=90000')),
    ).toMatchObject({ action: 'payment.create', amount: 90000 });
    expect(facts(req('POST', '/v1/payment_intents/pi_123', 'metadata[note]=x')).action).toBe('http.request');
    expect(
      facts(req('POST', '/v1/payment_intents/pi_123/confirm', 'payment_method=pm_card_visa')).action,
    ).toBe('http.request');
  });
});

describe('stripe issuing cards', () => {
  const card = 'cardholder=ich_1MsKAB2eZvKYlo2C3eZ2eSzK&currency=usd&type=virtual&status=active';

  it('reads type, currency and the spending limit', () => {
    const body = `${card}&spending_controls[spending_limits][0][amount]=10000&spending_controls[spending_limits][0][interval]=all_time`;
    expect(facts(req('POST', '/v1/issuing/cards', body))).toEqual(
      cardFacts({ card: { type: 'virtual', spendingLimit: { amount: 10000, interval: 'all_time' } } }),
    );
  });

  it('reads percent-encoded brackets the same way', () => {
    const body = `${card}&spending_controls%5Bspending_limits%5D%5B0%5D%5Bamount%5D=2500&spending_controls%5Bspending_limits%5D%5B0%5D%5Binterval%5D=daily`;
    expect(facts(req('POST', '/v1/issuing/cards', body)).card).toEqual({
      type: 'virtual',
      spendingLimit: { amount: 2500, interval: 'daily' },
    });
  });

  it('skips limits restricted to merchant categories (they do not cap the card)', () => {
    const body =
      `${card}&spending_controls[spending_limits][0][amount]=100&spending_controls[spending_limits][0][interval]=all_time` +
      `&spending_controls[spending_limits][0][categories][0]=bakeries_and_pastry_shops` +
      `&spending_controls[spending_limits][1][amount]=50000&spending_controls[spending_limits][1][interval]=monthly`;
    expect(facts(req('POST', '/v1/issuing/cards', body)).card?.spendingLimit).toEqual({
      amount: 50000,
      interval: 'monthly',
    });
    const onlyCategories = `${card}&spending_controls[spending_limits][0][amount]=100&spending_controls[spending_limits][0][interval]=all_time&spending_controls[spending_limits][0][categories][0]=taxicabs_limousines`;
    expect(facts(req('POST', '/v1/issuing/cards', onlyCategories)).card).toEqual({ type: 'virtual' });
  });

  it('has no limit when none is given, and refuses malformed limits and a missing type', () => {
    expect(facts(req('POST', '/v1/issuing/cards', card)).card).toEqual({ type: 'virtual' });
    expect(
      refusedAt(
        req(
          'POST',
          '/v1/issuing/cards',
          `${card}&spending_controls[spending_limits][0][amount]=ten&spending_controls[spending_limits][0][interval]=daily`,
        ),
      ),
    ).toBe('spending_controls[spending_limits][0][amount]');
    expect(
      refusedAt(
        req('POST', '/v1/issuing/cards', `${card}&spending_controls[spending_limits][0][amount]=100`),
      ),
    ).toBe('spending_controls[spending_limits][0][interval]');
    expect(refusedAt(req('POST', '/v1/issuing/cards', 'cardholder=ich_1&currency=usd'))).toBe('type');
  });

  it("checks a change of an existing card's spending controls like a new card", () => {
    const update =
      'spending_controls[spending_limits][0][amount]=9999999&spending_controls[spending_limits][0][interval]=yearly';
    expect(facts(req('POST', '/v1/issuing/cards/ic_123', update))).toMatchObject({
      action: 'card.create',
      card: { type: 'unknown', spendingLimit: { amount: 9999999, interval: 'yearly' } },
    });
    expect(facts(req('POST', '/v1/issuing/cards/ic_123', 'status=canceled')).action).toBe('http.request');
  });
});

describe('stripe other calls', () => {
  it('is a plain http.request for reads and other writes', () => {
    expect(facts(req('GET', '/v1/customers', '', { query: 'limit=3' }))).toEqual({
      type: 'proxy',
      providerId: 'stripe',
      providerKind: 'stripe',
      method: 'GET',
      path: '/v1/customers',
      action: 'http.request',
    });
    expect(facts(req('POST', '/v1/customers', 'email=jenny%40example.com&name=Jenny')).action).toBe(
      'http.request',
    );
    expect(facts(req('DELETE', '/v1/customers/cus_1')).action).toBe('http.request');
  });

  it('sends the master key as a bearer token', () => {
    expect(adapter.authHeaders('sk_test_master', { authHeader: null, authPrefix: null })).toEqual({
      authorization: 'Bearer sk_test_master',
    });
    expect(adapter.defaultBaseUrl).toBe('https://api.stripe.com');
  });
});
