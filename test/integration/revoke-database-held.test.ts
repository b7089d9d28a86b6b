// Revoking or suspending needs nothing from the database: with the file held locked by another connection
// (what any same-user program can do), the credential is dead and the open stream is cut the moment the
// owner acts; the owner is told what could not be written yet; a rollback does not bring the agent back,
// and the row is written once the database is free, so a restart keeps the agent revoked. (Found by an
// attack review: the row was written first, so a held database made revoke fail and cut nothing.)
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { DB_FILE } from '../../core/storage/db.ts';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startUpstream, type FakeUpstream } from '../helpers/upstream.ts';
import { rejection } from '../helpers/rejection.ts';

let dir: string;
let t: TestDaemon;
let up: FakeUpstream;

afterEach(async () => {
  limitFileSize(null);
  await t.stop().catch(() => undefined);
  await up.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A provider that streams a tick every 20 ms until the connection closes. */
async function start(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), 'akc-held-'));
  up = await startUpstream((_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const tick = setInterval(() => res.write('data: {"tick":1}\n\n'), 20);
    res.on('close', () => clearInterval(tick));
  });
  t = await startTestDaemon({ dir });
  await t.admin.providers.put('api', { kind: 'http', baseUrl: up.url, key: 'k-held-database-key-0001' });
}

/** Opens a stream; resolves once its first chunk is in, with a promise for the stream's end. */
function openStream(token: string): Promise<{ ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${t.url}/v1/proxy/api/s`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      const ended = new Promise<void>((done) => res.on('close', () => done()));
      res.on('error', () => undefined);
      res.once('data', () => resolve({ ended }));
    });
    req.on('error', reject);
    req.end('{}');
  });
}

/** Holds the database locked from a second connection (busy_timeout 0) for the length of `act`. */
async function whileHeld<T>(act: () => Promise<T>): Promise<T> {
  const blocker = new Database(join(dir, DB_FILE));
  blocker.pragma('busy_timeout = 0');
  blocker.exec('BEGIN EXCLUSIVE');
  try {
    return await act();
  } finally {
    blocker.exec('ROLLBACK');
    blocker.close();
  }
}

/** A full disk, as SQLite sees it: no file of this process may grow past `bytes` (null: no limit). */
function limitFileSize(bytes: number | null): void {
  execFileSync('prlimit', ['--pid', String(process.pid), `--fsize=${bytes ?? 'unlimited'}:unlimited`]);
}

/** Opens a group of request entries (as an agent's request does) that will fail to commit on a full disk. */
function openGroupOnFullDisk(agentId: string): void {
  limitFileSize(statSync(join(dir, `${DB_FILE}-wal`)).size);
  void t.daemon.core.transactions
    .grouped((u) => u.record({ actor: 'agent', action: 'proxy.request', decision: 'allow', agentId }))
    .catch(() => undefined);
}

async function whoami(token: string): Promise<number> {
  return (await fetch(`${t.url}/v1/whoami`, { headers: { authorization: `Bearer ${token}` } })).status;
}

describe('a database held by another program', () => {
  it('does not delay or undo a revoke', async () => {
    await start();
    const { agent, token } = await t.admin.agents.create({
      name: 'held-bot',
      scopes: { providers: { api: {} } },
    });
    const stream = await openStream(token);
    await whileHeld(async () => {
      const err = await rejection(t.admin.agents.revoke(agent.id, { reason: 'leak', severity: 'high' }));
      // The owner is told it is in force, and what is not written yet.
      expect(err.message).toContain('held-bot is revoked now');
      expect(err.message).toContain('revoked state');
      // Cut while the database is still held: the stream ends and the credential is dead.
      await stream.ended;
      expect(await whoami(token)).toBe(401);
    });
    // A rolled-back owner act re-reads the agents from the table, which is behind: the cut stays.
    await expect(t.admin.agents.update('agt_doesnotexist', { name: 'x' })).rejects.toThrow();
    expect(await whoami(token)).toBe(401);
    expect((await t.admin.agents.get(agent.id)).status).toBe('revoked');
    // Written once the database is free (here by the stop), so a restart keeps it revoked.
    await t.stop();
    const row = new Database(join(dir, DB_FILE), { readonly: true })
      .prepare<[string], { status: string }>('SELECT status FROM agents WHERE id = ?')
      .get(agent.id);
    expect(row?.status).toBe('revoked');
    t = await startTestDaemon({ dir, init: false });
    expect(await whoami(token)).toBe(401);
    expect((await t.admin.agents.get(agent.id)).status).toBe('revoked');
  }, 30_000);

  it('does not delay a suspend, and a later write of the whole row keeps it', async () => {
    await start();
    const { agent, token } = await t.admin.agents.create({
      name: 'held-suspend-bot',
      scopes: { providers: { api: {} } },
    });
    const stream = await openStream(token);
    await whileHeld(async () => {
      await expect(t.admin.agents.suspend(agent.id, 'held')).rejects.toThrow(/is suspended now/);
      await stream.ended;
      expect(await whoami(token)).toBe(403);
    });
    // A rename writes the whole row from memory: the suspension goes with it.
    await t.admin.agents.update(agent.id, { name: 'renamed-bot' });
    await t.stop();
    t = await startTestDaemon({ dir, init: false });
    expect((await t.admin.agents.get(agent.id)).status).toBe('suspended');
    expect(await whoami(token)).toBe(403);
  }, 30_000);
});

describe('a group commit that fails around a cut (a full disk, which an agent can cause)', () => {
  async function agent(): Promise<{ id: string; token: string }> {
    await start();
    const { agent: a, token } = await t.admin.agents.create({
      name: 'undo-bot',
      scopes: { providers: { api: {} } },
    });
    return { id: a.id, token };
  }

  it('does not undo a revoke made while the group was open', async () => {
    const { id, token } = await agent();
    openGroupOnFullDisk(id);
    // Same turn of the event loop: the group is still open when the owner's revoke runs.
    const told = await rejection(
      t.daemon.dispatch('agentRevoke', { id, reason: 'leak', severity: 'high' }, 'http'),
    );
    limitFileSize(null);
    expect(told.message).toContain('undo-bot is revoked now');
    expect(t.daemon.core.agents.get(id).status).toBe('revoked');
    expect(await whoami(token)).toBe(401);
    // Written by the retry once the disk has room, and so kept over a restart.
    t.daemon.core.flush();
    t.daemon.core.agents.saveUnsaved();
    expect(t.daemon.core.agents.unsavedCount).toBe(0);
    await t.stop();
    t = await startTestDaemon({ dir, init: false });
    expect(await whoami(token)).toBe(401);
  }, 30_000);

  it('does not bring back the old credential of a rotation made while the group was open', async () => {
    const { id, token } = await agent();
    openGroupOnFullDisk(id);
    await rejection(t.daemon.dispatch('agentRotate', { id }, 'http'));
    limitFileSize(null);
    expect(await whoami(token)).toBe(401);
  }, 30_000);

  it('keeps a suspend not written yet when an owner edit of the agent rolls back, and refuses a resume meanwhile', async () => {
    const { id, token } = await agent();
    limitFileSize(statSync(join(dir, `${DB_FILE}-wal`)).size);
    await expect(t.admin.agents.suspend(id, 'odd')).rejects.toThrow(/is suspended now/);
    expect(await whoami(token)).toBe(403);
    await expect(t.admin.agents.update(id, { name: 'narrowed' })).rejects.toThrow();
    expect(await whoami(token)).toBe(403);
    limitFileSize(null);
    await expect(t.admin.agents.resume(id)).rejects.toThrow(/not written to the database yet/);
    expect(await whoami(token)).toBe(403);
  }, 30_000);
});
