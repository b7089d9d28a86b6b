// Audit log benchmark (docs/benchmarks.md): sustained appends with the keyed chain, filtered pages over
// 1,000,000 entries, a full verify and an incremental one after a restart, and the 10M-entry rows.
// Run: node scripts/bench/audit.ts
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../core/storage/db.ts';
import { AuditLog } from '../../core/audit/log.ts';
import type { AuditInput } from '../../core/audit/types.ts';
import type { AuditQuery } from '../../shared/contract.ts';
import type { Decision } from '../../shared/models.ts';
import { benchLargeVerify } from './audit-large.ts';
import { percentile } from './common.ts';

const SUSTAINED = 100_000;
const TOTAL = 1_000_000;
const FILL_BATCH = 20_000;
const QUERIES = 50;
const PAGE = 50;
const AGENTS = 100;

/** Small deterministic PRNG, so every run queries the same cursors. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, weighted: readonly (readonly [T, number])[]): T {
  let r = rand();
  for (const [value, weight] of weighted) {
    r -= weight;
    if (r < 0) return value;
  }
  const last = weighted.at(-1);
  if (last === undefined) throw new Error('empty choice');
  return last[0];
}

const ACTIONS = [
  ['proxy.request', 0.7],
  ['proxy.stream', 0.15],
  ['secret.read', 0.06],
  ['email.send', 0.05],
  ['payment.create', 0.005],
  ['agent.created', 0.035],
] as const;
const DECISIONS: readonly (readonly [Decision, number])[] = [
  ['allow', 0.9],
  ['deny', 0.07],
  ['pending', 0.01],
  ['approved', 0.01],
  ['event', 0.01],
];

function makeInput(rand: () => number, i: number): AuditInput {
  const agent = Math.floor(rand() * AGENTS);
  const decision = pick(rand, DECISIONS);
  return {
    agentId: `agt_bench${agent}`,
    agentName: `bench agent ${agent}`,
    actor: 'agent',
    action: pick(rand, ACTIONS),
    provider: 'openai',
    method: 'POST',
    path: '/chat/completions',
    facts: { kind: 'llm', model: 'gpt-4o-mini', stream: false, inputTokens: 120 + (i % 50) },
    decision,
    reason: decision === 'deny' ? 'scope_denied' : null,
    rule: decision === 'deny' ? 'providers.openai:models=gpt-4o-mini' : null,
    status: decision === 'deny' ? 403 : 200,
    latencyMs: 1.5,
    costUsd: 0.00012,
    requestId: `req_${i}`,
  };
}

function timePages(
  log: AuditLog,
  q: AuditQuery,
  rand: () => number,
  maxSeq: number,
): { p50: number; p99: number; rows: number } {
  const samples: number[] = [];
  let rows = 0;
  log.query({ ...q, limit: PAGE }); // prepare the statement
  for (let i = 0; i < QUERIES; i++) {
    const cursor = String(1 + Math.floor(rand() * maxSeq));
    const t0 = performance.now();
    const page = log.query({ ...q, limit: PAGE, cursor });
    samples.push(performance.now() - t0);
    rows += page.entries.length;
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), rows };
}

/** Reference: bare single-row commits (no hashing, no indexes) on the same disk and settings. */
function bareCommitRate(dir: string): number {
  const scratch = join(dir, 'floor');
  mkdirSync(scratch);
  const db = openDatabase(scratch);
  try {
    db.exec(
      'CREATE TABLE floor (seq INTEGER PRIMARY KEY, time TEXT NOT NULL, body TEXT NOT NULL, hash TEXT NOT NULL) STRICT',
    );
    const insert = db.prepare<[number, string, string, string]>('INSERT INTO floor VALUES (?, ?, ?, ?)');
    const body = 'x'.repeat(300);
    const hash = 'f'.repeat(64);
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 1; i <= n; i++) insert.run(i, new Date().toISOString(), body, hash);
    return n / ((performance.now() - t0) / 1000);
  } finally {
    db.close();
  }
}

export async function benchAudit(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'akc-bench-audit-'));
  const db = openDatabase(dir);
  try {
    const log = new AuditLog(db);
    const key = randomBytes(32);
    await log.useKey(key);
    const rand = prng(42);
    const results: Record<string, number> = {};

    // (1) Sustained single appends, one transaction each, keyed chain. Also per CPU-second, which
    // separates our work from waits on the disk (checkpoint fsyncs).
    const inputs = Array.from({ length: SUSTAINED }, (_, i) => makeInput(rand, i));
    const cpu0 = process.cpuUsage();
    let t0 = performance.now();
    for (const input of inputs) log.append(input);
    results['audit.append.perSec'] = SUSTAINED / ((performance.now() - t0) / 1000);
    const cpu = process.cpuUsage(cpu0);
    results['audit.append.perCpuSec'] = SUSTAINED / ((cpu.user + cpu.system) / 1e6);
    results['sqlite.bareCommit.perSec'] = bareCommitRate(dir);
    await Promise.resolve();

    // (2) Fill to 1,000,000 with the same hashing, in big transactions. A bigger page cache only while
    // filling (setup speed); the measured queries and verify run with the app's default cache.
    // The secondary indexes are dropped while filling and rebuilt after (one sort instead of a million
    // scattered inserts); the result is the same database the app would have.
    const defaultCache = Number(db.pragma('cache_size', { simple: true }));
    db.pragma('cache_size = -262144');
    t0 = performance.now();
    const indexes = db
      .prepare<[], { name: string; sql: string }>(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit' AND sql IS NOT NULL",
      )
      .all();
    for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
    for (let n = log.count(); n < TOTAL; n += FILL_BATCH) {
      const size = Math.min(FILL_BATCH, TOTAL - n);
      log.appendMany(Array.from({ length: size }, (_, i) => makeInput(rand, n + i)));
    }
    for (const index of indexes) db.exec(index.sql);
    db.pragma('wal_checkpoint(TRUNCATE)');
    results['audit.fill.seconds'] = (performance.now() - t0) / 1000;
    db.pragma(`cache_size = ${defaultCache}`);
    const maxSeq = log.last().seq;
    results['audit.entries'] = maxSeq;

    const filters: [string, AuditQuery][] = [
      ['agent', { agentId: 'agt_bench7' }],
      ['decision', { decision: 'deny' }],
      ['actionPrefix', { action: 'proxy.*' }],
      ['rareActionPrefix', { action: 'payment.*' }],
      ['agentAndDecision', { agentId: 'agt_bench7', decision: 'deny' }],
    ];
    for (const [name, q] of filters) {
      const { p50, p99 } = timePages(log, q, rand, maxSeq);
      results[`audit.query.${name}.p50Ms`] = p50;
      results[`audit.query.${name}.p99Ms`] = p99;
    }

    // (3) Verify: the whole chain once (full), then after a restart (a new AuditLog on the same file and
    // key, as at the next start): incremental from the checkpoint the full one left, plus 10,000 new entries.
    t0 = performance.now();
    const verdict = await log.verify({ full: true });
    results['audit.verify.seconds'] = (performance.now() - t0) / 1000;
    results['audit.verify.ok'] = verdict.ok ? 1 : 0;
    await log.close();
    const restarted = new AuditLog(db);
    await restarted.useKey(key);
    for (let i = 0; i < 10_000; i++) restarted.append(makeInput(rand, maxSeq + i));
    t0 = performance.now();
    const again = await restarted.verify();
    results['audit.verifyAfterRestart.incrementalMs'] = performance.now() - t0;
    results['audit.verifyAfterRestart.checked'] = again.checked;
    if (!again.ok) results['audit.verify.ok'] = 0;
    await restarted.close();

    // (4) The scaling rows: a 10,000,000-entry log with 10,000 agents (built once, cached).
    Object.assign(results, await benchLargeVerify());
    return results;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(results: Record<string, number>): void {
  const targets: Record<string, [string, (v: number) => boolean]> = {
    'audit.append.perSec': ['>= 20,000/s', (v) => v >= 20_000],
    'audit.verify.ok': ['1', (v) => v === 1],
    'audit.verifyAfterRestart.incrementalMs': ['<= 1000 ms', (v) => v <= 1000],
    'audit10m.checkAtUnlockMs': ['<= 1000 ms', (v) => v <= 1000],
    'audit10m.verifyIncremental10kNewMs': ['<= 1000 ms', (v) => v <= 1000],
    'audit.append.perCpuSec': ['>= 20,000/s', (v) => v >= 20_000],
  };
  const rows: string[][] = [['figure', 'value', 'target', '']];
  for (const [key, value] of Object.entries(results)) {
    let target = targets[key];
    if (target === undefined && key.startsWith('audit.query.')) target = ['<= 20 ms', (v) => v <= 20];
    const shown = key.endsWith('Ms')
      ? `${value.toFixed(3)} ms`
      : key.endsWith('seconds')
        ? `${value.toFixed(2)} s`
        : Math.round(value).toLocaleString('en-US');
    rows.push([key, shown, target?.[0] ?? '-', target === undefined ? '' : target[1](value) ? 'ok' : 'MISS']);
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  for (const r of rows) console.log(r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  '));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const results = await benchAudit();
  printTable(results);
  console.log(`(audit bench took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
