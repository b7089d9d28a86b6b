// Recipients whose display name is itself an address (or a group name, or ends in a Unicode
// space). Policy reads only the address in angle brackets; a standard mail parser (RFC 5322 obsolete
// syntax, Python's email.utils / email.headerregistry, lenient splitters) reads the bare address in the
// "name", so the provider may send to a domain the scope never allowed. Invariant 9: anything another
// parser could read differently is refused, and nothing reaches the provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPost, startDaemonWithProviders, type TestDaemon } from '../helpers/daemon.ts';
import { answerJson, type FakeUpstream } from '../helpers/upstream.ts';

let t: TestDaemon;
let up: Record<'resend', FakeUpstream>;
let token: string;

beforeAll(async () => {
  ({ t, up } = await startDaemonWithProviders({
    resend: { key: 're_MASTER_rev9_display_01', handler: answerJson({ id: 'email_1' }) },
  }));
  ({ token } = await t.admin.agents.create({
    name: 'mail-display-bot',
    scopes: { email: { provider: 'resend', allowedDomains: ['example.com'] } },
  }));
});
afterAll(() => t.stop());

const base = { from: 'a@example.com', subject: 's', text: 't' };

describe('Resend recipients: a display name that another parser reads as the recipient', () => {
  it.each([
    ['an unquoted address as the display name', 'eve@evil.test <bob@example.com>'],
    ['a group prefix before the display name', 'friends: eve@evil.test <bob@example.com>'],
    ['a no-break space before the angle address', 'eve@evil.test\u00a0<bob@example.com>'],
    ['an ideographic space before the angle address', 'eve@evil.test\u3000<bob@example.com>'],
  ])('refuses %s, and nothing is sent', async (_what, to) => {
    const before = up.resend.received.length;
    const r = await agentPost(t.url, token, '/v1/proxy/resend/emails', JSON.stringify({ ...base, to }));
    // Before the fix the provider got {"to": "eve@evil.test <bob@example.com>"} under an example.com scope.
    expect(up.resend.received.slice(before).map((x) => x.body)).toEqual([]);
    expect(r.status).toBeGreaterThanOrEqual(400);
  });
});
