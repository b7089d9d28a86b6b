// AuditLog.verify and the sealed head: every kind of tampering is reported, an intact log is not.
// Tampering goes through a second SQLite connection, as an attacker with the file would.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DB_FILE, openDatabase } from '../../core/storage/db.ts';
import type { Db } from '../../core/storage/db.ts';
import { AuditLog } from '../../core/audit/log.ts';
import type { AuditVerifyResult } from '../../core/audit/log.ts';
import type { AuditInput } from '../../core/audit/types.ts';

let dir: string;
let db: Db;
let attacker: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'akc-audit-verify-'));
  db = openDatabase(dir);
  attacker = new Database(join(dir, DB_FILE));
});

afterEach(() => {
  attacker.close();
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function input(i: number): AuditInput {
  return {
    agentId: `agt_a${i % 3}`,
    agentName: `agent ${i % 3}`,
    actor: 'agent',
    action: i % 2 === 0 ? 'proxy.request' : 'secret.read',
    provider: 'openai',
    method: 'POST',
    path: `/chat/completions/${i}`,
    facts: { model: 'gpt-4o-mini', n: i },
    decision: i % 5 === 0 ? 'deny' : 'allow',
    reason: i % 5 === 0 ? 'scope_denied' : null,
    status: 200,
    latencyMs: i / 10,
    costUsd: 0.001,
    requestId: `req_${i}`,
  };
}

function fill(log: AuditLog, n: number): void {
  for (let i = 1; i <= n; i++) log.append(input(i));
}

function head(): { seq: number; hash: string; mac: string } | undefined {
  return attacker.prepare('SELECT seq, hash, mac FROM audit_head WHERE id = 1').get() as
    { seq: number; hash: string; mac: string } | undefined;
}

/** verify, cross-checked against verifyAsync in batches of 3 (so batch edges are crossed). */
async function verified(log: AuditLog): Promise<AuditVerifyResult> {
  const sync = log.verify();
  expect(await log.verifyAsync(3)).toEqual(sync);
  return sync;
}

function mac(key: Uint8Array, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`${seq}:${hash}`).digest('hex');
}

describe('verify: the chain', () => {
  it('reports an empty log as ok with nothing checked', () => {
    expect(new AuditLog(db).verify()).toEqual({ ok: true, checked: 0 });
  });

  it('passes an untouched log', async () => {
    const log = new AuditLog(db);
    fill(log, 30);
    expect(await verified(log)).toEqual({ ok: true, checked: 30 });
  });

  it('names the entry whose field was changed', async () => {
    const log = new AuditLog(db);
    fill(log, 20);
    attacker.prepare("UPDATE audit SET decision = 'allow' WHERE seq = 10").run();
    const result = await verified(log);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 10, checked: 10 });
    expect(result.problem).toBe('Entry 10 was changed after it was written.');
  });

  it('catches an edit to the facts and to a number', async () => {
    const log = new AuditLog(db);
    fill(log, 10);
    attacker.prepare(`UPDATE audit SET facts_json = '{"model":"gpt-4o","n":4}' WHERE seq = 4`).run();
    expect(await verified(log)).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    attacker.prepare(`UPDATE audit SET facts_json = '{"model":"gpt-4o-mini","n":4}' WHERE seq = 4`).run();
    expect(await verified(log)).toEqual({ ok: true, checked: 10 });
    attacker.prepare('UPDATE audit SET cost_usd = 0 WHERE seq = 7').run();
    expect(await verified(log)).toMatchObject({ ok: false, firstBrokenSeq: 7 });
  });

  it('catches an edit whose hash was recomputed by the attacker at the next entry', async () => {
    const log = new AuditLog(db);
    fill(log, 10);
    attacker.prepare("UPDATE audit SET path = '/x', hash = ? WHERE seq = 5").run('f'.repeat(64));
    expect(await verified(log)).toMatchObject({ ok: false, firstBrokenSeq: 5 });
  });

  it('reports a deleted middle entry as missing', async () => {
    const log = new AuditLog(db);
    fill(log, 20);
    attacker.prepare('DELETE FROM audit WHERE seq = 8').run();
    const result = await verified(log);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 8 });
    expect(result.problem).toContain('Entry 8 is missing');
  });

  it('reports deleted oldest entries', async () => {
    const log = new AuditLog(db);
    fill(log, 5);
    attacker.prepare('DELETE FROM audit WHERE seq <= 2').run();
    const result = await verified(log);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 1 });
    expect(result.problem).toContain('oldest entries were deleted');
  });

  it('reports a deleted middle entry even when later seqs were renumbered to close the gap', async () => {
    const log = new AuditLog(db);
    fill(log, 10);
    attacker.exec('DELETE FROM audit WHERE seq = 6; UPDATE audit SET seq = seq - 1 WHERE seq > 6;');
    const result = await verified(log);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 6 });
    expect(result.problem).toContain('does not follow entry 5');
  });

  it('reports two swapped entries', async () => {
    const log = new AuditLog(db);
    fill(log, 12);
    attacker.exec(
      'UPDATE audit SET seq = -1 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = 9; UPDATE audit SET seq = 9 WHERE seq = -1;',
    );
    const result = await verified(log);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    expect(result.problem).toBe(
      'Entry 4 does not follow entry 3: entries were reordered, replaced or removed.',
    );
  });

  it('reports two swapped neighbours', async () => {
    const log = new AuditLog(db);
    fill(log, 6);
    attacker.exec(
      'UPDATE audit SET seq = -1 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = -1;',
    );
    expect(await verified(log)).toMatchObject({ ok: false, firstBrokenSeq: 2 });
  });
});

describe('verify: the sealed head', () => {
  it('detects truncation of the newest entries once the head is sealed', async () => {
    const key = randomBytes(32);
    const log = new AuditLog(db);
    log.setHeadKey(key);
    fill(log, 20);
    expect(head()).toEqual({ seq: 20, hash: log.last().hash, mac: mac(key, 20, log.last().hash) });
    attacker.prepare('DELETE FROM audit WHERE seq > 17').run();
    const result = await verified(log);
    expect(result).toMatchObject({ ok: false, checked: 17, firstBrokenSeq: 18 });
    expect(result.problem).toBe(
      'The newest entries were removed: the log ends at entry 17 but its sealed head says it reached entry 20.',
    );
  });

  it('keeps reporting truncation after a restart, an unlock and further appends', async () => {
    const key = randomBytes(32);
    const first = new AuditLog(db);
    first.setHeadKey(key);
    fill(first, 10);
    db.close();
    attacker.prepare('DELETE FROM audit WHERE seq > 7').run();
    db = openDatabase(dir);
    const log = new AuditLog(db);
    expect(log.last().seq).toBe(7);
    log.setHeadKey(key);
    log.append(input(98));
    expect(await verified(log)).toMatchObject({ ok: false, firstBrokenSeq: 9 });
    for (let i = 0; i < 4; i++) log.append(input(99 + i));
    // The head was not moved over the evidence: it still says 10, and entry 10 is not the one it sealed.
    expect(head()?.seq).toBe(10);
    const result = await verified(log);
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: 10 });
    expect(result.problem).toContain('does not match the sealed head');
  });

  it('detects truncation without the key too, from the head row alone', async () => {
    const log = new AuditLog(db);
    log.setHeadKey(randomBytes(32));
    fill(log, 5);
    log.setHeadKey(null);
    attacker.prepare('DELETE FROM audit WHERE seq > 3').run();
    expect(await verified(log)).toMatchObject({ ok: false, firstBrokenSeq: 4 });
  });

  it('reports a log whose every entry was deleted', async () => {
    const log = new AuditLog(db);
    log.setHeadKey(randomBytes(32));
    fill(log, 4);
    attacker.prepare('DELETE FROM audit').run();
    const result = await verified(log);
    expect(result).toMatchObject({ ok: false, checked: 0, firstBrokenSeq: 1 });
    expect(result.problem).toContain('All entries were removed');
  });

  it('reports a forged head seal', async () => {
    const log = new AuditLog(db);
    log.setHeadKey(randomBytes(32));
    fill(log, 8);
    attacker.prepare('UPDATE audit_head SET mac = ?').run('ab'.repeat(32));
    const result = await verified(log);
    expect(result.ok).toBe(false);
    expect(result.problem).toContain('seal does not match');
  });

  it('reports a head moved back to hide truncation, because the attacker cannot seal it', async () => {
    const key = randomBytes(32);
    const log = new AuditLog(db);
    log.setHeadKey(key);
    fill(log, 10);
    const sixth = attacker.prepare('SELECT hash FROM audit WHERE seq = 6').get() as { hash: string };
    attacker.prepare('DELETE FROM audit WHERE seq > 6').run();
    attacker.prepare('UPDATE audit_head SET seq = 6, hash = ?').run(sixth.hash);
    expect(await verified(log)).toMatchObject({ ok: false });
    expect((await verified(log)).problem).toContain('seal does not match');
  });

  it('reports a deleted head row while the key is set', async () => {
    const log = new AuditLog(db);
    log.setHeadKey(randomBytes(32));
    fill(log, 3);
    attacker.prepare('DELETE FROM audit_head').run();
    const result = await verified(log);
    expect(result.ok).toBe(false);
    expect(result.problem).toContain('sealed head of the audit log was deleted');
  });

  it('reseals after unsealed appends when the key is set, and verifies', async () => {
    const key = randomBytes(32);
    const log = new AuditLog(db);
    fill(log, 5);
    expect(head()).toBeUndefined();
    expect(await verified(log)).toEqual({ ok: true, checked: 5 });
    log.setHeadKey(key);
    expect(head()).toEqual({ seq: 5, hash: log.last().hash, mac: mac(key, 5, log.last().hash) });
    log.append(input(6));
    expect(head()?.seq).toBe(6);
    // Vault locked: appends go on, the head stays where it was.
    log.setHeadKey(null);
    log.append(input(7));
    log.append(input(8));
    expect(head()?.seq).toBe(6);
    expect(await verified(log)).toEqual({ ok: true, checked: 8 });
    // Unlocked again: the head is checked, then moved to the newest entry.
    log.setHeadKey(key);
    expect(head()).toEqual({ seq: 8, hash: log.last().hash, mac: mac(key, 8, log.last().hash) });
    expect(await verified(log)).toEqual({ ok: true, checked: 8 });
  });

  it('does not reseal over a forged head when the key is set', async () => {
    const key = randomBytes(32);
    const log = new AuditLog(db);
    log.setHeadKey(key);
    fill(log, 4);
    attacker.prepare('UPDATE audit_head SET mac = ?').run('00'.repeat(32));
    log.setHeadKey(null);
    log.setHeadKey(key);
    log.append(input(5));
    expect(head()?.mac).toBe('00'.repeat(32));
    expect((await verified(log)).ok).toBe(false);
  });

  it('does not reseal when the unsealed tail was tampered with', async () => {
    const key = randomBytes(32);
    const log = new AuditLog(db);
    log.setHeadKey(key);
    fill(log, 3);
    log.setHeadKey(null);
    log.append(input(4));
    log.append(input(5));
    attacker.prepare("UPDATE audit SET path = '/tampered' WHERE seq = 5").run();
    log.setHeadKey(key);
    expect(head()?.seq).toBe(3);
    expect(await verified(log)).toMatchObject({ ok: false, firstBrokenSeq: 5 });
  });

  it('rejects a head key of the wrong size', () => {
    expect(() => new AuditLog(db).setHeadKey(new Uint8Array(16))).toThrow(TypeError);
  });

  it('keeps its own copy of the key', async () => {
    const key = randomBytes(32);
    const copy = Buffer.from(key);
    const log = new AuditLog(db);
    log.setHeadKey(key);
    key.fill(0);
    fill(log, 2);
    expect(head()?.mac).toBe(mac(copy, 2, log.last().hash));
    expect((await verified(log)).ok).toBe(true);
  });
});

describe('verifyAsync', () => {
  it('lets appends run between batches and checks the log as it was when it started', async () => {
    const log = new AuditLog(db);
    log.setHeadKey(randomBytes(32));
    fill(log, 40);
    const pending = log.verifyAsync(5);
    let appended = 0;
    const ticker = setInterval(() => {
      log.append(input(100 + appended));
      appended++;
    }, 0);
    const result = await pending;
    clearInterval(ticker);
    expect(result).toEqual({ ok: true, checked: 40 });
    expect(await verified(log)).toEqual({ ok: true, checked: 40 + appended });
  });
});
