// The connection settings the guarantees and the budgets rest on, as openDatabase leaves them: WAL with
// synchronous=NORMAL (README "Durability"), freed pages overwritten (secure_delete), a private file, and a
// 4 MB page cache, which is the daemon's resident memory for SQLite under load (docs/benchmarks.md).
import { afterEach, beforeEach, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DB_FILE, openDatabase } from '../../core/storage/db.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'akc-db-settings-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

it('opens the database in WAL mode, secure_delete on, 0600, with a 4 MB page cache', () => {
  const db = openDatabase(dir);
  try {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('secure_delete', { simple: true })).toBe(1);
    // Negative: KiB, so -4000 is 4,000 KiB whatever the page size.
    expect(db.pragma('cache_size', { simple: true })).toBe(-4000);
    expect(statSync(join(dir, DB_FILE)).mode & 0o777).toBe(0o600);
  } finally {
    db.close();
  }
});
