// The audit cannot be rewritten without the vault key: with the daemon stopped, an attacker edits the
// SQLite file directly (deletes the newest rows, restores an older copy, rewrites an entry and recomputes
// the plain chain, deletes the checkpoint). After the restart, verify is not ok and says why, the status
// shows it and an entry records it. A kill -9 in the middle of a burst of requests is NOT tampering.
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHeadlessAgent } from '../helpers/headless-agent.ts';
import { startTestDaemon, TEST_PASSPHRASE, type TestDaemon } from '../helpers/daemon.ts';
import { hasKeyring, keyringSkipReason } from '../helpers/env.ts';
import { DB_FILE } from '../../core/storage/db.ts';
import { ANCHOR_FILE } from '../../core/audit/anchor.ts';
import { canonicalEntryText } from '../../core/audit/hash.ts';
import type { AuditRow } from '../../core/audit/row.ts';

/** A daemon with some owner activity in its audit log, stopped cleanly. Returns its data directory. */
async function seeded(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'akc-tamper-'));
  const t = await startTestDaemon({ dir });
  for (let i = 0; i < 6; i++) await t.admin.agents.create({ name: `bot-${i}`, scopes: {} });
  await t.stop();
  return dir;
}

async function restart(dir: string): Promise<TestDaemon> {
  const t = await startTestDaemon({ dir });
  if (!hasKeyring) await t.admin.vault.unlock(TEST_PASSPHRASE);
  return t;
}

function attack(dir: string, fn: (db: Database.Database) => void): void {
  const db = new Database(join(dir, DB_FILE));
  try {
    fn(db);
  } finally {
    db.close();
  }
}

function maxSeq(db: Database.Database): number {
  return (db.prepare('SELECT max(seq) AS n FROM audit').get() as { n: number }).n;
}

/** Reports the failure everywhere the owner looks, then stops the daemon and removes its directory. */
async function expectReported(t: TestDaemon, reason: string): Promise<void> {
  const verify = await t.admin.audit.verify();
  expect(verify.ok).toBe(false);
  expect(verify.reason).toBe(reason);
  expect(verify.problem).toBeTruthy();
  const status = await t.admin.vault.status();
  expect(status.auditIntegrity).toMatchObject({ ok: false, reason });
  const recorded = (await t.admin.audit.list({ action: 'audit.integrity_failed' })).entries;
  expect(recorded).toHaveLength(1);
  expect(recorded[0]).toMatchObject({ actor: 'system', decision: 'error', reason, rule: verify.problem });
  await t.stop();
  rmSync(t.dir, { recursive: true, force: true });
}

describe('audit tampering while the daemon is stopped', () => {
  it('an untouched log restarts clean, and verify is ok', async () => {
    const dir = await seeded();
    const t = await restart(dir);
    expect(await t.admin.audit.verify()).toMatchObject({ ok: true });
    expect(await t.admin.audit.verify({ mode: 'full' })).toMatchObject({ ok: true, from: 1 });
    expect((await t.admin.vault.status()).auditIntegrity).toMatchObject({ ok: true, reason: null });
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('detects the newest rows deleted together with the checkpoint', async () => {
    const dir = await seeded();
    attack(dir, (db) => {
      db.prepare('DELETE FROM audit WHERE seq > ?').run(maxSeq(db) - 3);
      db.prepare('DELETE FROM audit_checkpoint').run();
    });
    await expectReported(await restart(dir), 'truncated');
  });

  it('detects an older copy of the database restored over the newer one', async () => {
    const dir = await seeded();
    copyFileSync(join(dir, DB_FILE), join(dir, 'older.db'));
    const t = await restart(dir);
    await t.admin.agents.create({ name: 'later-bot', scopes: {} });
    await t.stop();
    copyFileSync(join(dir, 'older.db'), join(dir, DB_FILE));
    await expectReported(await restart(dir), 'truncated');
  });

  it('detects an entry rewritten with the plain SHA-256 chain recomputed and the checkpoint deleted', async () => {
    const dir = await seeded();
    attack(dir, (db) => {
      const rows = db.prepare('SELECT * FROM audit ORDER BY seq').all() as AuditRow[];
      const target = rows.find((r) => r.action === 'agent.created');
      if (target === undefined) throw new Error('no agent.created entry');
      db.prepare("UPDATE audit SET agent_name = 'nobody' WHERE seq = ?").run(target.seq);
      let prev = rows.find((r) => r.seq === target.seq - 1)?.hash ?? '0'.repeat(64);
      for (const row of db
        .prepare('SELECT * FROM audit WHERE seq >= ? ORDER BY seq')
        .all(target.seq) as AuditRow[]) {
        const body = { ...row, chain: 'plain', prev_hash: prev };
        const hash = createHash('sha256')
          .update(prev + canonicalEntryText(body))
          .digest('hex');
        db.prepare("UPDATE audit SET chain = 'plain', prev_hash = ?, hash = ? WHERE seq = ?").run(
          prev,
          hash,
          row.seq,
        );
        prev = hash;
      }
      db.prepare('DELETE FROM audit_checkpoint').run();
    });
    await expectReported(await restart(dir), 'anchor_mismatch');
  });

  it('detects a fresh database put next to the anchor of an earlier one', async () => {
    const dir = await seeded();
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, DB_FILE + suffix), { force: true });
    const t = await startTestDaemon({ dir, init: false });
    const status = await t.admin.vault.status();
    expect(status.auditIntegrity).toMatchObject({ ok: false, reason: 'rollback' });
    expect((await t.admin.audit.verify()).reason).toBe('rollback');
    await t.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!hasKeyring)(
    `detects an older database restored together with an older anchor file, from the keychain anchor${hasKeyring ? '' : ` (skipped: ${keyringSkipReason})`}`,
    async () => {
      const dir = await seeded();
      copyFileSync(join(dir, DB_FILE), join(dir, 'older.db'));
      copyFileSync(join(dir, ANCHOR_FILE), join(dir, 'older-anchor.json'));
      const t = await restart(dir);
      for (let i = 0; i < 3; i++) await t.admin.agents.create({ name: `later-${i}`, scopes: {} });
      await t.stop();
      copyFileSync(join(dir, 'older.db'), join(dir, DB_FILE));
      copyFileSync(join(dir, 'older-anchor.json'), join(dir, ANCHOR_FILE));
      await expectReported(await restart(dir), 'truncated');
    },
  );
});

describe('a crash is not tampering', () => {
  it('kill -9 in the middle of 40 racing proxied requests: after restart verify is ok, nothing flagged', async () => {
    const { child, up, fire, restart } = await startHeadlessAgent('akc-kill9-', {});
    await Promise.all(Array.from({ length: 10 }, fire));
    // The next burst is still being written when the process dies.
    const burst = Promise.all(Array.from({ length: 40 }, fire));
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (up.received.length >= 15) resolve();
        else setImmediate(check);
      };
      check();
    });
    child.proc.kill('SIGKILL');
    await child.exit;
    await burst;

    const { child: again, admin } = await restart();
    expect(await admin.audit.verify({ mode: 'full' })).toMatchObject({ ok: true });
    expect((await admin.vault.status()).auditIntegrity).toMatchObject({ ok: true });
    expect((await admin.audit.list({ action: 'audit.integrity_failed' })).entries).toEqual([]);
    again.proc.kill('SIGTERM');
    expect(await again.exit).toBe(0);
    await up.close();
  });
});
