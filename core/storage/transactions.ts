// The one owner of the transaction boundary. A unit of work is everything one decision changes: its
// counter effects, the grant use, the audit entry. The unit runs synchronously inside a transaction this
// class opened; the audit entries it records are chained inside that transaction and published (tip moved,
// listeners told, anchor noted) only after the commit, so nothing anyone sees can still roll back.
//
// Two ways to run a unit:
//   run(fn)      owner actions: a transaction of its own, committed before run returns.
//   grouped(fn)  the request path: a savepoint of the transaction open for this turn of the event loop,
//                resolved once that transaction has committed. Concurrent requests share one commit, which
//                is what lets the audit keep up under load; each caller still proceeds only after its own
//                entry is committed (fail-closed), and decisions stay atomic because they run synchronously
//                on the one connection and see every earlier change.
//   groupedRecord(entry)  a lone audit entry (a request's outcome) in the same group, without a savepoint:
//                one INSERT is atomic by itself in SQLite, so a failed one leaves the group as it was. Nothing
//                waits on an outcome, so it does not make the group commit sooner: it rides with the next
//                decisions' commit, or commits on its own after OUTCOME_COMMIT_DELAY_MS.
// A failure to commit throws AppError 'audit_unavailable' (for a storage error) or the unit's own error; the
// onRollback hook lets the owner re-read in-memory state from the tables.
import type { Db } from './db.ts';
import type { AuditLog, Tip } from '../audit/log.ts';
import { rowToEntry } from '../audit/row.ts';
import type { AuditRow } from '../audit/row.ts';
import type { AuditInput } from '../audit/types.ts';
import type { AuditEntry } from '../../shared/models.ts';
import { AppError } from '../errors.ts';
import { auditUnavailable } from '../audit/unavailable.ts';

/** What a unit of work can do besides its own table writes: record audit entries in its transaction. */
export interface Unit {
  /** Chains the entry inside the unit's transaction; it is committed with everything else the unit did. */
  record(input: AuditInput): AuditEntry;
}

interface Open {
  /** Entries staged in this transaction, in order; published after the commit. */
  rows: AuditRow[];
  /** The entries built from those rows (once: the unit gets one back, the listeners the same one). */
  entries: AuditEntry[];
  /** Where the next entry chains on. */
  tip: Tip;
}

interface Group extends Open {
  waiters: { resolve: () => void; reject: (err: unknown) => void }[];
  /** A decision waits on this group: it commits at the end of this turn of the event loop. */
  urgent: boolean;
}

/**
 * How long a group holding only outcome entries may stay open for decisions to join it. Under load the
 * next decision comes within a turn or two and one commit carries both; when idle the outcome commits
 * on its own after this long. Anything that reads the audit commits the open group first (flush()).
 */
export const OUTCOME_COMMIT_DELAY_MS = 20;

/** Whether the rollback undid a whole transaction (all in-memory state is suspect) or one savepoint. */
export type RollbackScope = 'transaction' | 'savepoint';

export class Transactions {
  private readonly db: Db;
  private readonly audit: AuditLog;
  private readonly onRollback: (scope: RollbackScope) => void;
  /** The transaction this class has open (a group, or a run() in progress). */
  private open: Open | null = null;
  private group: Group | null = null;
  /** The unit whose function is running right now (units run synchronously, one at a time). */
  private active: Unit | null = null;
  /** The hot path's transaction statements, prepared once (exec() would parse them on every call). */
  private readonly sql: Record<'begin' | 'commit' | 'savepoint' | 'release', { run(): unknown }>;

  constructor(db: Db, audit: AuditLog, onRollback: (scope: RollbackScope) => void) {
    this.db = db;
    this.audit = audit;
    this.onRollback = onRollback;
    this.sql = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      savepoint: db.prepare('SAVEPOINT unit'),
      release: db.prepare('RELEASE unit'),
    };
  }

  /** Runs fn as one unit in a transaction of its own; returns once it has committed. */
  run<T>(fn: (unit: Unit) => T): T {
    if (this.active !== null) return fn(this.active); // a nested call joins the unit already running
    // Owner actions never share a commit with agent requests: close the open group first.
    this.flush();
    const open: Open = { rows: [], entries: [], tip: this.audit.last() };
    let result: T;
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      throw storageFailure(err);
    }
    this.open = open;
    try {
      result = this.within(open, fn);
      this.db.exec('COMMIT');
    } catch (err) {
      this.open = null;
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.onRollback('transaction');
      throw storageFailure(err);
    }
    this.open = null;
    this.audit.publish(open.rows, true, open.entries);
    return result;
  }

  /** Runs fn as one unit in a savepoint of the shared group transaction; resolves after the group commits. */
  async grouped<T>(fn: (unit: Unit) => T): Promise<T> {
    if (this.active !== null) return fn(this.active);
    const group = this.joinGroup(true);
    const mark = group.rows.length;
    const tipBefore = group.tip;
    let result: T;
    try {
      this.sql.savepoint.run();
      result = this.within(group, fn);
      this.sql.release.run();
    } catch (err) {
      // Only this unit's savepoint is undone; the rest of the group carries on.
      group.rows.length = mark;
      group.entries.length = mark;
      group.tip = tipBefore;
      try {
        this.db.exec('ROLLBACK TO unit');
        this.db.exec('RELEASE unit');
      } catch {
        // The whole transaction is gone (SQLite rolled it back): the commit will fail every waiter.
      }
      this.onRollback('savepoint');
      throw storageFailure(err);
    }
    await new Promise<void>((resolve, reject) => group.waiters.push({ resolve, reject }));
    return result;
  }

  /**
   * Records one entry in the open group (opening one if needed) and resolves once the group has committed.
   * No savepoint: the unit is a single INSERT, which SQLite undoes by itself when it fails.
   */
  async groupedRecord(input: AuditInput): Promise<void> {
    if (this.active !== null) {
      this.active.record(input);
      return;
    }
    const group = this.joinGroup(false);
    this.within(group, (unit) => unit.record(input));
    await new Promise<void>((resolve, reject) => group.waiters.push({ resolve, reject }));
  }

  /**
   * The open group transaction, opened if needed. An urgent joiner (a decision, which waits on the commit)
   * makes it commit at the end of this turn of the event loop; otherwise it commits after
   * OUTCOME_COMMIT_DELAY_MS unless something urgent joins first.
   */
  private joinGroup(urgent: boolean): Group {
    let group = this.group;
    if (group === null) {
      try {
        this.sql.begin.run();
      } catch (err) {
        throw storageFailure(err);
      }
      const opened: Group = { rows: [], entries: [], tip: this.audit.last(), waiters: [], urgent: false };
      this.group = opened;
      this.open = opened;
      group = opened;
      if (!urgent) {
        setTimeout(() => {
          if (this.group === opened) this.flush();
        }, OUTCOME_COMMIT_DELAY_MS);
      }
    }
    if (urgent && !group.urgent) {
      group.urgent = true;
      const due = group;
      setImmediate(() => {
        if (this.group === due) this.flush();
      });
    }
    return group;
  }

  /** Records one entry: inside the running unit when there is one, else as a unit of its own. */
  record(input: AuditInput): AuditEntry {
    return this.active !== null ? this.active.record(input) : this.run((unit) => unit.record(input));
  }

  /** Commits the open group now. If the commit fails, every request in it is refused. */
  flush(): void {
    const group = this.group;
    if (group === null) return;
    this.group = null;
    this.open = null;
    if (!this.db.open) {
      // Closed under a group (a shutdown raced a late write): SQLite rolled it back; refuse its requests.
      const failure = auditUnavailable(new Error('the database was closed before the commit'));
      for (const w of group.waiters) w.reject(failure);
      return;
    }
    try {
      this.sql.commit.run();
    } catch (err) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // Already rolled back by SQLite.
      }
      this.onRollback('transaction');
      const failure = storageFailure(err);
      for (const w of group.waiters) w.reject(failure);
      return;
    }
    this.audit.publish(group.rows, true, group.entries);
    for (const w of group.waiters) w.resolve();
  }

  private within<T>(open: Open, fn: (unit: Unit) => T): T {
    const unit: Unit = {
      record: (input) => {
        let rows: AuditRow[];
        try {
          rows = this.audit.insert([input], open.tip);
        } catch (err) {
          throw auditUnavailable(err);
        }
        const row = rows[0];
        if (row === undefined) throw auditUnavailable(new Error('no entry written'));
        const entry = rowToEntry(row);
        open.rows.push(row);
        open.entries.push(entry);
        open.tip = { seq: row.seq, hash: row.hash };
        // Handed back now for the caller's own use; listeners hear of it after the commit.
        return entry;
      },
    };
    this.active = unit;
    try {
      return fn(unit);
    } finally {
      this.active = null;
    }
  }
}

/** A storage error (locked, read-only, full disk) means the audit entry could not be committed. */
function storageFailure(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const storage =
    err instanceof Error &&
    (('code' in err && String(err.code).startsWith('SQLITE_')) ||
      (err instanceof TypeError && /not open/i.test(err.message)));
  return storage ? auditUnavailable(err) : err;
}
