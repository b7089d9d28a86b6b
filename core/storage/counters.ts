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

/**
 * One agent's cached counters. Values are found through the agent first (its own small map), so a
 * decision touches the same few objects whether 10 or 10,000 agents exist; one shared map keyed by
 * agent + counter + window made each read a lookup among every agent's values, 2–3× slower at 10,000.
 */
interface AgentSlot {
  values: Map<string, CounterValue>;
  reader: CounterReader;
  /** False once invalidate() dropped the cache: a reader still held then re-resolves its slot. */
  live: boolean;
}

export class Counters {
  private readonly getStmt;
  private readonly bumpStmt;
  private readonly settleStmt;
  private readonly pruneStmt;
  private readonly slots = new Map<string, AgentSlot>();
  private cached = 0;

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

  private slot(agentId: string): AgentSlot {
    let slot = this.slots.get(agentId);
    if (slot === undefined) {
      const created: AgentSlot = {
        values: new Map(),
        live: true,
        reader: { get: (key, windowStart) => this.loadIn(created, agentId, key, windowStart) },
      };
      this.slots.set(agentId, created);
      slot = created;
    }
    return slot;
  }

  private loadIn(slot: AgentSlot, agentId: string, key: string, windowStart: number): CounterValue {
    const mine = slot.live ? slot : this.slot(agentId);
    const id = `${key}\u0000${windowStart}`;
    let value = mine.values.get(id);
    if (value === undefined) {
      const row = this.getStmt.get(agentId, key, windowStart);
      value = row
        ? { count: row.count, reservedMicro: row.reserved_micro, spentMicro: row.spent_micro }
        : { count: 0, reservedMicro: 0, spentMicro: 0 };
      if (this.cached >= MAX_CACHED) {
        // Bounded: past the limit the cache starts over (the table is the truth).
        this.invalidate();
        return this.loadIn(this.slot(agentId), agentId, key, windowStart);
      }
      mine.values.set(id, value);
      this.cached += 1;
    }
    return value;
  }

  private load(agentId: string, key: string, windowStart: number): CounterValue {
    return this.loadIn(this.slot(agentId), agentId, key, windowStart);
  }

  /** A reader for one agent's counters (cached; the values it returns must be treated as read-only). */
  reader(agentId: string): CounterReader {
    return this.slot(agentId).reader;
  }

  /**
   * Applies the effects of an allowed request: the table first, then the cache (so a failed write changes
   * nothing). The cached values are read before the bump: a value not cached yet would otherwise be read
   * from the already bumped row and bumped a second time.
   */
  apply(agentId: string, effects: readonly CounterEffect[]): void {
    const values = effects.map((e) => this.load(agentId, e.key, e.windowStart));
    for (const e of effects) this.bumpStmt.run(agentId, e.key, e.windowStart, e.count, e.reserveMicro);
    effects.forEach((e, i) => {
      const v = values[i];
      if (v === undefined) return;
      v.count += e.count;
      v.reservedMicro += e.reserveMicro;
    });
  }

  /** Turns a reservation into the real cost once the response is known (cache read first, as in apply). */
  settle(agentId: string, effect: CounterEffect, actualMicro: number): void {
    const actual = Math.max(0, Math.round(actualMicro));
    const v = this.load(agentId, effect.key, effect.windowStart);
    this.settleStmt.run(effect.reserveMicro, actual, agentId, effect.key, effect.windowStart);
    v.reservedMicro = Math.max(0, v.reservedMicro - effect.reserveMicro);
    v.spentMicro += actual;
  }

  /** Forgets cached values (after a rolled-back transaction, the table is the truth). */
  invalidate(): void {
    for (const slot of this.slots.values()) slot.live = false;
    this.slots.clear();
    this.cached = 0;
  }

  /** Drops windows that ended long ago (the longest window is a month). */
  prune(now: number): void {
    this.pruneStmt.run(now - 62 * 24 * 3600 * 1000);
    this.invalidate();
  }
}
