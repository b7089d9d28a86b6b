// Persistent counters for rate windows, daily limits and budgets. Reads and the bump that follows a
// decision happen in the same synchronous step (better-sqlite3 is synchronous), so two concurrent
// requests can never both take the last slot of a limit. A write-through cache in memory keeps the
// decision path free of queries; this process is the only writer, so the cache cannot go stale.
import type { Db } from './db.ts';
import type { CounterEffect, CounterReader, CounterValue } from '../policy/types.ts';

interface Row {
  count: number;
  reserved_micro: number;
  spent_micro: number;
}

const MAX_CACHED = 100_000;

export class Counters {
  private readonly getStmt;
  private readonly bumpStmt;
  private readonly settleStmt;
  private readonly pruneStmt;
  private readonly cache = new Map<string, CounterValue>();

  constructor(db: Db) {
    this.getStmt = db.prepare<[string, string, number], Row>(
      'SELECT count, reserved_micro, spent_micro FROM counters WHERE agent_id = ? AND key = ? AND window_start = ?',
    );
    this.bumpStmt = db.prepare<[string, string, number, number, number]>(
      `INSERT INTO counters (agent_id, key, window_start, count, reserved_micro) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(agent_id, key, window_start) DO UPDATE SET
         count = count + excluded.count, reserved_micro = reserved_micro + excluded.reserved_micro`,
    );
    this.settleStmt = db.prepare<[number, number, string, string, number]>(
      `UPDATE counters SET reserved_micro = MAX(0, reserved_micro - ?), spent_micro = spent_micro + ?
       WHERE agent_id = ? AND key = ? AND window_start = ?`,
    );
    this.pruneStmt = db.prepare<[number]>('DELETE FROM counters WHERE window_start < ?');
  }

  private load(agentId: string, key: string, windowStart: number): CounterValue {
    const id = `${agentId}\u0000${key}\u0000${windowStart}`;
    let value = this.cache.get(id);
    if (value === undefined) {
      const row = this.getStmt.get(agentId, key, windowStart);
      value = row
        ? { count: row.count, reservedMicro: row.reserved_micro, spentMicro: row.spent_micro }
        : { count: 0, reservedMicro: 0, spentMicro: 0 };
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(id, value);
    }
    return value;
  }

  private readonly readers = new Map<string, CounterReader>();

  /** A reader for one agent's counters (cached; the values it returns must be treated as read-only). */
  reader(agentId: string): CounterReader {
    let r = this.readers.get(agentId);
    if (r === undefined) {
      r = { get: (key, windowStart) => this.load(agentId, key, windowStart) };
      if (this.readers.size >= 10_000) this.readers.clear();
      this.readers.set(agentId, r);
    }
    return r;
  }

  /** Applies the effects of an allowed request: the table first, then the cache (so a failed write changes nothing). */
  apply(agentId: string, effects: readonly CounterEffect[]): void {
    for (const e of effects) this.bumpStmt.run(agentId, e.key, e.windowStart, e.count, e.reserveMicro);
    for (const e of effects) {
      const v = this.load(agentId, e.key, e.windowStart);
      v.count += e.count;
      v.reservedMicro += e.reserveMicro;
    }
  }

  /** Turns a reservation into the real cost once the response is known. */
  settle(agentId: string, effect: CounterEffect, actualMicro: number): void {
    const actual = Math.max(0, Math.round(actualMicro));
    this.settleStmt.run(effect.reserveMicro, actual, agentId, effect.key, effect.windowStart);
    const v = this.load(agentId, effect.key, effect.windowStart);
    v.reservedMicro = Math.max(0, v.reservedMicro - effect.reserveMicro);
    v.spentMicro += actual;
  }

  /** Forgets cached values (after a rolled-back transaction, the table is the truth). */
  invalidate(): void {
    this.cache.clear();
  }

  /** Drops windows that ended long ago (the longest window is a month). */
  prune(now: number): void {
    this.pruneStmt.run(now - 62 * 24 * 3600 * 1000);
    this.cache.clear();
  }
}
