// Upgrading a database written by an earlier version: migrations after its schema run once, are announced
// (they may take seconds on a large audit log), and the data reads back the same.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DB_FILE, openDatabase } from '../../core/storage/db.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../core/storage/migrations.ts';
import { AuditLog } from '../../core/audit/log.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'akc-db-upgrade-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A data directory as schema `version` left it, with `n` audit entries spread over three agents. */
function olderDatabase(version: number, n: number): void {
  const db = new Database(join(dir, DB_FILE));
  for (const m of MIGRATIONS.filter((m) => m.version <= version)) db.exec(m.sql);
  db.pragma(`user_version = ${version}`);
  new AuditLog(db, { anchorFile: null }).appendMany(
    Array.from({ length: n }, (_, i) => ({
      agentId: `agt_${i % 3}`,
      actor: 'agent' as const,
      action: 'proxy.request',
      decision: 'allow' as const,
    })),
  );
  expect(indexes(db)).toContain('audit_agent');
  db.close();
}

function indexes(db: Database.Database): string[] {
  return db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit'",
    )
    .all()
    .map((r) => r.name)
    .sort();
}

describe('database upgrade', () => {
  it('moves a version 4 audit log to the per-agent index in blocks, announced once, with every entry found', () => {
    olderDatabase(4, 9000);
    const announced: number[] = [];
    const db = openDatabase(dir, (m) => announced.push(m.version));
    try {
      expect(announced).toEqual(MIGRATIONS.filter((m) => m.version > 4).map((m) => m.version));
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(indexes(db)).toEqual(['audit_action', 'audit_agent_block', 'audit_decision']);
      const log = new AuditLog(db, { anchorFile: null });
      const seqs: number[] = [];
      let cursor: string | undefined;
      do {
        const page = log.query({
          agentId: 'agt_1',
          limit: 1000,
          ...(cursor === undefined ? {} : { cursor }),
        });
        seqs.push(...page.entries.map((e) => e.seq));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined);
      expect(seqs).toEqual(Array.from({ length: 3000 }, (_, i) => 9000 - 1 - 3 * i));
    } finally {
      db.close();
    }
    const again: number[] = [];
    openDatabase(dir, (m) => again.push(m.version)).close();
    expect(again).toEqual([]);
  });

  it('announces nothing when it creates a database', () => {
    const announced: number[] = [];
    openDatabase(dir, (m) => announced.push(m.version)).close();
    expect(announced).toEqual([]);
  });
});
