// Fail-closed plumbing: an owner act whose audit entry cannot be written is reported to the owner (never
// only on stderr) while a narrowing act stays in force; the panic button revokes everyone even then; a
// released secret that fails at the last step is audited with the status the agent got.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { DB_FILE } from '../../core/storage/db.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';

let t: TestDaemon;
let other: Database.Database;

beforeAll(async () => {
  t = await startTestDaemon();
  other = new Database(join(t.dir, DB_FILE));
});
afterAll(async () => {
  other.close();
  await t.stop();
});

const BLOCK =
  "CREATE TRIGGER akc_test_block BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'blocked'); END";
const UNBLOCK = 'DROP TRIGGER akc_test_block';

async function create(name: string, scopes: object = {}): Promise<{ id: string; token: string }> {
  const r = await t.daemon.dispatch('agentCreate', { name, scopes }, 'ipc');
  return { id: r.agent.id, token: r.token };
}
const whoami = async (token: string): Promise<number> =>
  (await fetch(`${t.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } })).status;
const failure = (p: Promise<unknown>): Promise<{ code: string; message: string }> =>
  p.then(
    () => ({ code: 'none', message: 'it succeeded' }),
    (err: unknown) => err as { code: string; message: string },
  );

describe('owner events when the audit cannot be written', () => {
  it('revoke and suspend stay in force and the owner is told the entry is missing', async () => {
    const a = await create('unaudited-revoke');
    const b = await create('unaudited-suspend');
    other.exec(BLOCK);
    try {
      const revoked = await failure(
        t.daemon.dispatch('agentRevoke', { id: a.id, reason: 'test', severity: 'high' }, 'ipc'),
      );
      expect(revoked.code).toBe('audit_unavailable');
      expect(revoked.message).toMatch(/^unaudited-revoke is revoked, but the audit entry/);
      const suspended = await failure(t.daemon.dispatch('agentSuspend', { id: b.id }, 'ipc'));
      expect(suspended.code).toBe('audit_unavailable');
      expect(suspended.message).toMatch(/^unaudited-suspend is suspended/);
      // A widening act is refused outright.
      const put = await failure(t.daemon.dispatch('secretPut', { name: 'x', value: 'y' }, 'ipc'));
      expect(put.code).toBe('audit_unavailable');
    } finally {
      other.exec(UNBLOCK);
    }
    expect(await whoami(a.token)).toBe(401);
    expect(await whoami(b.token)).toBe(403);
    expect((await t.daemon.dispatch('agentGet', { id: a.id }, 'ipc')).status).toBe('revoked');
  });

  it('revoke-all revokes every agent and names the entries it could not write', async () => {
    const c = await create('panic-1');
    const d = await create('panic-2');
    other.exec(BLOCK);
    let result: { code: string; message: string };
    try {
      result = await failure(
        t.daemon.dispatch('agentsRevokeAll', { reason: 'panic', severity: 'high' }, 'ipc'),
      );
    } finally {
      other.exec(UNBLOCK);
    }
    expect(result.code).toBe('audit_unavailable');
    expect(result.message).toContain('panic-1');
    expect(result.message).toContain('panic-2');
    expect(await whoami(c.token)).toBe(401);
    expect(await whoami(d.token)).toBe(401);
  });
});

describe('secret release', () => {
  function nextApproval(): Promise<string> {
    return new Promise((resolve) => {
      const off = t.daemon.subscribe((ev) => {
        if (ev.name !== 'approval.requested') return;
        off();
        resolve(ev.data.id);
      });
    });
  }

  async function heldRead(
    name: string,
  ): Promise<{ agentId: string; approvalId: string; res: Promise<Response> }> {
    const agent = await create(`held-${name}`, { vault: { readOnly: [name], approval: 'always' } });
    const requested = nextApproval();
    const res = fetch(`${t.url}/v1/secrets/${name}`, { headers: { authorization: `Bearer ${agent.token}` } });
    return { agentId: agent.id, approvalId: await requested, res };
  }

  const outcomes = async (agentId: string): Promise<{ reason: string | null; status: number | null }[]> =>
    (await t.daemon.dispatch('auditList', { agentId }, 'ipc')).entries.filter(
      (e) => e.decision !== 'pending',
    );

  it('a secret deleted while the owner looked is a 404, audited as 404', async () => {
    await t.daemon.dispatch('secretPut', { name: 'crm_api_key', value: 'crm-value-000001' }, 'ipc');
    const held = await heldRead('crm_api_key');
    await t.daemon.dispatch('secretDelete', { name: 'crm_api_key' }, 'ipc');
    await t.daemon.dispatch('approvalDecide', { id: held.approvalId, decision: 'approve' }, 'ipc');
    expect((await held.res).status).toBe(404);
    expect(await outcomes(held.agentId)).toContainEqual(
      expect.objectContaining({ reason: 'not_found', status: 404 }),
    );
  });

  it('a vault locked while the owner looked: the audited status is the one the agent got', async () => {
    await t.daemon.dispatch('secretPut', { name: 'locked_key', value: 'locked-value-000001' }, 'ipc');
    const held = await heldRead('locked_key');
    await t.daemon.dispatch('vaultLock', {}, 'ipc');
    await t.daemon
      .dispatch('approvalDecide', { id: held.approvalId, decision: 'approve' }, 'ipc')
      .catch(() => null);
    const res = await held.res;
    const body = await res.text();
    expect(res.status).not.toBe(200);
    expect(body).not.toContain('locked-value-000001');
    const last = (await outcomes(held.agentId))[0];
    expect(last?.status).toBe(res.status);
  });
});
