// When SQLite undoes a whole group transaction by itself (a full disk or an I/O error on one INSERT), every
// entry staged in it is gone: no later unit may be written outside a transaction, chained on those lost rows,
// and every request of that group is refused. Real SQLite file, real keyed chain; SQLITE_FULL is real too
// (the database's page limit reached, which SQLite treats as a full disk).
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
import type { RollbackScope } from '../../core/storage/transactions.ts';
import type { AuditInput } from '../../core/audit/types.ts';

let dir: string;
let db: Db;
let log: AuditLog;
let tx: Transactions;
let rollbacks: RollbackScope[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'akc-rollback-'));
  db = openDatabase(dir);
  log = new AuditLog(db);
  await log.useKey(randomBytes(32));
  rollbacks = [];
  tx = new Transactions(db, log, (scope) => rollbacks.push(scope));
});

afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const decision = (id: string, facts?: Record<string, unknown>): AuditInput => ({
  actor: 'agent',
  agentId: 'agt_a',
  action: 'llm.request',
  decision: 'allow',
  requestId: id,
  ...(facts ? { facts } : {}),
});

/** What another connection sees in the file: only what has committed. */
function committed(): { seq: number; request_id: string }[] {
  const other = new Database(join(dir, DB_FILE), { readonly: true });
  try {
    return other
      .prepare<[], { seq: number; request_id: string }>('SELECT seq, request_id FROM audit ORDER BY seq')
      .all();
  } finally {
    other.close();
  }
}

/** From here on any INSERT that needs a new page fails with SQLITE_FULL, which undoes the whole transaction. */
function fillDisk(): () => void {
  const pages = Number(db.pragma('page_count', { simple: true }));
  db.pragma(`max_page_count = ${pages}`);
  return () => db.pragma('max_page_count = 1073741823');
}

const BIG = { note: 'x'.repeat(64 * 1024) };

describe('a group transaction SQLite rolled back by itself', () => {
  it('refuses the whole group, writes no later unit outside a transaction, and chains on from the last commit', async () => {
    await tx.grouped((unit) => unit.record(decision('req_0')));
    const a = tx.grouped((unit) => unit.record(decision('req_a')));
    const b = tx.grouped((unit) => unit.record(decision('req_b')));
    const free = fillDisk();
    const c = tx.grouped((unit) => unit.record(decision('req_c', BIG)));
    expect(db.inTransaction).toBe(false); // SQLite undid a and b with c
    free();
    // Same turn, same group as far as the caller can tell: it must not land on its own, chained on a and b.
    const d = tx.grouped((unit) => unit.record(decision('req_d')));
    const outcome = tx.later({ ...decision('req_0'), action: 'llm.request.result', status: 200 });
    const results = await Promise.allSettled([a, b, c, d, outcome]);
    // a and b were staged in the transaction SQLite undid: their entries are gone, so they are refused.
    expect(results.slice(0, 3).map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of results.slice(0, 3)) expect(r).toMatchObject({ reason: { code: 'audit_unavailable' } });
    expect(rollbacks).toContain('transaction');
    // Whatever became of d and the outcome, the file holds one unbroken chain of what committed.
    const rows = committed();
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(rows.map((r) => r.request_id)).not.toContain('req_a');
    expect(rows.map((r) => r.request_id)).not.toContain('req_b');
    const written = results.slice(3).filter((r) => r.status === 'fulfilled').length;
    expect(rows).toHaveLength(1 + written);
    expect(await log.verify({ full: true })).toMatchObject({ ok: true, checked: rows.length });
    // And the log goes on: the next decision commits and chains on.
    await tx.grouped((unit) => unit.record(decision('req_e')));
    expect(committed().at(-1)).toMatchObject({ seq: rows.length + 1, request_id: 'req_e' });
    expect(await log.verify({ full: true })).toMatchObject({ ok: true, checked: rows.length + 1 });
  });

  it('an outcome that hits the full disk alone refuses its group too, and nothing is written outside it', async () => {
    const a = tx.grouped((unit) => unit.record(decision('req_a')));
    const free = fillDisk();
    const late = tx.later({ ...decision('req_a', BIG), action: 'llm.request.result', status: 200 });
    free();
    const b = tx.grouped((unit) => unit.record(decision('req_b')));
    const results = await Promise.allSettled([a, late, b]);
    expect(results.slice(0, 2).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const rows = committed();
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(rows.map((r) => r.request_id)).not.toContain('req_a');
    expect(await log.verify({ full: true })).toMatchObject({ ok: true, checked: rows.length });
    await tx.grouped((unit) => unit.record(decision('req_c')));
    expect(await log.verify({ full: true })).toMatchObject({ ok: true });
  });
});
