// vault.ttlSeconds ("this secret for an hour") counts from when the vault scope was granted. An edit the diff
// and the audit call narrowing (a model removed, a shorter TTL) must not re-open a secret whose time has run
// out or move its end later (found by an attack review: every scope edit restarted the clock); an edit that
// widens the vault scope is a new grant and starts a new period. The waits are the TTL itself passing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';

let t: TestDaemon;

beforeAll(async () => {
  t = await startTestDaemon();
  await t.admin.secrets.put('crm_api_key', 'crm-VALUE-rev9-0123456789');
});
afterAll(() => t.stop());

async function read(token: string): Promise<number> {
  const r = await raw(t.url, {
    path: '/v1/secrets/crm_api_key',
    headers: { authorization: `Bearer ${token}` },
  });
  return r.status;
}

describe('vault.ttlSeconds and narrowing edits', () => {
  it('an expired secret stays expired when the owner narrows another part of the scopes', async () => {
    const scopes = {
      providers: { openai: { models: ['gpt-4o-mini', 'gpt-4o'] } },
      vault: { readOnly: ['crm_api_key'], ttlSeconds: 1 },
    };
    const { token, agent } = await t.admin.agents.create({ name: 'ttl-bot', scopes });
    expect(await read(token)).toBe(200);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await read(token)).toBe(403); // the hour (here: second) is over
    // The owner takes a model away: the diff says "openai models: − gpt-4o", not widening.
    const narrowed = { ...scopes, providers: { openai: { models: ['gpt-4o-mini'] } } };
    await t.admin.agents.update(agent.id, { scopes: narrowed });
    const entries = await t.admin.audit.list({ agentId: agent.id, action: 'agent.changed' });
    expect(entries.entries[0]?.facts).toMatchObject({ widens: false });
    expect(await read(token)).toBe(403);
  });

  it('a shorter ttlSeconds ends access at the earlier of the two ends, never later', async () => {
    const scopes = { vault: { readOnly: ['crm_api_key'], ttlSeconds: 3 } };
    const { token, agent } = await t.admin.agents.create({ name: 'ttl-short', scopes });
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await read(token)).toBe(200); // 1.2 s of 3
    // 3 s → 1 s after 1.2 s: the end is now 1 s after the grant, already past.
    await t.admin.agents.update(agent.id, {
      scopes: { vault: { readOnly: ['crm_api_key'], ttlSeconds: 1 } },
    });
    expect(await read(token)).toBe(403);
  });

  it('a widening edit of the vault scope is a new grant: its period starts then', async () => {
    await t.admin.secrets.put('other_key', 'other-VALUE-rev9-0123456789');
    const scopes = { vault: { readOnly: ['crm_api_key'], ttlSeconds: 1 } };
    const { token, agent } = await t.admin.agents.create({ name: 'ttl-widen', scopes });
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await read(token)).toBe(403);
    await t.admin.agents.update(agent.id, {
      scopes: { vault: { readOnly: ['crm_api_key', 'other_key'], ttlSeconds: 1 } },
    });
    const entries = await t.admin.audit.list({ agentId: agent.id, action: 'agent.changed' });
    expect(entries.entries[0]?.facts).toMatchObject({ widens: true });
    expect(await read(token)).toBe(200);
  });
});
