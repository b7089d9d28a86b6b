// AuditLog.query (filters, cursor paging), recent, and the JSONL / CSV export.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/storage/db.ts';
import type { Db } from '../../core/storage/db.ts';
import { AuditLog } from '../../core/audit/log.ts';
import { AppError } from '../../core/errors.ts';
import { AuditEntry } from '../../shared/models.ts';
import type { Decision } from '../../shared/models.ts';
import type { AuditQuery } from '../../shared/contract.ts';

let dir: string;
let db: Db;
let log: AuditLog;
let all: AuditEntry[];

const START = Date.parse('2025-03-01T00:00:00.000Z');
const AGENTS = ['agt_a', 'agt_b', 'agt_c'];
const DECISIONS: Decision[] = ['allow', 'allow', 'deny', 'pending', 'approved', 'event'];
const ACTIONS = [
  'proxy.request',
  'proxy.stream',
  'proxyx.other',
  'proxy',
  'secret.read',
  'agent.created',
  'proxy.request',
];

function seed(n: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  for (let i = 0; i < n; i++) {
    vi.setSystemTime(START + i * 60_000);
    all.push(
      log.append({
        agentId: AGENTS[i % 3] ?? null,
        agentName: `name ${i % 3}`,
        actor: 'agent',
        action: ACTIONS[i % ACTIONS.length] ?? 'x',
        decision: DECISIONS[i % DECISIONS.length] ?? 'allow',
        requestId: `req_${i}`,
        facts: { i },
      }),
    );
  }
  vi.useRealTimers();
}

function expected(q: AuditQuery): AuditEntry[] {
  return all
    .filter((e) => q.agentId === undefined || e.agentId === q.agentId)
    .filter((e) => q.decision === undefined || e.decision === q.decision)
    .filter((e) => {
      if (q.action === undefined) return true;
      return q.action.endsWith('.*') ? e.action.startsWith(q.action.slice(0, -1)) : e.action === q.action;
    })
    .filter((e) => q.since === undefined || Date.parse(e.time) >= Date.parse(q.since))
    .filter((e) => q.until === undefined || Date.parse(e.time) <= Date.parse(q.until))
    .sort((a, b) => b.seq - a.seq);
}

function pages(q: AuditQuery): { entries: AuditEntry[]; sizes: number[] } {
  const entries: AuditEntry[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = log.query(cursor === undefined ? q : { ...q, cursor });
    entries.push(...page.entries);
    sizes.push(page.entries.length);
    if (page.nextCursor === null) return { entries, sizes };
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'akc-audit-query-'));
  db = openDatabase(dir);
  log = new AuditLog(db);
  all = [];
});

afterEach(() => {
  vi.useRealTimers();
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('query', () => {
  it('returns newest first with a default limit of 100', () => {
    seed(130);
    const page = log.query({});
    expect(page.entries).toHaveLength(100);
    expect(page.entries).toEqual(expected({}).slice(0, 100));
    expect(page.nextCursor).toBe(String(31));
  });

  it.each<AuditQuery>([
    {},
    { agentId: 'agt_b' },
    { decision: 'deny' },
    { action: 'proxy.request' },
    { action: 'proxy.*' },
    { action: 'agent.*' },
    { action: 'nothing.*' },
    { action: 'proxy' },
    { agentId: 'agt_a', decision: 'allow' },
    { agentId: 'agt_c', action: 'proxy.*' },
    { decision: 'pending', action: 'proxy.*', agentId: 'agt_a' },
    { since: '2025-03-01T01:00:00.000Z' },
    { until: '2025-03-01T00:30:00Z' },
    { since: '2025-03-01T00:20:00Z', until: '2025-03-01T02:10:00Z', agentId: 'agt_b' },
    { since: '2025-03-01T02:00:00+01:00', action: 'proxy.*' },
  ])('filters and pages exactly: %o', (q) => {
    seed(200);
    const want = expected(q);
    const got = pages({ ...q, limit: 7 });
    expect(got.entries.map((e) => e.seq)).toEqual(want.map((e) => e.seq));
    expect(got.entries).toEqual(want);
    // Full pages until the last one; no trailing empty page.
    const sizes = got.sizes;
    expect(sizes.slice(0, -1).every((s) => s === 7)).toBe(true);
    if (want.length > 0) expect(sizes.at(-1)).toBeGreaterThan(0);
  });

  it('keeps the prefix filter exact when there are too many distinct actions to merge', () => {
    for (let i = 0; i < 80; i++) {
      all.push(log.append({ actor: 'system', action: `many.a${i % 40}`, decision: 'event' }));
      all.push(log.append({ actor: 'system', action: `other.a${i}`, decision: 'event' }));
    }
    const got = pages({ action: 'many.*', limit: 9 });
    expect(got.entries).toEqual(expected({ action: 'many.*' }));
    expect(got.entries).toHaveLength(80);
  });

  it('treats a cursor as an exclusive upper bound on seq', () => {
    seed(20);
    expect(log.query({ cursor: '11', limit: 3 }).entries.map((e) => e.seq)).toEqual([10, 9, 8]);
    expect(log.query({ cursor: '1' })).toEqual({ entries: [], nextCursor: null });
  });

  it('rejects a bad cursor or date with bad_request', () => {
    expect(() => log.query({ cursor: '99999999999999999999' })).toThrow(AppError);
    expect(() => log.query({ since: 'yesterday' })).toThrow(AppError);
  });

  it('recent returns the agent’s newest entries, newest first', () => {
    seed(30);
    expect(log.recent('agt_b', 4)).toEqual(expected({ agentId: 'agt_b' }).slice(0, 4));
    expect(log.recent('agt_none', 4)).toEqual([]);
    expect(log.recent('agt_b', 0)).toEqual([]);
  });
});

describe('query by agent across blocks of the per-agent index', () => {
  // 3.5 blocks of 4,096 seqs. agt_rare writes only at the first seqs, around the first block boundary and
  // at the very end, so its pages cross blocks with nothing of it in between.
  const SIZE = 3 * 4096 + 2048;
  const rareAt = new Set([1, 2, 4095, 4096, 4097, SIZE - 1, SIZE]);

  function seedBlocks(): void {
    const inputs = Array.from({ length: SIZE }, (_, i) => {
      const seq = i + 1;
      const agentId = rareAt.has(seq) ? 'agt_rare' : (AGENTS[seq % 3] ?? null);
      return {
        agentId,
        actor: 'agent' as const,
        action: ACTIONS[seq % ACTIONS.length] ?? 'x',
        decision: 'allow' as const,
      };
    });
    all.push(...log.appendMany(inputs));
  }

  /**
   * The SQL of every statement prepared while `fn` runs (each is still prepared by SQLite, unchanged), so a
   * test can read back their plans or see that none was needed.
   */
  function preparedDuring(fn: () => void): string[] {
    const statements: string[] = [];
    const prepare = db.prepare.bind(db);
    const spy = vi.spyOn(db, 'prepare').mockImplementation((sql: string) => {
      statements.push(sql);
      return prepare(sql);
    });
    try {
      fn();
    } finally {
      spy.mockRestore();
    }
    return statements;
  }

  it('pages exactly, newest first, across block boundaries, for a rare and a busy agent', () => {
    seedBlocks();
    for (const q of [
      { agentId: 'agt_rare' },
      { agentId: 'agt_b' },
      { agentId: 'agt_rare', action: 'proxy.*' },
    ]) {
      const got = pages({ ...q, limit: q.agentId === 'agt_b' ? 997 : 2 });
      expect(got.entries.map((e) => e.seq)).toEqual(expected(q).map((e) => e.seq));
    }
    expect(pages({ agentId: 'agt_rare', limit: 2 }).entries.map((e) => e.seq)).toEqual([...rareAt].reverse());
    expect(log.query({ agentId: 'agt_rare', cursor: '4097', limit: 2 }).entries.map((e) => e.seq)).toEqual([
      4096, 4095,
    ]);
    expect(log.recent('agt_rare', 3).map((e) => e.seq)).toEqual([SIZE, SIZE - 1, 4097]);
  });

  it('exports oldest first across block boundaries', () => {
    seedBlocks();
    const lines = [...log.exportLines({ agentId: 'agt_rare' }, 'jsonl')];
    expect(lines.map((l) => AuditEntry.parse(JSON.parse(l)).seq)).toEqual([...rareAt]);
    const busy = [...log.exportLines({ agentId: 'agt_a' }, 'jsonl')].map(
      (l) => AuditEntry.parse(JSON.parse(l)).seq,
    );
    expect(busy).toEqual(
      expected({ agentId: 'agt_a' })
        .map((e) => e.seq)
        .reverse(),
    );
  });

  it('walks the per-agent index, never the whole table', () => {
    seedBlocks();
    const statements = preparedDuring(() =>
      new AuditLog(db).query({ agentId: 'agt_rare', decision: 'allow', action: 'proxy.request', limit: 5 }),
    );
    const paged = statements.filter((sql) => sql.includes('agent_id = ?'));
    // One statement finds the blocks holding the agent's rows, one reads a block.
    expect(paged).toHaveLength(2);
    for (const sql of paged) {
      const plan = db
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...Array.from(sql.matchAll(/\?/g), () => null))
        .map((r) => r.detail);
      const onAudit = plan.filter((line) => / audit\b/.test(line));
      expect(onAudit).toEqual([
        expect.stringMatching(
          /^SEARCH audit (EXISTS )?USING INDEX audit_agent_block \(<expr>=\? AND agent_id=\? AND seq>\? AND seq<\?\)$/,
        ),
      ]);
      expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('answers a page by agent and an action prefix that no entry has without walking the agent’s rows', () => {
    // Walking them found nothing either way, but read every entry of the agent: ~0.6 s on one thread for
    // an agent with 2M entries, where one probe of audit_action says there is nothing to find.
    seedBlocks();
    const statements = preparedDuring(() => {
      const fresh = new AuditLog(db);
      expect(fresh.query({ agentId: 'agt_a', action: 'nothing.*' })).toEqual({
        entries: [],
        nextCursor: null,
      });
      expect([...fresh.exportLines({ agentId: 'agt_a', action: 'nothing.*' }, 'jsonl')]).toEqual([]);
    });
    expect(statements.filter((sql) => sql.includes('agent_id = ?'))).toEqual([]);
    // A prefix that some entry has still pages exactly.
    expect(pages({ agentId: 'agt_a', action: 'secret.*', limit: 50 }).entries).toEqual(
      expected({ agentId: 'agt_a', action: 'secret.*' }),
    );
  });
});

/** A strict RFC 4180 reader for the test: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"' && field === '') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated quote');
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else if (ch === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      if (ch === '"' || ch === '\n' || ch === '\r') throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
      field += ch ?? '';
      i++;
    }
  }
  if (field !== '' || record.length > 0) throw new Error('missing final CRLF');
  return records;
}

describe('exportLines', () => {
  it('writes JSON Lines, oldest first, that parse back to the entries', () => {
    seed(1203);
    const lines = [...log.exportLines({}, 'jsonl')];
    expect(lines).toHaveLength(1203);
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    const parsed = lines.map((l) => AuditEntry.parse(JSON.parse(l)));
    expect(parsed).toEqual([...all].sort((a, b) => a.seq - b.seq));
  });

  it('applies the filters', () => {
    seed(600);
    const lines = [...log.exportLines({ agentId: 'agt_a', action: 'proxy.*' }, 'jsonl')];
    const want = expected({ agentId: 'agt_a', action: 'proxy.*' }).reverse();
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual(want.map((e) => e.seq));
  });

  it('writes RFC 4180 CSV with commas, quotes and newlines escaped and facts as JSON', () => {
    const tricky = log.append({
      agentId: 'agt_x',
      agentName: 'Bob, "the" bot\nsecond line',
      actor: 'agent',
      action: 'email.send',
      path: '/emails?a=1,b=2',
      facts: { to: ['a@example.com'], note: 'say "hi"' },
      decision: 'deny',
      reason: 'scope_denied',
      rule: 'email:allowedDomains=example.com',
      status: 403,
      latencyMs: 1.25,
      costUsd: null,
      requestId: 'req_1',
    });
    const plain = log.append({ actor: 'system', action: 'vault.unlocked', decision: 'event' });
    const text = [...log.exportLines({}, 'csv')].join('');
    const [header, first, second, ...rest] = parseCsv(text);
    expect(rest).toEqual([]);
    expect(header).toEqual(Object.keys(AuditEntry.shape));
    const row = Object.fromEntries((header ?? []).map((h, i) => [h, first?.[i]]));
    expect(row).toEqual({
      seq: '1',
      time: tricky.time,
      agentId: 'agt_x',
      agentName: 'Bob, "the" bot\nsecond line',
      actor: 'agent',
      action: 'email.send',
      provider: '',
      method: '',
      path: '/emails?a=1,b=2',
      facts: '{"note":"say \\"hi\\"","to":["a@example.com"]}',
      decision: 'deny',
      reason: 'scope_denied',
      rule: 'email:allowedDomains=example.com',
      status: '403',
      latencyMs: '1.25',
      costUsd: '',
      requestId: 'req_1',
      chain: 'plain',
      caller: '',
      prevHash: tricky.prevHash,
      hash: tricky.hash,
    });
    expect(JSON.parse(row.facts ?? '')).toEqual(tricky.facts);
    expect(second?.[0]).toBe(String(plain.seq));
  });

  it('defuses spreadsheet formulas in text fields', () => {
    log.append({
      actor: 'agent',
      agentName: '=HYPERLINK("http://evil")',
      action: 'x',
      path: '+1',
      decision: 'allow',
    });
    const [, line] = [...log.exportLines({}, 'csv')];
    const [record] = parseCsv(line ?? '');
    expect(record?.[3]).toBe(`'=HYPERLINK("http://evil")`);
    expect(record?.[8]).toBe(`'+1`);
  });

  it('lets appends go on while an export is being read, and covers the log as it was when it started', async () => {
    seed(1100);
    const lines = log.exportLines({}, 'jsonl');
    let count = 0;
    for (const _line of lines) {
      count++;
      if (count % 400 === 0) log.append({ actor: 'system', action: 'during.export', decision: 'event' });
    }
    expect(count).toBe(1100);
    expect(log.count()).toBe(1102);
    expect((await log.verify()).ok).toBe(true);
  });
});
