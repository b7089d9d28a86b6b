// describeAction: the one-sentence action shown in approval prompts and the activity feed.
import { describe, expect, it } from 'vitest';
import { describeAction } from '../../shared/summary.ts';
import type { ProxyFacts } from '../../shared/facts.ts';

const base = { type: 'proxy', providerId: 'p', providerKind: 'http', method: 'POST', path: '/x' } as const;
const proxy = (extra: Partial<ProxyFacts> & Pick<ProxyFacts, 'action'>): ProxyFacts => ({
  ...base,
  ...extra,
});

describe('describeAction', () => {
  it('describes secret reads', () => {
    expect(describeAction({ type: 'secret', action: 'secret.read', name: 'crm_api_key' })).toBe(
      'Read secret crm_api_key',
    );
  });

  it('describes emails by their first recipient and how many others', () => {
    expect(describeAction(proxy({ action: 'email.send', recipients: ['bob@example.com'] }))).toBe(
      'Send email to bob@example.com',
    );
    expect(describeAction(proxy({ action: 'email.send', recipients: ['bob@example.com', 'a@x.org'] }))).toBe(
      'Send email to bob@example.com and 1 other',
    );
    expect(
      describeAction(proxy({ action: 'email.send', recipients: ['bob@example.com', 'a@x.org', 'b@y.org'] })),
    ).toBe('Send email to bob@example.com and 2 others');
    expect(describeAction(proxy({ action: 'email.send' }))).toBe('Send email');
  });

  it('describes payments in major units with the currency', () => {
    expect(
      describeAction(proxy({ action: 'payment.create', amount: 4200, currency: 'usd', oneTime: true })),
    ).toBe('Charge $42.00 USD');
    expect(
      describeAction(proxy({ action: 'payment.create', amount: 123456789, currency: 'usd', oneTime: true })),
    ).toBe('Charge $1,234,567.89 USD');
    expect(
      describeAction(proxy({ action: 'payment.create', amount: 4200, currency: 'jpy', oneTime: true })),
    ).toBe('Charge ¥4,200 JPY');
    expect(describeAction(proxy({ action: 'payment.create', amount: 50000, currency: 'krw' }))).toBe(
      'Charge 50,000 KRW',
    );
    expect(describeAction(proxy({ action: 'payment.create', amount: 1500, currency: 'vnd' }))).toBe(
      'Charge 1,500 VND',
    );
    expect(describeAction(proxy({ action: 'payment.create', amount: 990, currency: 'clp' }))).toBe(
      'Charge 990 CLP',
    );
    expect(describeAction(proxy({ action: 'payment.create', amount: 1005, currency: 'eur' }))).toBe(
      'Charge €10.05 EUR',
    );
    expect(
      describeAction(proxy({ action: 'payment.create', amount: 500, currency: 'usd', oneTime: false })),
    ).toBe('Charge $5.00 USD and save the payment method for future charges');
    expect(describeAction(proxy({ action: 'payment.create', amount: 500 }))).toBe('Charge 500 minor units');
    expect(describeAction(proxy({ action: 'payment.create' }))).toBe('Create a payment');
  });

  it('describes cards by type and spending limit', () => {
    const card = (type: string, amount?: number, interval?: string): ProxyFacts =>
      proxy({
        action: 'card.create',
        currency: 'usd',
        card:
          amount === undefined || interval === undefined
            ? { type }
            : { type, spendingLimit: { amount, interval } },
      });
    expect(describeAction(card('virtual', 10000, 'all_time'))).toBe(
      'Create a one-time virtual card up to $100.00 USD',
    );
    expect(describeAction(card('virtual', 2500, 'daily'))).toBe(
      'Create a virtual card up to $25.00 USD a day',
    );
    expect(describeAction(card('virtual', 2500, 'per_authorization'))).toBe(
      'Create a virtual card up to $25.00 USD per payment',
    );
    expect(describeAction(card('physical', 100000, 'monthly'))).toBe(
      'Create a physical card up to $1,000.00 USD a month',
    );
    expect(describeAction(card('virtual'))).toBe('Create a virtual card with no spending limit');
    expect(describeAction(card('unknown', 9999999, 'yearly'))).toBe(
      "Change a card's spending limit to $99,999.99 USD a year",
    );
    expect(describeAction(card('unknown'))).toBe("Change a card's spending controls");
  });

  it('describes LLM and plain HTTP calls by method, path and model', () => {
    expect(
      describeAction({
        ...base,
        providerKind: 'openai',
        path: '/chat/completions',
        action: 'llm.request',
        model: 'gpt-4o',
        stream: true,
      }),
    ).toBe('POST /chat/completions with gpt-4o');
    expect(
      describeAction({
        ...base,
        providerKind: 'openai',
        method: 'GET',
        path: '/models',
        action: 'llm.request',
      }),
    ).toBe('GET /models');
    expect(
      describeAction({
        ...base,
        providerKind: 'stripe',
        method: 'GET',
        path: '/v1/customers',
        action: 'http.request',
      }),
    ).toBe('GET /v1/customers');
  });
});
