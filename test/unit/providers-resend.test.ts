// Resend adapter: recipients of single and batch sends, as the resend SDK posts them (JSON, to as string or array).
import { describe, expect, it } from 'vitest';
import { parseRecipient } from '../../core/providers/resend.ts';
import { ADAPTERS, DEFAULT_PRICES } from '../../core/providers/registry.ts';
import type { AdapterRequest } from '../../core/providers/types.ts';
import type { ProxyFacts } from '../../shared/facts.ts';
import { adapterFacts, badRequestPath } from './adapter-probe.ts';
import { mail } from './policy-fixtures.ts';

const adapter = ADAPTERS.resend;

function req(method: string, path: string, body: unknown): AdapterRequest {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    providerId: 'resend',
    method,
    path,
    query: '',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(text),
  };
}

const facts = (r: AdapterRequest): ProxyFacts => adapterFacts(adapter, r);
const refusedAt = (r: AdapterRequest): string | undefined =>
  badRequestPath(() => adapter.facts(r, 'resend', DEFAULT_PRICES), 'Quarterly');

const email = {
  from: 'Acme <onboarding@acme.dev>',
  to: ['Bob@Example.com', ' Carol Smith <carol@example.com> '],
  cc: 'dave@partner.org',
  bcc: ['"Doe, Erin" <ERIN@audit.example.com>'],
  reply_to: 'support@acme.dev',
  subject: 'Quarterly numbers',
  html: '<p>Quarterly numbers attached</p>',
  text: 'Quarterly numbers attached',
  tags: [{ name: 'category', value: 'report' }],
};

describe('resend', () => {
  it('reads to, cc and bcc, lower-cased, with display names stripped, and nothing else', () => {
    const f = facts(req('POST', '/emails', email));
    expect(f).toEqual(
      mail(['bob@example.com', 'carol@example.com', 'dave@partner.org', 'erin@audit.example.com'], {
        emails: 1,
      }),
    );
    const text = JSON.stringify(f);
    expect(text).not.toContain('Quarterly');
    expect(text).not.toContain('acme.dev');
  });

  it('reads a single string "to"', () => {
    expect(
      facts(req('POST', '/emails', { from: 'a@acme.dev', to: 'bob@example.com', subject: 's', text: 't' }))
        .recipients,
    ).toEqual(['bob@example.com']);
  });

  it('reads a batch as the union of its recipients', () => {
    const batch = [
      { from: 'a@acme.dev', to: ['bob@example.com'], subject: 'one', html: '<p>1</p>' },
      { from: 'a@acme.dev', to: 'BOB@example.com', cc: ['zed@other.net'], subject: 'two', html: '<p>2</p>' },
    ];
    expect(facts(req('POST', '/emails/batch', batch))).toMatchObject({
      action: 'email.send',
      recipients: ['bob@example.com', 'zed@other.net'],
    });
  });

  it('refuses malformed bodies and non-addresses with the path of the fault', () => {
    expect(refusedAt(req('POST', '/emails', '{"to": "bob@example.com",'))).toBe('body');
    expect(refusedAt(req('POST', '/emails', '"bob@example.com"'))).toBe('body');
    expect(
      refusedAt(req('POST', '/emails', { ...email, to: ['bob@example.com', 'Quarterly numbers'] })),
    ).toBe('to[1]');
    expect(refusedAt(req('POST', '/emails', { ...email, to: 'bob@example.com, mallory@evil.example' }))).toBe(
      'to',
    );
    expect(refusedAt(req('POST', '/emails', { ...email, cc: [42] }))).toBe('cc[0]');
    expect(refusedAt(req('POST', '/emails', { ...email, bcc: { address: 'x@y.com' } }))).toBe('bcc');
    expect(refusedAt(req('POST', '/emails', { ...email, to: [] }))).toBe('to');
    expect(refusedAt(req('POST', '/emails', { from: 'a@acme.dev', subject: 's' }))).toBe('to');
    expect(refusedAt(req('POST', '/emails/batch', []))).toBe('body');
    expect(refusedAt(req('POST', '/emails/batch', { ...email }))).toBe('body');
    expect(
      refusedAt(req('POST', '/emails/batch', [email, { ...email, to: ['ok@example.com', 'nope'] }])),
    ).toBe('[1].to[1]');
    expect(refusedAt(req('POST', '/emails/batch', [email, 'x']))).toBe('[1]');
  });

  it('is a plain http.request for other calls', () => {
    expect(
      facts({
        providerId: 'resend',
        method: 'GET',
        path: '/emails/4ef9a417',
        query: '',
        headers: {},
        body: Buffer.alloc(0),
      }).action,
    ).toBe('http.request');
    expect(facts(req('POST', '/domains', { name: 'example.com' })).action).toBe('http.request');
  });

  it('sends the master key as a bearer token', () => {
    expect(adapter.authHeaders('re_master', { authHeader: null, authPrefix: null })).toEqual({
      authorization: 'Bearer re_master',
    });
    expect(adapter.defaultBaseUrl).toBe('https://api.resend.com');
  });
});

describe('parseRecipient', () => {
  it.each([
    ['bob@example.com', 'bob@example.com'],
    ['  Bob@EXAMPLE.com ', 'bob@example.com'],
    ['Bob Smith <bob@example.com>', 'bob@example.com'],
    ['"Smith, Bob" <bob@example.com>', 'bob@example.com'],
    ['<bob@example.com>', 'bob@example.com'],
    ['first.last+tag@mail.example.co.uk', 'first.last+tag@mail.example.co.uk'],
    ['John Q. Public <bob@example.com>', 'bob@example.com'],
    ['José Ñúñez <bob@example.com>', 'bob@example.com'],
    ['"eve@evil.test" <bob@example.com>', 'bob@example.com'],
  ])('%s → %s', (input, out) => expect(parseRecipient(input)).toBe(out));

  it.each([
    'bob',
    'bob@',
    '@example.com',
    'bob@example',
    'a@b.com, c@d.com',
    'Smith, Bob <bob@example.com>',
    'bob@example.com.',
    'b ob@example.com',
    'x <a@b.com> <c@d.com>',
    '',
    // Another parser reads a recipient of its own in these names (RFC 5322 obsolete syntax, groups, splitters).
    'eve@evil.test <bob@example.com>',
    'friends: eve@evil.test <bob@example.com>',
    'eve@evil.test\u00a0<bob@example.com>',
    'Eve\u3000Smith <bob@example.com>',
    '(eve@evil.test) <bob@example.com>',
    'Eve [eve@evil.test] <bob@example.com>',
  ])('refuses %j', (input) => expect(parseRecipient(input)).toBeNull());
});
