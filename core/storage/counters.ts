// Persistent counters for rate windows, daily limits and budgets. Reads and the bump that follows a
// decision happen in the same synchronous step (better-sqlite3 is synchronous), so two concurrent
// requests can never both take the last slot of a limit.
import type { Db } from './db.ts';
import type { CounterEffect, CounterReader, CounterValue } from '../policy/types.ts';

const ZERO: CounterValue = Object.freeze({ count: 0, reservedMicro: 0, spentMicro: 0 });

interface Row {
  count: number;
  reserved_micro: number;
  spent_micro: number;
}

export class Counters {
  private readonly getStmt;
  private readonly bumpStmt;
  private readonly settleStmt;
  private readonly pruneStmt;

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

  reader(agentId: string): CounterReader {
    return {
      get: (key, windowStart) => {
        const row = this.getStmt.get(agentId, key, windowStart);
        return row ? { count: row.count, reservedMicro: row.reserved_micro, spentMicro: row.spent_micro } : ZERO;
      },
    };
  }

  apply(agentId: string, effects: readonly CounterEffect[]): void {
    for (const e of effects) this.bumpStmt.run(agentId, e.key, e.windowStart, e.count, e.reserveMicro);
  }

  /** Turns a reservation into the real cost once the response is known. */
  settle(agentId: string, effect: CounterEffect, actualMicro: number): void {
    this.settleStmt.run(effect.reserveMicro, Math.max(0, Math.round(actualMicro)), agentId, effect.key, effect.windowStart);
  }

  /** Drops windows that ended long ago (the longest window is a month). */
  prune(now: number): void {
    this.pruneStmt.run(now - 62 * 24 * 3600 * 1000);
  }
}
