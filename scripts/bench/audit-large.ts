// A data directory with a 10,000,000-entry audit log and 10,000 agents, for the scaling rows of the bench:
// headless start → ready, the integrity check at unlock and verify after a restart (incremental from the
// checkpoint). Built once with direct bulk inserts through the real AuditLog (keyed chain, a passphrase
// vault), verified once so the checkpoint is honest, then cached under the temp dir (AKC_BENCH_CACHE to move
// it); later runs reuse it. Run alone: node scripts/bench/audit-large.ts
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../core/storage/db.ts';
import { SCHEMA_VERSION } from '../../core/storage/migrations.ts';
import { Core } from '../../core/core.ts';
import { OsKeychain } from '../../core/keychain/os-keychain.ts';
import type { AuditInput } from '../../core/audit/types.ts';
import { BENCH_PASSPHRASE, progress } from './common.ts';

export const LARGE_ENTRIES = Number(process.env.AKC_BENCH_AUDIT_ENTRIES ?? 10_000_000);
export const LARGE_AGENTS = 10_000;
const BATCH = 50_000;

export function largeCacheDir(): string {
  const root = process.env.AKC_BENCH_CACHE ?? join(tmpdir(), 'akc-bench-cache');
  // Per schema version: a directory from an older schema would be upgraded inside a timed start.
  return join(root, `audit-${LARGE_ENTRIES}-agents-${LARGE_AGENTS}-v3-schema${SCHEMA_VERSION}`);
}

/** The passphrase file for the cached vault (0600), for runs that unlock at start. */
export function largePassphraseFile(): string {
  return join(largeCacheDir(), 'passphrase');
}

function entry(i: number, agentIds: readonly string[]): AuditInput {
  const agent = agentIds[i % agentIds.length] ?? null;
  const result = i % 2 === 1;
  return {
    actor: 'agent',
    agentId: agent,
    agentName: agent,
    action: result ? 'llm.chat.result' : 'llm.chat',
    provider: 'openai',
    method: 'POST',
    path: '/v1/chat/completions',
    facts: result ? null : { model: 'gpt-4o-mini', stream: false },
    decision: i % 97 === 0 ? 'deny' : 'allow',
    reason: i % 97 === 0 ? 'scope_denied' : 'allowed',
    status: result ? 200 : null,
    latencyMs: result ? 2.5 : null,
    requestId: `req_${i}`,
  };
}

/** Builds the cached directory if it is not there yet; returns its path. */
export async function ensureLargeDir(): Promise<string> {
  const dir = largeCacheDir();
  const done = join(dir, 'complete');
  if (existsSync(done)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const started = performance.now();
  progress(
    `building ${LARGE_ENTRIES.toLocaleString('en-US')} audit entries and ${LARGE_AGENTS} agents in ${dir} (once; cached)`,
  );
  const db = openDatabase(dir);
  const core = new Core(db, new OsKeychain(), { url: 'http://127.0.0.1:0', approvalTimeoutMs: 1000 });
  try {
    await core.vault.init({ keySource: 'passphrase', passphrase: BENCH_PASSPHRASE });
    await core.audit.verify(); // the check at unlock has run: entries from here on are keyed
    const agentIds = core.atomically(() =>
      Array.from({ length: LARGE_AGENTS }, (_, i) => {
        const { agent } = core.agents.create(`bench-${i}`, { providers: { openai: {} } }, null, Date.now());
        return agent.id;
      }),
    );
    db.pragma('cache_size = -262144');
    const indexes = db
      .prepare<[], { name: string; sql: string }>(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit' AND sql IS NOT NULL",
      )
      .all();
    for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
    for (let n = core.audit.count(); n < LARGE_ENTRIES; n += BATCH) {
      const size = Math.min(BATCH, LARGE_ENTRIES - n);
      core.audit.appendMany(Array.from({ length: size }, (_, i) => entry(n + i, agentIds)));
      // Verified batch by batch, so the checkpoint at the end is one a real verify wrote.
      const verdict = await core.audit.verify();
      if (!verdict.ok) throw new Error(`the generated log does not verify: ${verdict.problem ?? ''}`);
      if ((n / BATCH) % 20 === 0) progress(`  ${(n + size).toLocaleString('en-US')} entries`);
    }
    for (const index of indexes) db.exec(index.sql);
    db.pragma('wal_checkpoint(TRUNCATE)');
    await core.close();
  } finally {
    db.close();
  }
  writeFileSync(largePassphraseFile(), `${BENCH_PASSPHRASE}\n`, { mode: 0o600 });
  writeFileSync(done, `${new Date().toISOString()}\n`);
  progress(`built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return dir;
}

/**
 * In process, on the cached directory: open → unlock → the integrity check at unlock done, and verify
 * after that restart (incremental: what was verified before plus what is new).
 */
export async function benchLargeVerify(): Promise<Record<string, number>> {
  const dir = await ensureLargeDir();
  const t0 = performance.now();
  const db = openDatabase(dir);
  const core = new Core(db, new OsKeychain(), { url: 'http://127.0.0.1:0', approvalTimeoutMs: 1000 });
  try {
    const opened = performance.now();
    await core.vault.unlock(BENCH_PASSPHRASE);
    const unlocked = performance.now();
    await core.audit.verify(); // waits for the check at unlock, then verifies what is new since
    const checked = performance.now();
    // New entries since the last verify, then verify again: only they are read.
    for (let i = 0; i < 10_000; i++) core.record(entry(i, ['agt_new']));
    const t1 = performance.now();
    const verdict = await core.audit.verify();
    const incremental = performance.now() - t1;
    if (!verdict.ok || !core.audit.integrity().ok)
      throw new Error(`the cached log does not verify: ${verdict.problem ?? ''}`);
    await core.close();
    return {
      'audit10m.entries': core.audit.count(),
      'audit10m.openMs': opened - t0,
      'audit10m.unlockScryptMs': unlocked - opened,
      'audit10m.checkAtUnlockMs': checked - unlocked,
      'audit10m.verifyIncremental10kNewMs': incremental,
    };
  } finally {
    db.close();
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(await benchLargeVerify());
}
