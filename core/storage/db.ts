// Opens the keychain database: WAL, synchronous=NORMAL, foreign keys on, forward-only migrations.
//
// Durability: with WAL and synchronous=NORMAL a committed transaction survives a crash of this process
// but the last few transactions may be lost on power failure or an OS crash; the database itself never
// corrupts. That trade keeps audit appends above 20,000/s; see README "Durability".
import Database from 'better-sqlite3';
import { chmodSync, existsSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.ts';
import type { Migration } from './migrations.ts';
import { AppError } from '../errors.ts';

export type Db = Database.Database;

export const DB_FILE = 'keychain.db';

/** Told before each migration of a database that already had a schema (an upgrade), which may take a while. */
export type OnUpgrade = (migration: Migration) => void;

export function openDatabase(dataDir: string, onUpgrade?: OnUpgrade): Db {
  const file = join(dataDir, DB_FILE);
  if (!existsSync(file)) {
    // Create the file 0600 before SQLite opens it, so it is never world-readable, not even briefly.
    closeSync(openSync(file, 'a', 0o600));
  }
  chmodSync(file, 0o600);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 2000');
    db.pragma('secure_delete = ON');
    // Fewer, larger checkpoints: audit appends are many small commits.
    db.pragma('wal_autocheckpoint = 10000');
    // 4 MB of page cache, not better-sqlite3's 16 MB: the audit appends a new page every few entries and
    // each one stays cached until the cache is full, so under load the cache fills to its limit and that
    // limit is resident memory. Appends touch only the newest pages of each tree; a page of the log reads
    // a few pages the OS cache keeps anyway (docs/benchmarks.md, "Seventh round").
    db.pragma('cache_size = -4000');
    migrate(db, onUpgrade);
    for (const suffix of ['-wal', '-shm']) {
      if (existsSync(file + suffix)) chmodSync(file + suffix, 0o600);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function migrate(db: Db, onUpgrade?: OnUpgrade): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  if (current > SCHEMA_VERSION) {
    throw new AppError(
      'internal_error',
      `This data directory was written by a newer Agent Keychain (schema ${current}; this version knows up to ${SCHEMA_VERSION}). ` +
        'Nothing was changed. Install the newer version, or point AKC_DATA_DIR at another directory.',
    );
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    if (current > 0) onUpgrade?.(m);
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
