// AuditLog.verify, the keyed chain and the anchors outside the database: every kind of tampering is
// reported with its reason, an intact log (also after a crash) is not. Tampering goes through a second
// SQLite connection while the log is closed, as an attacker with the file would do it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DB_FILE, openDatabase } from '../../core/storage/db.ts';
import type { Db } from '../../core/storage/db.ts';
import { AuditLog } from '../../core/audit/log.ts';
import { ANCHOR_FILE } from '../../core/audit/anchor.ts';
import { canonicalJson } from '../../core/audit/canonical.ts';
import { canonicalEntryText, deriveAuditKeys } from '../../core/audit/hash.ts';
import type { AuditRow } from '../../core/audit/row.ts';
import type { AuditInput } from '../../core/audit/types.ts';

let dir: string;
const KEY = randomBytes(32);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'akc-audit-verify-'));
});

afterEach(() => {
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

interface Session {
  db: Db;
  log: AuditLog;
}

/** Opens the log as the daemon does at start; with a key, as after the vault was unlocked. */
async function open(key: Uint8Array | null = KEY): Promise<Session> {
  const db = openDatabase(dir);
  const log = new AuditLog(db);
  if (key !== null) await log.useKey(key);
  return { db, log };
}

/** A clean stop: anchors written (marked clean), database closed. */
async function stop(s: Session): Promise<void> {
  await s.log.close();
  s.db.close();
}

async function run(n: number, from = 1): Promise<void> {
  const s = await open();
  for (let i = from; i < from + n; i++) s.log.append(input(i));
  await stop(s);
}

/** The attacker's connection to the database file, used while the daemon is stopped. */
function attack(fn: (db: Database.Database) => void): void {
  const db = new Database(join(dir, DB_FILE));
  try {
    fn(db);
  } finally {
    db.close();
  }
}

function rows(db: Database.Database): AuditRow[] {
  return db.prepare('SELECT * FROM audit ORDER BY seq').all() as AuditRow[];
}

/** What an attacker without the vault key can do: recompute the chain with plain SHA-256. */
function recomputePlain(db: Database.Database, fromSeq: number): void {
  const all = rows(db);
  let prev = all.find((r) => r.seq === fromSeq - 1)?.hash ?? '0'.repeat(64);
  const update = db.prepare('UPDATE audit SET chain = ?, prev_hash = ?, hash = ? WHERE seq = ?');
  for (const row of all.filter((r) => r.seq >= fromSeq)) {
    const body = { ...row, chain: 'plain', prev_hash: prev };
    const hash = createHash('sha256')
      .update(prev + canonicalEntryText(body))
      .digest('hex');
    update.run('plain', prev, hash, row.seq);
    prev = hash;
  }
}

describe('the keyed chain', () => {
  it('keys every entry once the vault key is known, with a MAC nobody without the key can recompute', async () => {
    const s = await open();
    const e = s.log.append(input(1));
    expect(e.chain).toBe('mac');
    const { hash: _hash, ...body } = e;
    const expected = createHmac('sha256', deriveAuditKeys(KEY).chain)
      .update(e.prevHash + canonicalJson(body))
      .digest('hex');
    expect(e.hash).toBe(expected);
    expect(e.hash).not.toBe(
      createHash('sha256')
        .update(e.prevHash + canonicalJson(body))
        .digest('hex'),
    );
    await stop(s);
  });

  it('writes plain entries before the first unlock, keys the ones after, and verifies both', async () => {
    const s = await open(null);
    expect(s.log.append(input(1)).chain).toBe('plain');
    await s.log.useKey(KEY);
    expect(s.log.append(input(2)).chain).toBe('mac');
    expect(await s.log.verify({ full: true })).toMatchObject({ ok: true, checked: 2 });
    await stop(s);
  });

  it('cannot vouch for keyed entries while no key is known, and says to unlock', async () => {
    await run(3);
    const s = await open(null);
    expect(await s.log.verify({ full: true })).toMatchObject({ ok: false, reason: 'locked' });
    // Not an integrity failure: nothing was found wrong.
    expect(s.log.integrity().ok).toBe(true);
    s.db.close();
  });

  it('names the entry whose field was changed', async () => {
    await run(10);
    attack((db) => db.prepare("UPDATE audit SET decision = 'allow', reason = NULL WHERE seq = 5").run());
    const s = await open();
    const v = await s.log.verify({ full: true });
    expect(v).toMatchObject({ ok: false, firstBrokenSeq: 5, reason: 'edited' });
    expect(v.problem).toBe('Entry 5 was changed after it was written.');
    s.db.close();
  });

  it('reports deleted, swapped and downgraded entries', async () => {
    await run(8);
    attack((db) => db.prepare('DELETE FROM audit WHERE seq = 4').run());
    let s = await open();
    expect(await s.log.verify({ full: true })).toMatchObject({
      ok: false,
      firstBrokenSeq: 4,
      reason: 'deleted',
    });
    s.db.close();

    rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), 'akc-audit-verify-'));
    await run(8);
    attack((db) => {
      const r = rows(db);
      const three = r[2];
      const four = r[3];
      if (three === undefined || four === undefined) throw new Error('rows missing');
      db.prepare('UPDATE audit SET seq = -1 WHERE seq = 3').run();
      db.prepare('UPDATE audit SET seq = 3 WHERE seq = 4').run();
      db.prepare('UPDATE audit SET seq = 4 WHERE seq = -1').run();
    });
    s = await open();
    expect(await s.log.verify({ full: true })).toMatchObject({
      ok: false,
      firstBrokenSeq: 3,
      reason: 'reordered',
    });
    s.db.close();
  });

  it('passes an untouched log after restarts, incrementally from the checkpoint and in full', async () => {
    await run(20);
    await run(5, 21);
    const s = await open();
    expect(s.log.integrity()).toMatchObject({ ok: true, reason: null });
    const incremental = await s.log.verify();
    expect(incremental).toMatchObject({ ok: true });
    // The check at unlock verified up to the end and left a checkpoint there: nothing is re-read.
    expect(incremental.from).toBe(26);
    expect(incremental.checked).toBe(0);
    s.log.append(input(26));
    expect(await s.log.verify()).toMatchObject({ ok: true, checked: 1, from: 26 });
    expect(await s.log.verify({ full: true })).toMatchObject({ ok: true, checked: 26, from: 1 });
    await stop(s);
  });

  it('still finds an edit behind the checkpoint in a full verify', async () => {
    await run(10);
    attack((db) => db.prepare("UPDATE audit SET path = '/elsewhere' WHERE seq = 2").run());
    const s = await open();
    // The checkpoint vouches for entries up to it (its own entry still matches); full re-reads them all.
    expect(await s.log.verify({ full: true })).toMatchObject({
      ok: false,
      firstBrokenSeq: 2,
      reason: 'edited',
    });
    s.db.close();
  });
});

describe('anchors outside the database (the daemon stopped, the SQLite file edited)', () => {
  it('writes a 0600 anchor file that names the newest entry', async () => {
    await run(4);
    const anchor = JSON.parse(readFileSync(join(dir, ANCHOR_FILE), 'utf8')) as Record<string, unknown>;
    const db = new Database(join(dir, DB_FILE));
    const newest = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get();
    db.close();
    expect({ seq: anchor.seq, hash: anchor.hash, clean: anchor.clean }).toEqual({
      ...(newest as object),
      clean: true,
    });
  });

  it('detects the newest rows deleted together with the checkpoint', async () => {
    await run(12);
    attack((db) => {
      db.prepare('DELETE FROM audit WHERE seq > 9').run();
      db.prepare('DELETE FROM audit_checkpoint').run();
    });
    const s = await open();
    expect(s.log.integrity()).toMatchObject({ ok: false, reason: 'truncated' });
    expect(s.log.integrity().problem).toContain('reached entry 12');
    const v = await s.log.verify();
    expect(v).toMatchObject({ ok: false, reason: 'truncated' });
    s.db.close();
  });

  it('detects an older copy of the database restored over the newer one', async () => {
    await run(5);
    copyFileSync(join(dir, DB_FILE), join(dir, 'old.db'));
    await run(5, 6);
    copyFileSync(join(dir, 'old.db'), join(dir, DB_FILE));
    const s = await open();
    expect(s.log.integrity()).toMatchObject({ ok: false, reason: 'truncated' });
    expect((await s.log.verify()).ok).toBe(false);
    s.db.close();
  });

  it('detects an entry rewritten with the plain chain recomputed and the checkpoint deleted', async () => {
    await run(10);
    attack((db) => {
      db.prepare("UPDATE audit SET decision = 'allow', reason = NULL WHERE seq = 5").run();
      recomputePlain(db, 5);
      db.prepare('DELETE FROM audit_checkpoint').run();
    });
    const s = await open();
    expect(s.log.integrity()).toMatchObject({ ok: false, reason: 'anchor_mismatch' });
    const v = await s.log.verify({ full: true });
    expect(v.ok).toBe(false);
    expect(v.reason).toBe('anchor_mismatch');
    expect(v.problem).toContain('Entry 10 no longer matches');
    s.db.close();
  });

  it('detects the whole log rewritten in the old unkeyed format', async () => {
    await run(6);
    attack((db) => {
      db.prepare("UPDATE audit SET chain = 'v1'").run();
      db.prepare('DELETE FROM audit_checkpoint').run();
    });
    const s = await open();
    expect(s.log.integrity().ok).toBe(false);
    expect((await s.log.verify({ full: true })).ok).toBe(false);
    s.db.close();
  });

  it('detects a deleted anchor while keyed entries exist: no silent reseal', async () => {
    await run(6);
    rmSync(join(dir, ANCHOR_FILE));
    const s = await open();
    expect(s.log.integrity()).toMatchObject({ ok: false, reason: 'anchor_missing' });
    s.log.append(input(7));
    await stop(s);
    // The anchors stay frozen: the next start still reports it.
    expect(existsSync(join(dir, ANCHOR_FILE))).toBe(false);
    const again = await open();
    expect(again.log.integrity()).toMatchObject({ ok: false, reason: 'anchor_missing' });
    expect(await again.log.verify()).toMatchObject({ ok: false, reason: 'anchor_missing' });
    again.db.close();
  });

  it('detects a forged anchor file', async () => {
    await run(3);
    const anchor = JSON.parse(readFileSync(join(dir, ANCHOR_FILE), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, ANCHOR_FILE), JSON.stringify({ ...anchor, seq: 2 }));
    const s = await open();
    expect(s.log.integrity()).toMatchObject({ ok: false, reason: 'anchor_forged' });
    s.db.close();
  });

  it('detects entries added while stopped after a clean stop', async () => {
    await run(4);
    attack((db) => {
      const last = rows(db).at(-1);
      if (last === undefined) throw new Error('no rows');
      const body = { ...last, seq: 5, chain: 'plain', prev_hash: last.hash, decision: 'allow' };
      const hash = createHash('sha256')
        .update(last.hash + canonicalEntryText(body))
        .digest('hex');
      db.prepare(
        `INSERT INTO audit (seq, time, actor, action, decision, chain, prev_hash, hash, agent_id, agent_name, provider, method, path, facts_json, reason, rule, status, latency_ms, cost_usd, request_id)
         VALUES (@seq, @time, @actor, @action, @decision, @chain, @prev_hash, @hash, @agent_id, @agent_name, @provider, @method, @path, @facts_json, @reason, @rule, @status, @latency_ms, @cost_usd, @request_id)`,
      ).run({ ...body, hash });
    });
    const s = await open();
    expect(s.log.integrity()).toMatchObject({ ok: false, reason: 'appended_while_stopped' });
    s.db.close();
  });

  it('does not report a run that never had the key (locked throughout): its plain refusals and events', async () => {
    await run(3);
    // Started and stopped again without the vault being unlocked: no key, so no anchor can be sealed.
    const locked = await open(null);
    locked.log.append({ actor: 'system', action: 'daemon.started', decision: 'event' });
    locked.log.append({ ...input(4), decision: 'deny', reason: 'vault_locked' });
    await stop(locked);
    const s = await open();
    expect(s.log.integrity()).toMatchObject({ ok: true, reason: null });
    expect(await s.log.verify({ full: true })).toMatchObject({ ok: true, checked: 5 });
    // Later runs still anchor and check as usual.
    s.log.append(input(6));
    await stop(s);
    const again = await open();
    expect(again.log.integrity()).toMatchObject({ ok: true });
    again.db.close();
  });

  it('still reports a plain tail after a clean stop that holds an allow (a locked run allows nothing)', async () => {
    await run(3);
    const locked = await open(null);
    locked.log.append({ actor: 'system', action: 'daemon.started', decision: 'event' });
    locked.log.append({ ...input(4), decision: 'allow' });
    await stop(locked);
    const s = await open();
    expect(s.log.integrity()).toMatchObject({ ok: false, reason: 'appended_while_stopped' });
    s.db.close();
  });

  it('reports a fresh database next to an earlier anchor, even before the vault is unlocked', async () => {
    await run(3);
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, DB_FILE + suffix), { force: true });
    const s = await open(null);
    expect(s.log.integrity()).toMatchObject({ ok: false, reason: 'rollback' });
    s.db.close();
  });

  it('reports nothing after a crash: entries after the last anchor verify, none are lost', async () => {
    await run(3);
    const s = await open();
    for (let i = 4; i <= 40; i++) s.log.append(input(i));
    // No clean stop: the process dies with the anchor trailing the log (at most one interval behind).
    s.db.close();
    const after = await open();
    expect(after.log.integrity()).toMatchObject({ ok: true });
    expect(await after.log.verify({ full: true })).toMatchObject({ ok: true, checked: 40 });
    await stop(after);
  });
});
