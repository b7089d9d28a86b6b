// The counters' write-through cache: every read sees every earlier bump, per agent; after a rolled-back
// transaction (invalidate) the table is the truth again, also for a reader taken before.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../core/storage/db.ts';
import { Counters } from '../../core/storage/counters.ts';
import { AgentStore } from '../../core/agents/store.ts';
import type { CounterEffect } from '../../core/policy/types.ts';

const W = 1_700_000_000_000;
const effect = (key: string, count: number, reserveMicro = 0): CounterEffect => ({
  key,
  windowStart: W,
  windowEnd: W + 60_000,
  count,
  reserveMicro,
});

let dir = '';
let A = '';
let B = '';
let db: Db;
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh database with two agents; their ids are A and B. */
function open(): Counters {
  dir = mkdtempSync(join(tmpdir(), 'akc-counters-'));
  db = openDatabase(dir);
  const store = new AgentStore(db);
  A = store.create('a', {}, null, W).agent.id;
  B = store.create('b', {}, null, W).agent.id;
  return new Counters(db);
}

describe('Counters', () => {
  it('keeps each agent’s counters apart and every read current, in memory and in the table', () => {
    const c = open();
    const a = c.reader(A);
    expect(a.get('rate:x', W).count).toBe(0);
    c.apply(A, [effect('rate:x', 1), effect('budget:x', 1, 500)]);
    c.apply(A, [effect('rate:x', 1)]);
    c.apply(B, [effect('rate:x', 5)]);
    expect(a.get('rate:x', W)).toEqual({ count: 2, reservedMicro: 0, spentMicro: 0 });
    expect(c.reader(B).get('rate:x', W).count).toBe(5);
    expect(a.get('rate:x', W + 60_000).count).toBe(0); // another window
    c.settle(A, effect('budget:x', 1, 500), 200);
    expect(a.get('budget:x', W)).toEqual({ count: 1, reservedMicro: 0, spentMicro: 200 });
    const row = db
      .prepare('SELECT count, reserved_micro, spent_micro FROM counters WHERE agent_id = ? AND key = ?')
      .get(A, 'budget:x');
    expect(row).toEqual({ count: 1, reserved_micro: 0, spent_micro: 200 });
  });

  it('forgets what a rolled-back transaction bumped, also for a reader taken before', () => {
    const c = open();
    const a = c.reader(A);
    c.apply(A, [effect('rate:x', 1)]);
    expect(() =>
      db.transaction(() => {
        c.apply(A, [effect('rate:x', 10)]);
        expect(a.get('rate:x', W).count).toBe(11);
        throw new Error('roll back');
      })(),
    ).toThrow('roll back');
    c.invalidate();
    expect(a.get('rate:x', W).count).toBe(1);
    expect(c.reader(A).get('rate:x', W).count).toBe(1);
    c.apply(A, [effect('rate:x', 1)]);
    expect(a.get('rate:x', W).count).toBe(2);
  });
});

describe('Counters, values not read before', () => {
  it('counts a bump or a settlement once when nothing was cached for it yet', () => {
    const c = open();
    c.apply(B, [effect('rate:x', 5), effect('budget:x', 1, 900)]);
    c.invalidate(); // nothing cached any more: the next steps start from the table
    c.settle(B, effect('budget:x', 1, 900), 300);
    c.invalidate();
    c.apply(B, [effect('rate:x', 2)]);
    const r = c.reader(B);
    expect(r.get('rate:x', W).count).toBe(7);
    expect(r.get('budget:x', W)).toEqual({ count: 1, reservedMicro: 0, spentMicro: 300 });
    c.invalidate();
    expect(c.reader(B).get('rate:x', W).count).toBe(7);
  });
});
