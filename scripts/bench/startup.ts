// Headless start to ready (target in docs/benchmarks.md: ≤ 1 s): spawn the headless daemon as `npm start` runs
// it (out/headless/headless.js, built first if its sources changed) with a fresh data directory and AKC_PORT=0, five times; time spawn → the ready line on stdout and spawn → daemon.json on disk. Also
// the idle process's resident memory (VmRSS) for the record.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NODE22, ROOT, median, progress, sleep } from './common.ts';
import { ensureLargeDir, largePassphraseFile } from './audit-large.ts';
import { DAEMON_NODE_FLAGS, ensureBundle, HEADLESS } from '../headless-bundle.ts';

const RUNS = 5;
const READY = /is running headless on http:\/\/127\.0\.0\.1:\d+/;
const IDLE_MS = 1000;
const TIMEOUT_MS = 20_000;

interface Run {
  readyMs: number;
  /** What headless itself reports: from its process start to ready, as the process sees it. */
  selfMs: number;
  daemonJsonMs: number;
  rssMB: number;
}

function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** One start in a fresh data directory, or in `given` (kept) with `extraEnv`. */
async function once(given?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> {
  const dir = given ?? mkdtempSync(join(tmpdir(), 'akc-bench-start-'));
  const env: NodeJS.ProcessEnv = { ...process.env, AKC_DATA_DIR: dir, AKC_PORT: '0' };
  delete env.AKC_PASSPHRASE_FILE;
  // The cached large directory holds a passphrase vault: no keychain session may take over.
  if (given !== undefined) delete env.DBUS_SESSION_BUS_ADDRESS;
  Object.assign(env, extraEnv);
  const { file } = await ensureBundle({ ...HEADLESS, root: ROOT });
  let daemonJsonAt = Number.NaN;
  const jsonFile = join(dir, 'daemon.json');
  const t0 = performance.now();
  // Watch the directory (created before the spawn) so daemon.json is timed by the event, not by polling.
  const watcher = watch(dir, () => {
    if (Number.isNaN(daemonJsonAt) && existsSync(jsonFile)) daemonJsonAt = performance.now();
  });
  const child = spawn(NODE22, [...DAEMON_NODE_FLAGS, file], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    let selfMs = Number.NaN;
    const readyAt = await new Promise<number>((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(
        () => reject(new Error(`no ready line within ${TIMEOUT_MS} ms: ${err.trim().slice(0, 200)}`)),
        TIMEOUT_MS,
      );
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (text: string) => (err += text));
      child.stdout.on('data', (text: string) => {
        out += text;
        if (READY.test(out)) {
          clearTimeout(timer);
          selfMs = Number(/\(ready (\d+) ms after the process started\)/.exec(out)?.[1] ?? Number.NaN);
          resolve(performance.now());
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(
          new Error(`headless exited with code ${String(code)} before ready: ${err.trim().slice(0, 200)}`),
        );
      });
    });
    if (Number.isNaN(daemonJsonAt) && existsSync(jsonFile)) daemonJsonAt = performance.now();
    await sleep(IDLE_MS);
    const rss = child.pid === undefined ? Number.NaN : rssMB(child.pid);
    return { readyMs: readyAt - t0, selfMs, daemonJsonMs: daemonJsonAt - t0, rssMB: rss };
  } finally {
    watcher.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (given === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/** A bare `node -e ""` spawn to exit: the floor any Node program starts from on this machine. */
async function bareNodeMs(): Promise<number> {
  const t0 = performance.now();
  const child = spawn(NODE22, ['-e', ''], { stdio: 'ignore' });
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return performance.now() - t0;
}

export async function benchStartup(): Promise<Record<string, number>> {
  const runs: Run[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i += 1) bare.push(await bareNodeMs());
  for (let i = 0; i < RUNS; i += 1) {
    const r = await once();
    runs.push(r);
    progress(
      `run ${i + 1}/${RUNS}: ready line ${r.readyMs.toFixed(0)} ms (self-reported ${r.selfMs} ms since process start), daemon.json ${r.daemonJsonMs.toFixed(0)} ms, idle RSS ${r.rssMB.toFixed(1)} MB`,
    );
  }
  // The scaling row: the same start with a 10M-entry audit log and 10,000 agents (cached directory), once
  // with the vault left locked and once unlocking at start from a passphrase file (scrypt included).
  const large = await ensureLargeDir();
  const locked: Run[] = [];
  const unlocking: Run[] = [];
  for (let i = 0; i < 3; i += 1) {
    locked.push(await once(large));
    unlocking.push(await once(large, { AKC_PASSPHRASE_FILE: largePassphraseFile() }));
    progress(
      `10M entries + 10,000 agents, run ${i + 1}/3: ready ${locked.at(-1)?.readyMs.toFixed(0)} ms locked, ${unlocking.at(-1)?.readyMs.toFixed(0)} ms unlocking at start`,
    );
  }
  return {
    'startup.audit10mAgents10k.readyLine.medianMs': median(locked.map((r) => r.readyMs)),
    'startup.audit10mAgents10k.withUnlock.readyLine.medianMs': median(unlocking.map((r) => r.readyMs)),
    'startup.readyLine.medianMs': median(runs.map((r) => r.readyMs)),
    'startup.daemonJson.medianMs': median(runs.map((r) => r.daemonJsonMs)),
    'startup.readyLine.maxMs': Math.max(...runs.map((r) => r.readyMs)),
    'startup.selfReported.medianMs': median(runs.map((r) => r.selfMs)),
    'startup.bareNode.medianMs': median(bare),
    'startup.idleRssMB': median(runs.map((r) => r.rssMB)),
  };
}
