// The one owner of the transaction boundary. A unit of work is everything one decision changes: its
// counter effects, the grant use, the audit entry. The unit runs synchronously inside a transaction this
// class opened; the audit entries it records are chained inside that transaction and published (tip moved,
// listeners told, anchor noted) only after the commit, so nothing anyone sees can still roll back.
//
// Two ways to run a unit:
//   run(fn)      owner actions: a transaction of its own, committed before run returns.
//   grouped(fn)  the request path: a savepoint of the group transaction (open for this turn of the event
//                loop and the next), resolved once that transaction has committed. Concurrent requests share
//                one commit, which is what lets the audit keep up under load; each caller still proceeds
//                only after its own entry is committed (fail-closed), and decisions stay atomic because they
//                run synchronously on the one connection and see every earlier change.
//   later(entry) a lone audit entry nothing waits on (a request's outcome). It joins the group open this
//                turn, without a savepoint (one INSERT is atomic by itself in SQLite); with none open it is
//                held in memory, never in an open transaction, and written first in the next group, or in
//                a group of its own after OUTCOME_COMMIT_DELAY_MS. Under load it rides with the next
//                decisions' commit instead of causing a commit of its own. flush() writes what is held.
// A failure to commit throws AppError 'audit_unavailable' (for a storage error) or the unit's own error; the
// onRollback hook lets the owner re-read in-memory state from the tables.
import type { Db } from './db.ts';
import type { AuditLog, Tip, WrittenRow } from '../audit/log.ts';
import { rowToEntry } from '../audit/row.ts';
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
  rows: WrittenRow[];
  /** The entries built from those rows (once: the unit gets one back, the listeners the same one). */
  entries: AuditEntry[];
  /** Where the next entry chains on. */
  tip: Tip;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Group extends Open {
  waiters: Waiter[];
}

/**
 * How long an outcome entry may wait in memory for a group commit to ride with. Under load the next
 * decision comes within a turn or two; when idle the entry is written on its own after this long.
 * Anything that reads the audit writes what is held first (flush()).
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
  /** Outcome entries held until the next group (see later()), with their callers' promises. */
  private held: { input: AuditInput; waiter: Waiter }[] = [];
  private heldTimer: NodeJS.Timeout | null = null;
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
    const group = this.joinGroup();
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
      if (!this.db.inTransaction) {
        // SQLite undid the whole group by itself (a full disk, an I/O error): its other entries are gone too.
        this.abandon(group, err);
        throw storageFailure(err);
      }
      try {
        this.db.exec('ROLLBACK TO unit');
        this.db.exec('RELEASE unit');
      } catch {
        this.abandon(group, err);
        throw storageFailure(err);
      }
      this.onRollback('savepoint');
      throw storageFailure(err);
    }
    await new Promise<void>((resolve, reject) => group.waiters.push({ resolve, reject }));
    return result;
  }

  /**
   * Records an entry nothing waits on (a request's outcome): in the group open this turn, else held in memory
   * for the next group or OUTCOME_COMMIT_DELAY_MS (see the file header). Resolves once committed.
   */
  later(input: AuditInput): Promise<void> {
    if (this.active !== null) {
      // Inside a running unit it is simply part of that unit (and never throws at the caller).
      try {
        this.active.record(input);
        return Promise.resolve();
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject };
      const group = this.group;
      if (group !== null) {
        this.recordAlone(group, input, waiter);
        return;
      }
      this.held.push({ input, waiter });
      this.heldTimer ??= setTimeout(() => {
        this.heldTimer = null;
        this.writeHeld();
      }, OUTCOME_COMMIT_DELAY_MS);
    });
  }

  /** Opens a group for the held outcome entries when none is open; if it cannot be opened they are refused. */
  private writeHeld(): void {
    if (this.group !== null || this.held.length === 0) return;
    try {
      this.joinGroup();
    } catch (err) {
      for (const { waiter } of this.held.splice(0)) waiter.reject(err);
    }
  }

  /** One entry in the group without a savepoint (a failed INSERT undoes itself); its waiter waits on the group. */
  private recordAlone(group: Group, input: AuditInput, waiter: Waiter): void {
    try {
      this.within(group, (unit) => unit.record(input));
    } catch (err) {
      if (!this.db.inTransaction) this.abandon(group, err);
      waiter.reject(err);
      return;
    }
    group.waiters.push(waiter);
  }

  /**
   * A group whose transaction is gone or cannot be trusted: SQLite undoes the whole transaction by itself on
   * a full disk or an I/O error in any one statement, and every entry staged in it with it. Its requests are
   * refused now, and the group is closed, so that no later unit runs outside a transaction (a SAVEPOINT or
   * an INSERT there would commit on its own, chained on rows that no longer exist).
   */
  private abandon(group: Group, err: unknown): void {
    if (this.group === group) {
      this.group = null;
      this.open = null;
    }
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch {
      // Already rolled back by SQLite.
    }
    this.onRollback('transaction');
    const failure = storageFailure(err);
    for (const w of group.waiters.splice(0)) w.reject(failure);
  }

  /**
   * The open group transaction, opened (and its commit scheduled for the end of the next turn of the event
   * loop) if needed; held outcome entries are written first, in the order they came.
   */
  private joinGroup(): Group {
    if (this.group !== null) {
      if (this.db.inTransaction) return this.group;
      // Its transaction is gone (see abandon): never joined, or a unit would commit alone.
      this.abandon(this.group, auditUnavailable(new Error('the group transaction was rolled back')));
    }
    try {
      this.sql.begin.run();
    } catch (err) {
      throw storageFailure(err);
    }
    const group: Group = { rows: [], entries: [], tip: this.audit.last(), waiters: [] };
    this.group = group;
    this.open = group;
    // Committed at the end of the next turn of the event loop, not this one, so the decisions of two turns
    // share the commit: under load that halves the commits per request, and SQLite writes every page a
    // commit touched once per commit. Idle, the extra turn costs microseconds: nothing waits to be polled.
    setImmediate(() =>
      setImmediate(() => {
        if (this.group === group) this.flush();
      }),
    );
    const held = this.held;
    this.held = [];
    if (this.heldTimer !== null) clearTimeout(this.heldTimer);
    this.heldTimer = null;
    for (const { input, waiter } of held) this.recordAlone(group, input, waiter);
    return group;
  }

  /** Records one entry: inside the running unit when there is one, else as a unit of its own. */
  record(input: AuditInput): AuditEntry {
    return this.active !== null ? this.active.record(input) : this.run((unit) => unit.record(input));
  }

  /** Commits the open group (and held outcome entries) now. If the commit fails, every request in it is refused. */
  flush(): void {
    // Outcome entries held in memory are written now too (a read, an owner act or a stop follows).
    this.writeHeld();
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
      this.abandon(group, err);
      return;
    }
    this.audit.publish(group.rows, true, group.entries);
    for (const w of group.waiters) w.resolve();
  }

  private within<T>(open: Open, fn: (unit: Unit) => T): T {
    const unit: Unit = {
      record: (input) => {
        let rows: WrittenRow[];
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
        // Handed back now for the caller's own use, to read, never to change: listeners hear of this same
        // object after the commit, and a console tab gets the text the row was written from.
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
