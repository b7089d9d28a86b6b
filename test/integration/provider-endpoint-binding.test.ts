// A provider's sealed master key is bound to where and how it is sent (id, kind, base URL, auth header and
// prefix). A same-user program that rewrites those columns in the database cannot redirect the key to
// itself: the key no longer opens, nothing is sent, and the owner is told to check the provider. Changes
// the owner makes through Agent Keychain re-seal the key for the new endpoint.
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DB_FILE } from '../../core/storage/db.ts';
import { agentPost, startTestDaemon, TEST_PASSPHRASE, type TestDaemon } from '../helpers/daemon.ts';
import { startUpstream, type FakeUpstream } from '../helpers/upstream.ts';

const KEY = 'k-bound-master-key-0000000001';

let dir: string;
let t: TestDaemon;
let real: FakeUpstream;
let thief: FakeUpstream;

afterEach(async () => {
  await t.stop().catch(() => undefined);
  await real.close();
  await thief.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A daemon with a passphrase vault (no keychain item an agent could read), one provider, one agent. */
async function start(): Promise<string> {
  dir = mkdtempSync(join(tmpdir(), 'akc-bound-'));
  real = await startUpstream();
  thief = await startUpstream();
  t = await startTestDaemon({ dir, init: false });
  await t.admin.vault.init({ keySource: 'passphrase', passphrase: TEST_PASSPHRASE });
  await t.admin.providers.put('api', { kind: 'http', baseUrl: real.url, key: KEY });
  const { token } = await t.admin.agents.create({ name: 'bound-bot', scopes: { providers: { api: {} } } });
  expect((await agentPost(t.url, token, '/v1/proxy/api/x', '{}')).status).toBe(200);
  return token;
}

/** What an agent can do as the owner's OS user: write the database file directly, then wait for a restart. */
async function tamperAndRestart(sql: string, ...params: unknown[]): Promise<void> {
  await t.stop();
  const db = new Database(join(dir, DB_FILE));
  db.prepare(sql).run(...params);
  db.close();
  t = await startTestDaemon({ dir, init: false });
  await t.admin.vault.unlock(TEST_PASSPHRASE);
}

describe('a provider key bound to its endpoint', () => {
  it('does not go to a base URL written into the database behind the owner', async () => {
    const token = await start();
    await tamperAndRestart("UPDATE providers SET base_url = ? WHERE id = 'api'", thief.url);
    const r = await agentPost(t.url, token, '/v1/proxy/api/x', '{}');
    expect(r.status).toBe(500);
    expect(r.body).toContain('integrity');
    expect(r.body).not.toContain(KEY);
    expect(thief.received).toHaveLength(0);
  });

  it('does not go out in a header named behind the owner', async () => {
    const token = await start();
    await tamperAndRestart("UPDATE providers SET auth_header = 'x-echo-me' WHERE id = 'api'");
    expect((await agentPost(t.url, token, '/v1/proxy/api/x', '{}')).status).toBe(500);
    expect(real.received).toHaveLength(1); // only the call before the change
  });

  it('follows an endpoint the owner changes, and a key the owner sets again', async () => {
    const token = await start();
    await t.admin.providers.put('api', { kind: 'http', baseUrl: thief.url });
    expect((await agentPost(t.url, token, '/v1/proxy/api/x', '{}')).status).toBe(200);
    expect(JSON.stringify(thief.received.at(-1)?.headers)).toContain(KEY);
    // Still bound after a restart (the re-sealed key opens for the endpoint as stored).
    await tamperAndRestart('SELECT 1');
    expect((await agentPost(t.url, token, '/v1/proxy/api/x', '{}')).status).toBe(200);
    expect(thief.received).toHaveLength(2);
  });

  it('seals a key stored by an earlier version for its endpoint at the first unlock', async () => {
    const token = await start();
    // As versions before the binding stored it: sealed under the provider's id alone.
    const legacy = t.daemon.core.vault.sealString('provider:api', KEY);
    await tamperAndRestart("UPDATE providers SET key_sealed = ? WHERE id = 'api'", legacy);
    const stored = (): Buffer | undefined =>
      new Database(join(dir, DB_FILE), { readonly: true })
        .prepare<[], { key_sealed: Buffer }>("SELECT key_sealed FROM providers WHERE id = 'api'")
        .get()?.key_sealed;
    expect(stored()?.equals(legacy)).toBe(false);
    expect((await agentPost(t.url, token, '/v1/proxy/api/x', '{}')).status).toBe(200);
    // From then on it is bound like any other.
    await tamperAndRestart("UPDATE providers SET base_url = ? WHERE id = 'api'", thief.url);
    expect((await agentPost(t.url, token, '/v1/proxy/api/x', '{}')).status).toBe(500);
    expect(thief.received).toHaveLength(0);
  });

  it('is not sent where a request prepared before a re-read would send it (the row swapped back meanwhile)', async () => {
    await start();
    const { token: held, agent } = await t.admin.agents.create({
      name: 'held-bot',
      scopes: { providers: { api: { approval: 'always' } } },
    });
    // The agent points the provider at itself and gets the daemon to read that (a restart here).
    await tamperAndRestart("UPDATE providers SET base_url = ? WHERE id = 'api'", thief.url);
    // A request held for the owner's approval: the proxy has read the provider (the thief's URL) already.
    const requested = new Promise<string>((resolve) => {
      const stop = t.daemon.subscribe((event) => {
        if (event.name === 'approval.requested' && event.data.agentId === agent.id) {
          stop();
          resolve(event.data.id);
        }
      });
    });
    const call = agentPost(t.url, held, '/v1/proxy/api/x', '{}');
    const approval = await requested;
    // It puts the owner's row back (the key opens for it again) and gets the daemon to re-read it, here
    // with an owner act that rolls back; then the owner approves what they saw.
    const db = new Database(join(dir, DB_FILE));
    db.prepare("UPDATE providers SET base_url = ? WHERE id = 'api'").run(real.url);
    db.close();
    await expect(t.admin.agents.update('agt_doesnotexist', { name: 'x' })).rejects.toThrow();
    await t.admin.approvals.approve(approval, {});
    const r = await call;
    expect(r.status).toBe(409);
    expect(r.body).toContain('changed while this request was on its way');
    expect(thief.received).toHaveLength(0);
  });
});
