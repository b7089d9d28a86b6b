// The scope schema at the edge: the seed example parses and behaves; typos and wrong types fail at their path.
import { describe, expect, it } from 'vitest';
import { Scopes } from '../../shared/scopes.ts';
import { mail, run, secret } from './policy-fixtures.ts';

const SEED = {
  email: { allowedDomains: ['gmail.com', 'outlook.com'], dailyLimit: 50 },
  vault: { readOnly: ['crm_api_key'] },
};

function issues(input: unknown) {
  const r = Scopes.safeParse(input);
  expect(r.success).toBe(false);
  return r.success ? [] : r.error.issues;
}

describe('Scopes schema', () => {
  it('accepts the seed example unchanged, and the engine enforces it', () => {
    const scopes = Scopes.parse(SEED);
    expect(scopes).toEqual(SEED);
    expect(run(scopes, mail(['bob@gmail.com', 'ann@outlook.com'])).outcome).toBe('allow');
    expect(run(scopes, mail(['bob@yahoo.com']))).toMatchObject({
      outcome: 'deny',
      code: 'scope_denied',
      rule: { scope: 'email.allowedDomains' },
    });
    expect(run(scopes, secret('crm_api_key')).outcome).toBe('allow');
    expect(run(scopes, secret('other'))).toMatchObject({
      outcome: 'deny',
      rule: { scope: 'vault.readOnly' },
    });
  });

  it('a typo in a field name fails at the object holding it and names the key', () => {
    const [issue, ...rest] = issues({ email: { allowedDomain: ['gmail.com'] } });
    expect(rest).toEqual([]);
    expect(issue?.code).toBe('unrecognized_keys');
    expect(issue?.path).toEqual(['email']);
    expect(issue?.message).toContain('allowedDomain');
  });

  it('unknown top-level and nested keys fail at their path', () => {
    expect(issues({ emails: {} })[0]?.path).toEqual([]);
    expect(issues({ providers: { openai: { model: ['x'] } } })[0]?.path).toEqual(['providers', 'openai']);
    expect(
      issues({ providers: { openai: { rateLimit: { requests: 1, per: 'minute', burst: 2 } } } })[0]?.path,
    ).toEqual(['providers', 'openai', 'rateLimit']);
  });

  it.each<[string, unknown, (string | number)[]]>([
    ['maxAmount as a string', { payments: { maxAmount: '100' } }, ['payments', 'maxAmount']],
    ['maxAmount not an integer', { payments: { maxAmount: 10.5 } }, ['payments', 'maxAmount']],
    ['maxAmount missing', { payments: {} }, ['payments', 'maxAmount']],
    ['upper-case currency', { payments: { maxAmount: 1, currency: 'USD' } }, ['payments', 'currency']],
    ['dailyLimit zero', { email: { dailyLimit: 0 } }, ['email', 'dailyLimit']],
    ['domain with capitals', { email: { allowedDomains: ['Gmail.com'] } }, ['email', 'allowedDomains', 0]],
    [
      'rate window unknown',
      { providers: { openai: { rateLimit: { requests: 1, per: 'week' } } } },
      ['providers', 'openai', 'rateLimit', 'per'],
    ],
    [
      'budget negative',
      { providers: { openai: { budget: { usd: -1, per: 'day' } } } },
      ['providers', 'openai', 'budget', 'usd'],
    ],
    [
      'method unknown',
      { providers: { openai: { methods: ['TRACE'] } } },
      ['providers', 'openai', 'methods', 0],
    ],
    [
      'path without a slash',
      { providers: { openai: { paths: ['chat'] } } },
      ['providers', 'openai', 'paths', 0],
    ],
    ['approval unknown', { vault: { readOnly: [], approval: 'sometimes' } }, ['vault', 'approval']],
    ['readOnly not an array', { vault: { readOnly: 'crm_api_key' } }, ['vault', 'readOnly']],
  ])('%s → error at its path', (_name, input, path) => {
    expect(issues(input).map((i) => i.path)).toContainEqual(path);
  });

  it('provider ids are checked', () => {
    expect(issues({ providers: { 'Open AI': {} } })[0]?.path).toEqual(['providers', 'Open AI']);
  });
});
