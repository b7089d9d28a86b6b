// Issue 3: agent identities and credentials end to end, through the TypeScript client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { AgentKeychainAgent, AgentKeychainError } from '../../client/index.ts';
import { Scopes } from '../../shared/scopes.ts';
import { rejection } from '../helpers/rejection.ts';

let t: TestDaemon;
beforeAll(async () => {
  t = await startTestDaemon();
});
afterAll(() => t.stop());

const failure = (p: Promise<unknown>): Promise<AgentKeychainError> => rejection(p, AgentKeychainError);

const agentClient = (token: string): AgentKeychainAgent => new AgentKeychainAgent({ baseUrl: t.url, token });

describe('credentials', () => {
  it('are akc_ + 43 base62 + 6 base62 checksum, shown once, stored only as a hash', async () => {
    const seed = {
      email: { allowedDomains: ['gmail.com', 'outlook.com'], dailyLimit: 50 },
      vault: { readOnly: ['crm_api_key'] },
    };
    expect(Scopes.parse(seed)).toEqual(seed);
    const { agent, token } = await t.admin.agents.create({ name: 'seed-bot', scopes: seed });
    expect(token).toMatch(/^akc_[0-9A-Za-z]{49}$/);
    expect(agent.id).toMatch(/^agt_/);
    expect(agent.scopeSummary.join(' ')).toContain('gmail.com');
    const me = await agentClient(token).whoami();
    expect(me).toMatchObject({ id: agent.id, name: 'seed-bot', status: 'active', scopes: seed });
    const listed =
      JSON.stringify(await t.admin.agents.list()) + JSON.stringify(await t.admin.agents.get(agent.id));
    expect(listed).not.toContain(token);
    expect(listed).not.toContain(token.slice(4, 30));
    t.daemon.core.db.pragma('wal_checkpoint(PASSIVE)');
    for (const file of readdirSync(t.dir)) {
      expect(readFileSync(join(t.dir, file)).includes(Buffer.from(token)), file).toBe(false);
    }
    expect(await t.admin.audit.export('jsonl')).not.toContain(token);
  });

  it('rotate kills the old credential at once; the new one works', async () => {
    const { agent, token } = await t.admin.agents.create({ name: 'rot-bot', scopes: {} });
    const rotated = await t.admin.agents.rotate(agent.id);
    expect(rotated.token).not.toBe(token);
    expect((await failure(agentClient(token).whoami())).code).toBe('invalid_token');
    expect((await agentClient(rotated.token).whoami()).id).toBe(agent.id);
    expect(rotated.agent.credentialId).not.toBe(agent.credentialId);
  });

  it('suspend is reversible; revoke is final; each leaves an audit entry', async () => {
    const { agent, token } = await t.admin.agents.create({ name: 'life-bot', scopes: {} });
    const c = agentClient(token);
    expect((await t.admin.agents.suspend(agent.id, 'checking')).agent.status).toBe('suspended');
    const s = await failure(c.whoami());
    expect([s.code, s.status]).toEqual(['suspended', 403]);
    expect((await t.admin.agents.resume(agent.id)).agent.status).toBe('active');
    expect((await c.whoami()).status).toBe('active');
    const revoked = await t.admin.agents.revoke(agent.id, { reason: 'leaked in a log', severity: 'high' });
    expect(revoked.agent).toMatchObject({
      status: 'revoked',
      revokeReason: 'leaked in a log',
      revokeSeverity: 'high',
    });
    const r = await failure(c.whoami());
    expect([r.code, r.status]).toEqual(['revoked', 401]);
    expect((await failure(t.admin.agents.resume(agent.id))).code).toBe('conflict');
    const actions = (await t.admin.audit.list({ agentId: agent.id })).entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'agent.created',
        'agent.suspended',
        'agent.resumed',
        'agent.revoked',
        'auth.failed',
      ]),
    );
    const entry = (await t.admin.audit.list({ agentId: agent.id, action: 'agent.revoked' })).entries[0];
    expect(entry?.actor).toBe('owner');
    expect(entry?.facts).toMatchObject({ severity: 'high', reason: 'leaked in a log', via: 'http' });
  });

  it('expired agents stop working at their expiry without any action', async () => {
    const expiresAt = new Date(Date.now() + 700).toISOString();
    const { agent, token } = await t.admin.agents.create({ name: 'temp-bot', scopes: {}, expiresAt });
    expect((await agentClient(token).whoami()).status).toBe('active');
    // The event awaited here is the passage of time itself.
    await new Promise((r) => setTimeout(r, Date.parse(expiresAt) - Date.now() + 20));
    const e = await failure(agentClient(token).whoami());
    expect([e.code, e.status]).toEqual(['expired', 401]);
    expect((await t.admin.agents.get(agent.id)).status).toBe('expired');
  });

  it('revoke-all revokes every agent and no other state', async () => {
    const a = await t.admin.agents.create({ name: 'a', scopes: {} });
    const b = await t.admin.agents.create({ name: 'b', scopes: {} });
    const result = await t.admin.agents.revokeAll({ reason: 'panic', severity: 'high' });
    expect(result.revoked).toBeGreaterThanOrEqual(2);
    for (const tok of [a.token, b.token])
      expect((await failure(agentClient(tok).whoami())).code).toBe('revoked');
    expect((await t.admin.agents.list()).every((x) => x.status === 'revoked' || x.status === 'expired')).toBe(
      true,
    );
    expect((await t.admin.vault.status()).vault).toBe('unlocked');
  });
});

describe('secret release', () => {
  it('releases a listed secret, refuses others with the rule, and audits both', async () => {
    await t.admin.secrets.put('crm_api_key', 'crm-VALUE-0123456789');
    await t.admin.secrets.put('other', 'other-VALUE-0123456789');
    const { agent, token } = await t.admin.agents.create({
      name: 'crm-bot',
      scopes: { vault: { readOnly: ['crm_api_key'], ttlSeconds: 3600 } },
    });
    const got = await agentClient(token).secrets.get('crm_api_key');
    expect(got.value).toBe('crm-VALUE-0123456789');
    expect(Date.parse(got.expiresAt ?? '')).toBeGreaterThan(Date.now() + 3500_000);
    const no = await failure(agentClient(token).secrets.get('other'));
    expect([no.code, no.rule?.scope]).toEqual(['scope_denied', 'vault.readOnly']);
    const entries = (await t.admin.audit.list({ agentId: agent.id, action: 'secret.*' })).entries;
    expect(entries.map((e) => `${e.action}:${e.decision}`)).toEqual([
      'secret.read:deny',
      'secret.read.result:allow',
      'secret.read:allow',
    ]);
    expect(JSON.stringify(entries)).not.toContain('VALUE-0123456789');
  });
});

describe('audit', () => {
  it('filters and pages through the admin API, and the chain verifies', async () => {
    const page1 = await t.admin.audit.list({ limit: 3 });
    expect(page1.entries).toHaveLength(3);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await t.admin.audit.list({ limit: 3, cursor: page1.nextCursor ?? undefined });
    expect(page2.entries[0]?.seq).toBeLessThan(page1.entries[2]?.seq ?? 0);
    const denies = await t.admin.audit.list({ decision: 'deny' });
    expect(denies.entries.length).toBeGreaterThan(0);
    expect(denies.entries.every((e) => e.decision === 'deny')).toBe(true);
    const verify = await t.admin.audit.verify();
    expect(verify.ok).toBe(true);
    expect(verify.checked).toBeGreaterThan(10);
    const csv = await t.admin.audit.export('csv');
    expect(csv.split('\n')[0]).toContain('seq');
  });
});
