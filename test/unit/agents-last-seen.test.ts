// Last-seen times: exact in memory at once; in the agents table within 5 s for an agent's first sighting,
// then at most a minute behind; a stop writes every one still behind; one flush writes at most 1,000 rows.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../core/storage/db.ts';
import { AgentStore } from '../../core/agents/store.ts';

const T0 = 1_700_000_000_000;
let dir = '';
let db: Db;
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(): AgentStore {
  dir = mkdtempSync(join(tmpdir(), 'akc-seen-'));
  db = openDatabase(dir);
  return new AgentStore(db);
}

/** The last-seen time the agents table holds for an agent (what a restart would show). */
function stored(id: string): string | null {
  const row = db
    .prepare<[string], { last_seen_at: string | null }>('SELECT last_seen_at FROM agents WHERE id = ?')
    .get(id);
  if (row === undefined) throw new Error(`no row for ${id}`);
  return row.last_seen_at;
}

describe('last-seen times', () => {
  it('are stored at the first sighting, then only once they are a minute behind; a stop stores the rest', () => {
    const store = open();
    const { agent } = store.create('a', {}, null, T0);
    store.touch(agent, T0 + 1_000);
    store.flushLastSeen();
    expect(stored(agent.id)).toBe(new Date(T0 + 1_000).toISOString());

    store.touch(agent, T0 + 30_000);
    store.flushLastSeen();
    expect(store.get(agent.id).lastSeenAt).toBe(T0 + 30_000); // what the API shows
    expect(stored(agent.id)).toBe(new Date(T0 + 1_000).toISOString());

    store.touch(agent, T0 + 61_000);
    store.flushLastSeen();
    expect(stored(agent.id)).toBe(new Date(T0 + 61_000).toISOString());

    store.touch(agent, T0 + 62_000);
    store.flushLastSeen(true);
    expect(stored(agent.id)).toBe(new Date(T0 + 62_000).toISOString());
  });

  it('writes at most 1,000 rows per flush and the rest on the next ones', () => {
    const store = open();
    const agents = Array.from({ length: 2_500 }, (_, i) => store.create(`a${i}`, {}, null, T0).agent);
    for (const a of agents) store.touch(a, T0 + 5_000);
    const count = (): number =>
      agents.filter((a) => stored(a.id) === new Date(T0 + 5_000).toISOString()).length;
    store.flushLastSeen();
    expect(count()).toBe(1_000);
    store.flushLastSeen();
    expect(count()).toBe(2_000);
    store.flushLastSeen();
    expect(count()).toBe(2_500);
  });

  it('a reload (after a rolled-back transaction) keeps what is stored as the baseline', () => {
    const store = open();
    const { agent } = store.create('a', {}, null, T0);
    store.touch(agent, T0 + 1_000);
    store.flushLastSeen();
    store.reload();
    const reloaded = store.get(agent.id);
    store.touch(reloaded, T0 + 2_000);
    store.flushLastSeen();
    expect(stored(agent.id)).toBe(new Date(T0 + 1_000).toISOString());
  });
});
