// Scope sentences for people, and the money format they (and the UI) use.
import { describe, expect, it } from 'vitest';
import { Scopes } from '../../shared/scopes.ts';
import { formatMinor, formatUsd, minorDigits } from '../../shared/money.ts';
import { describeScopes, durationText } from '../../core/agents/summary.ts';
import { readmeOpenai } from './scope-fixtures.ts';

describe('formatMinor / formatUsd', () => {
  it.each([
    [4200, 'usd', '$42.00 USD'],
    [4200, 'USD', '$42.00 USD'],
    [5, 'usd', '$0.05 USD'],
    [123456789, 'usd', '$1,234,567.89 USD'],
    [4200, 'eur', '€42.00 EUR'],
    [4200, 'gbp', '£42.00 GBP'],
    [500, 'jpy', '¥500 JPY'],
    [1234567, 'krw', '1,234,567 KRW'],
    [4200, 'chf', '42.00 CHF'],
    [1234, 'kwd', '1.234 KWD'],
    [-2500, 'usd', '-$25.00 USD'],
    [0, 'usd', '$0.00 USD'],
    [10000, '', '10,000 minor units'],
  ])('formatMinor(%d, %j) = %s', (amount, currency, text) => {
    expect(formatMinor(amount, currency)).toBe(text);
  });

  it('minor digits', () => {
    expect([minorDigits('usd'), minorDigits('JPY'), minorDigits('bhd')]).toEqual([2, 0, 3]);
  });

  it.each([
    [5, '$5.00'],
    [0.5, '$0.50'],
    [0.0025, '$0.0025'],
    [1234.5, '$1,234.50'],
    [0.1 + 0.2, '$0.30'],
    [0, '$0.00'],
  ])('formatUsd(%d) = %s', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });
});

describe('describeScopes', () => {
  it('empty scopes', () => {
    expect(describeScopes({})).toEqual(['Can do nothing yet: every request is refused.']);
    expect(describeScopes({ providers: {} })).toEqual(['Can do nothing yet: every request is refused.']);
    expect(describeScopes({ vault: { readOnly: [] } })).toEqual([
      'Can do nothing yet: every request is refused.',
    ]);
  });

  it('the seed example', () => {
    const scopes = Scopes.parse({
      email: { allowedDomains: ['gmail.com', 'outlook.com'], dailyLimit: 50 },
      vault: { readOnly: ['crm_api_key'] },
    });
    expect(describeScopes(scopes)).toEqual([
      'Can send up to 50 emails a day to gmail.com or outlook.com; anything else is refused.',
      'Can read secret crm_api_key.',
    ]);
  });

  it('the README "Scopes" example, sentence by sentence', () => {
    const scopes = Scopes.parse({
      providers: {
        openai: { ...readmeOpenai, approval: 'never' },
      },
      email: { provider: 'resend', allowedDomains: ['example.com'], dailyLimit: 50 },
      payments: { provider: 'stripe', maxAmount: 10000, currency: 'usd', oneTime: true, approval: 'always' },
      vault: { readOnly: ['crm_api_key'], ttlSeconds: 3600 },
    });
    expect(describeScopes(scopes)).toEqual([
      'Can call openai: POST /chat/completions with gpt-4o-mini, up to 60 requests a minute and $5.00 a day.',
      'Can send up to 50 emails a day through resend to example.com; anything else is refused.',
      'Can make one-time payments up to $100.00 USD through stripe; each needs your approval.',
      'Can create virtual cards with a spending limit up to $100.00 USD (all-time or per-authorization limits only) through stripe; each needs your approval.',
      'Can read secret crm_api_key for 1 hour after these scopes were set.',
    ]);
  });

  it.each<[string, Scopes, string]>([
    ['provider with no rules', { providers: { web: {} } }, 'Can call web: any request.'],
    [
      'methods only',
      { providers: { web: { methods: ['GET', 'HEAD'] } } },
      'Can call web: GET or HEAD on any path.',
    ],
    [
      'paths only',
      { providers: { web: { paths: ['/a', '/b/*', '/c'] } } },
      'Can call web: any method on /a, /b/* or /c.',
    ],
    [
      'budget only, first-use',
      { providers: { openai: { budget: { usd: 20, per: 'month' }, approval: 'first-use' } } },
      'Can call openai: any request, up to $20.00 a month; the first call needs your approval.',
    ],
    [
      'above',
      { providers: { openai: { approval: { above: 50 } } } },
      'Can call openai: any request; calls estimated over $0.50 need your approval.',
    ],
    [
      'one request an hour',
      { providers: { openai: { rateLimit: { requests: 1, per: 'hour' } } } },
      'Can call openai: any request, up to 1 request an hour.',
    ],
    [
      'addresses and no limit',
      { email: { allowedAddresses: ['bob@example.com'] } },
      'Can send emails to bob@example.com; anything else is refused.',
    ],
    [
      'email approval',
      { email: { allowedDomains: ['a.com'], approval: 'always' } },
      'Can send emails to a.com; each email needs your approval; anything else is refused.',
    ],
    [
      'no recipients',
      { email: { dailyLimit: 5 } },
      'Can send no email: no recipient domains or addresses are allowed, so every email is refused.',
    ],
    [
      'payments any currency, above',
      { payments: { maxAmount: 5000, approval: { above: 2500 }, dailyLimit: 2 } },
      'Can make payments up to 5,000 minor units in any currency, at most 2 a day; those over 2,500 minor units need your approval.',
    ],
    [
      'payments first-use eur',
      { payments: { maxAmount: 5000, currency: 'eur', approval: 'first-use' } },
      'Can make payments up to €50.00 EUR; the first one needs your approval.',
    ],
    [
      'two secrets, 90 minutes, approval',
      { vault: { readOnly: ['a', 'b'], ttlSeconds: 5400, approval: 'always' } },
      'Can read secrets a and b for 90 minutes after these scopes were set; each read needs your approval.',
    ],
  ])('%s', (_name, scopes, sentence) => {
    expect(describeScopes(Scopes.parse(scopes))[0]).toBe(sentence);
  });

  it('durations', () => {
    expect([
      durationText(1),
      durationText(45),
      durationText(60),
      durationText(7200),
      durationText(86400),
      durationText(90),
    ]).toEqual(['1 second', '45 seconds', '1 minute', '2 hours', '1 day', '90 seconds']);
  });
});
