// Outcome entries nothing waits on (Transactions.later): they ride with the next group commit, are held in
// memory (never in an open transaction) when no group is open, are written on their own within
// OUTCOME_COMMIT_DELAY_MS, by flush() (reads, owner acts, stop), and are refused, not lost silently, when
// they cannot be written. Real SQLite file, real keyed chain.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DB_FILE, openDatabase } from '../../core/storage/db.ts';
import type { Db } from '../../core/storage/db.ts';
import { AuditLog } from '../../core/audit/log.ts';
import { Transactions } from '../../core/storage/transactions.ts';
import type { AuditInput } from '../../core/audit/types.ts';
import type { AuditEntry } from '../../shared/models.ts';
import { entryJson } from '../../core/audit/hash.ts';

let dir: string;
let db: Db;
let log: AuditLog;
let tx: Transactions;
let heard: AuditEntry[];
/** The canonical text handed with each heard entry (what a console tab's frame is made from). */
let texts: (string | null)[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'akc-later-'));
  db = openDatabase(dir);
  heard = [];
  texts = [];
  log = new AuditLog(db, {
    listener: (e, text) => {
      heard.push(e);
      texts.push(text);
    },
  });
  await log.useKey(randomBytes(32));
  tx = new Transactions(db, log, () => undefined);
});

afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const decision = (id: string): AuditInput => ({
  actor: 'agent',
  agentId: 'agt_a',
  action: 'llm.request',
  decision: 'allow',
  requestId: id,
});
const outcome = (id: string): AuditInput => ({
  actor: 'agent',
  agentId: 'agt_a',
  action: 'llm.request.result',
  decision: 'allow',
  status: 200,
  requestId: id,
});

/** What another connection sees in the file: only what has committed. */
function committed(): { action: string; request_id: string }[] {
  const other = new Database(join(dir, DB_FILE), { readonly: true });
  try {
    return other
      .prepare<[], { action: string; request_id: string }>(
        'SELECT action, request_id FROM audit ORDER BY seq',
      )
      .all();
  } finally {
    other.close();
  }
}

describe('outcome entries written later', () => {
  it('with no group open, holds the entry in memory (no open transaction) and writes it on its own', async () => {
    const written = tx.later(outcome('req_1'));
    // Held, not staged in a transaction another writer would wait on.
    expect(db.inTransaction).toBe(false);
    expect(committed()).toEqual([]);
    await written;
    expect(committed()).toEqual([{ action: 'llm.request.result', request_id: 'req_1' }]);
    expect(heard.map((e) => e.requestId)).toEqual(['req_1']);
  });

  it('rides with the next decision: written first, in the same commit, chained in order', async () => {
    const first = tx.later(outcome('req_1'));
    const second = tx.later(outcome('req_2'));
    const decided = tx.grouped((unit) => unit.record(decision('req_3')));
    // One group holds all three, so the decision's commit makes the outcomes durable too.
    await decided;
    expect(committed().map((r) => r.request_id)).toEqual(['req_1', 'req_2', 'req_3']);
    await Promise.all([first, second]);
    expect(heard.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await log.verify({ full: true })).toMatchObject({ ok: true, checked: 3 });
  });

  it('joins the group already open in this turn', async () => {
    const decided = tx.grouped((unit) => unit.record(decision('req_1')));
    const written = tx.later(outcome('req_1'));
    expect(db.inTransaction).toBe(true);
    await Promise.all([decided, written]);
    expect(committed().map((r) => r.action)).toEqual(['llm.request', 'llm.request.result']);
  });

  it('flush() writes what is held at once (a read of the audit shows it)', () => {
    void tx.later(outcome('req_1'));
    tx.flush();
    expect(committed()).toEqual([{ action: 'llm.request.result', request_id: 'req_1' }]);
    expect(log.count()).toBe(1);
  });

  it('an owner act (run) writes held outcomes first, in their own commit', () => {
    void tx.later(outcome('req_1'));
    tx.run((unit) => unit.record({ actor: 'owner', action: 'agent.revoked', decision: 'event' }));
    expect(committed().map((r) => r.action)).toEqual(['llm.request.result', 'agent.revoked']);
  });

  it('refuses held outcomes it cannot write (another writer holds the lock), and chains on afterwards', async () => {
    const other = new Database(join(dir, DB_FILE));
    db.pragma('busy_timeout = 50');
    other.exec('BEGIN IMMEDIATE');
    const written = tx.later(outcome('req_1'));
    await expect(written).rejects.toMatchObject({ code: 'audit_unavailable' });
    other.exec('ROLLBACK');
    other.close();
    await tx.grouped((unit) => unit.record(decision('req_2')));
    expect(committed().map((r) => r.request_id)).toEqual(['req_2']);
    expect(await log.verify({ full: true })).toMatchObject({ ok: true, checked: 1 });
  });

  it('racing decisions and outcomes from 50 requests keep one unbroken chain', async () => {
    const all: Promise<unknown>[] = [];
    for (let i = 0; i < 50; i += 1) {
      all.push(
        tx.grouped((unit) => unit.record(decision(`req_${i}`))).then(() => tx.later(outcome(`req_${i}`))),
      );
    }
    await Promise.all(all);
    tx.flush();
    const rows = committed();
    expect(rows).toHaveLength(100);
    // Every outcome comes after its own decision.
    for (let i = 0; i < 50; i += 1) {
      const d = rows.findIndex((r) => r.request_id === `req_${i}` && r.action === 'llm.request');
      const o = rows.findIndex((r) => r.request_id === `req_${i}` && r.action === 'llm.request.result');
      expect(o).toBeGreaterThan(d);
    }
    expect(await log.verify({ full: true })).toMatchObject({ ok: true, checked: 100 });
  });
  it('hands listeners the text of exactly the committed entries, none of a unit that rolled back', async () => {
    const held = tx.later(outcome('req_0'));
    const kept = tx.grouped((unit) => unit.record(decision('req_1')));
    const undone = tx.grouped((unit) => {
      unit.record(decision('req_2'));
      throw new Error('the unit failed after recording');
    });
    const after = tx.grouped((unit) => unit.record(decision('req_3')));
    const late = tx.later(outcome('req_1'));
    await expect(undone).rejects.toThrow('failed after recording');
    await Promise.all([held, kept, after, late]);
    expect(heard.map((e) => e.requestId)).toEqual(['req_0', 'req_1', 'req_3', 'req_1']);
    expect(heard.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(texts).toHaveLength(heard.length);
    heard.forEach((entry, i) => {
      expect(JSON.parse(entryJson(texts[i] ?? '', entry.hash))).toEqual(JSON.parse(JSON.stringify(entry)));
    });
    expect(await log.verify({ full: true })).toMatchObject({ ok: true, checked: 4 });
  });
});
