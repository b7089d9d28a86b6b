// Fail-closed auditing: when the audit cannot be written, append throws audit_unavailable, nothing is
// inserted, and the next successful append chains on as if the failure never happened.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DB_FILE, openDatabase } from '../../core/storage/db.ts';
import type { Db } from '../../core/storage/db.ts';
import { AuditLog } from '../../core/audit/log.ts';
import { AppError } from '../../core/errors.ts';
import type { AuditEntry } from '../../shared/models.ts';

let dir: string;
let db: Db;
let other: Database.Database;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'akc-audit-fail-'));
  db = openDatabase(dir);
  other = new Database(join(dir, DB_FILE));
});

afterEach(() => {
  if (other.inTransaction) other.exec('ROLLBACK');
  other.close();
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

const request = {
  agentId: 'agt_a',
  actor: 'agent',
  action: 'proxy.request',
  decision: 'allow',
  requestId: 'req_1',
} as const;

describe('fail-closed append', () => {
  it('throws audit_unavailable while another connection holds the write lock, then chains on', async () => {
    const heard: AuditEntry[] = [];
    const log = new AuditLog(db, { listener: (e) => heard.push(e) });
    await log.useKey(randomBytes(32));
    const before = log.append(request);
    db.pragma('busy_timeout = 50');
    other.exec('BEGIN EXCLUSIVE');

    const err = caught(() => log.append(request));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('audit_unavailable');
    expect((err as AppError).message).toBe(
      'The audit log cannot be written (the database is locked by another writer). Nothing was forwarded. ' +
        'Check the data directory’s disk and permissions.',
    );
    expect(heard.map((e) => e.seq)).toEqual([1]);
    expect(log.last()).toEqual({ seq: 1, hash: before.hash });

    other.exec('ROLLBACK');
    expect(log.count()).toBe(1);
    const next = log.append(request);
    expect(next.seq).toBe(2);
    expect(next.prevHash).toBe(before.hash);
    expect(heard.map((e) => e.seq)).toEqual([1, 2]);
    expect(await log.verify()).toMatchObject({ ok: true, checked: 2 });
  });

  it('throws audit_unavailable on a read-only database and writes nothing', async () => {
    const log = new AuditLog(db);
    log.append(request);
    db.pragma('query_only = ON');
    const err = caught(() => log.append(request));
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('audit_unavailable');
    expect((err as AppError).message).toContain('read-only');
    db.pragma('query_only = OFF');
    expect(log.count()).toBe(1);
    expect(log.append(request).seq).toBe(2);
    expect(await log.verify()).toMatchObject({ ok: true, checked: 2 });
  });

  it('fails a whole appendMany batch atomically', async () => {
    const log = new AuditLog(db);
    log.append(request);
    db.pragma('busy_timeout = 50');
    other.exec('BEGIN IMMEDIATE');
    expect(() => log.appendMany([request, request, request])).toThrow(AppError);
    other.exec('COMMIT');
    expect(log.count()).toBe(1);
    expect(log.appendMany([request, request]).map((e) => e.seq)).toEqual([2, 3]);
    expect((await log.verify()).ok).toBe(true);
  });

  it('throws audit_unavailable when the facts cannot be serialized, and the log is unharmed', () => {
    const log = new AuditLog(db);
    const err = caught(() => log.append({ ...request, facts: { n: 1n } }));
    expect((err as AppError).code).toBe('audit_unavailable');
    expect(log.count()).toBe(0);
    expect(log.append(request).seq).toBe(1);
  });

  it('throws audit_unavailable once the database is closed', () => {
    const log = new AuditLog(db);
    db.close();
    const err = caught(() => log.append(request));
    expect((err as AppError).code).toBe('audit_unavailable');
    expect((err as AppError).message).toContain('the database is closed');
  });
});
