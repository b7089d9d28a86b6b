// Policy engine: the email scope (recipients by domain or address, the email provider, the daily limit, approval).
import { describe, expect, it } from 'vitest';
import type { Scopes } from '../../shared/scopes.ts';
import { DAY_MS } from '../../core/policy/windows.ts';
import { MemoryCounters, NOW, mail, run } from './policy-fixtures.ts';
import {
  DAY_START,
  TO_MIDNIGHT,
  table,
  counters,
  grant,
  mailScope,
  type Case,
  effect,
  refused,
} from './policy-table.ts';

describe('email scope', () => {
  table([
    {
      name: 'allowed domains, several recipients → allow, one daily count',
      scopes: mailScope,
      facts: mail(['bob@gmail.com', 'ann@outlook.com', 'cc@gmail.com']),
      expect: {
        outcome: 'allow',
        rule: 'email',
        effects: [effect('email:day', 0, DAY_START, DAY_START + DAY_MS)],
      },
    },
    {
      name: 'recipients are compared lower-cased',
      scopes: mailScope,
      facts: mail(['Bob@GMAIL.com']),
      expect: { outcome: 'allow' },
    },
    {
      name: 'subdomains do not match',
      scopes: mailScope,
      facts: mail(['bob@mail.gmail.com']),
      expect: refused('email.allowedDomains', {
        limit: ['gmail.com', 'outlook.com'],
        value: 'bob@mail.gmail.com',
      }),
    },
    {
      name: 'look-alike domain suffix does not match',
      scopes: mailScope,
      facts: mail(['bob@evilgmail.com']),
      expect: refused('email.allowedDomains'),
    },
    {
      name: 'one refused recipient refuses the whole send and names it',
      scopes: mailScope,
      facts: mail(['bob@gmail.com', 'eve@evil.com']),
      expect: refused('email.allowedDomains', {
        value: 'eve@evil.com',
        message:
          'Recipient "eve@evil.com" is not in email.allowedDomains (allowed: gmail.com, outlook.com); subdomains do not match.',
      }),
    },
    ...[
      'eve@evil.com,bob@gmail.com',
      'Eve <eve@gmail.com>',
      'gmail.com',
      'bob@@gmail.com',
      '@gmail.com',
      'bob @gmail.com',
      '"a@b"@gmail.com',
    ].map((r): Case => ({
      name: `malformed recipient ${JSON.stringify(r)} → refused`,
      scopes: mailScope,
      facts: mail([r]),
      expect: refused('email.allowedDomains'),
    })),
    {
      name: 'allowedAddresses: exact address (case-insensitive, even if the scope has capitals)',
      scopes: { email: { allowedAddresses: ['Bob@Example.com'] } },
      facts: mail(['bob@example.com']),
      expect: { outcome: 'allow', effects: [] },
    },
    {
      name: 'allowedAddresses: another address at the same domain → refused',
      scopes: { email: { allowedAddresses: ['bob@example.com'] } },
      facts: mail(['ann@example.com']),
      expect: refused('email.allowedAddresses', { limit: ['bob@example.com'], value: 'ann@example.com' }),
    },
    {
      name: 'addresses and domains together: either matches',
      scopes: { email: { allowedAddresses: ['boss@corp.io'], allowedDomains: ['example.com'] } },
      facts: mail(['boss@corp.io', 'x@example.com']),
      expect: { outcome: 'allow' },
    },
    {
      name: 'neither list → every recipient refused',
      scopes: { email: { dailyLimit: 10 } },
      facts: mail(['bob@gmail.com']),
      expect: refused('email.allowedDomains', { limit: null }),
    },
    {
      name: 'zero recipients → refused',
      scopes: mailScope,
      facts: mail([]),
      expect: refused('email', { value: 0 }),
    },
    {
      name: 'no recipients field → refused',
      scopes: mailScope,
      facts: mail(undefined),
      expect: refused('email'),
    },
    {
      name: 'no email scope → "email" (a provider scope for the email API does not allow sends)',
      scopes: { providers: { resend: {} } },
      facts: mail(['bob@gmail.com']),
      expect: refused('email', { message: 'Sending email is refused: the email scope is not set.' }),
    },
    {
      name: 'email.provider mismatch → email.provider',
      scopes: { email: { provider: 'resend', allowedDomains: ['gmail.com'] } },
      facts: mail(['bob@gmail.com'], { providerId: 'other-mail' }),
      expect: refused('email.provider', { limit: 'resend', value: 'other-mail' }),
    },
    {
      name: 'email.provider match → allow',
      scopes: { email: { provider: 'resend', allowedDomains: ['gmail.com'] } },
      facts: mail(['bob@gmail.com']),
      expect: { outcome: 'allow' },
    },
    {
      name: 'daily limit: 49 sent of 50 → allowed (the 50th)',
      scopes: mailScope,
      facts: mail(['bob@gmail.com']),
      opts: { counters: counters('email:day', DAY_START, 49) },
      expect: { outcome: 'allow' },
    },
    {
      name: 'daily limit: 50 sent of 50 → rate_limited until UTC midnight',
      scopes: mailScope,
      facts: mail(['bob@gmail.com']),
      opts: { counters: counters('email:day', DAY_START, 50) },
      expect: {
        outcome: 'deny',
        code: 'rate_limited',
        scope: 'email.dailyLimit',
        limit: 50,
        value: 50,
        retryAfter: TO_MIDNIGHT,
      },
    },
    {
      name: 'daily limit: yesterday’s count does not matter',
      scopes: mailScope,
      facts: mail(['bob@gmail.com']),
      opts: { counters: counters('email:day', DAY_START - DAY_MS, 50) },
      expect: { outcome: 'allow' },
    },
    {
      name: 'recipients are checked before the daily limit',
      scopes: mailScope,
      facts: mail(['eve@evil.com']),
      opts: { counters: counters('email:day', DAY_START, 50) },
      expect: refused('email.allowedDomains'),
    },
    {
      name: 'email approval always → approval with its reason and effects',
      scopes: { email: { allowedDomains: ['gmail.com'], dailyLimit: 5, approval: 'always' } },
      facts: mail(['bob@gmail.com']),
      expect: {
        outcome: 'approval',
        scope: 'email.approval',
        reason: 'Emails always need approval',
        effects: [{ key: 'email:day', count: 1, reserveMicro: 0 }],
      },
    },
    {
      name: 'email first-use → approval',
      scopes: { email: { allowedDomains: ['gmail.com'], approval: 'first-use' } },
      facts: mail(['bob@gmail.com']),
      expect: {
        outcome: 'approval',
        scope: 'email.approval',
        limit: 'first-use',
        value: 'email.send:resend',
        reason: 'First use of the email API needs approval',
      },
    },
    {
      name: 'email first-use with a grant → allow',
      scopes: { email: { allowedDomains: ['gmail.com'], approval: 'first-use' } },
      facts: mail(['bob@gmail.com']),
      opts: { grants: [grant('email.send:resend', { id: 'grt_mail' })] },
      expect: { outcome: 'allow', grantId: 'grt_mail' },
    },
    {
      name: 'email {above} has no amount → held',
      scopes: { email: { allowedDomains: ['gmail.com'], approval: { above: 3 } } },
      facts: mail(['bob@gmail.com']),
      expect: { outcome: 'approval', scope: 'email.approval' },
    },
    {
      name: 'daily limit is checked before approval',
      scopes: { email: { allowedDomains: ['gmail.com'], dailyLimit: 1, approval: 'always' } },
      facts: mail(['bob@gmail.com']),
      opts: { counters: counters('email:day', DAY_START, 1) },
      expect: { outcome: 'deny', code: 'rate_limited', scope: 'email.dailyLimit' },
    },
  ]);

  it('exactly N sends pass with dailyLimit N, then the next UTC day opens again', () => {
    const store = new MemoryCounters();
    const scopes: Scopes = { email: { allowedDomains: ['gmail.com'], dailyLimit: 3 } };
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const d = run(scopes, mail(['a@gmail.com', 'b@gmail.com']), { counters: store, now: NOW + i });
      outcomes.push(d.outcome);
      if (d.outcome === 'allow') store.apply(d.effects);
    }
    expect(outcomes).toEqual(['allow', 'allow', 'allow', 'deny', 'deny']);
    expect(store.get('email:day', DAY_START).count).toBe(3);
    // Last ms of the day: still refused. First ms of the next: allowed.
    expect(run(scopes, mail(['a@gmail.com']), { counters: store, now: DAY_START + DAY_MS - 1 }).outcome).toBe(
      'deny',
    );
    const next = run(scopes, mail(['a@gmail.com']), { counters: store, now: DAY_START + DAY_MS });
    expect(next.outcome).toBe('allow');
    if (next.outcome === 'allow') expect(next.effects[0]?.windowStart).toBe(DAY_START + DAY_MS);
  });
});
