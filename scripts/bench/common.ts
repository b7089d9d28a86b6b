// Small helpers shared by the benchmark sections: statistics, wall-clock time that compares across
// processes, child processes that talk over IPC, and the vault choice the tests also make.
import { fork, type ChildProcess } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Server } from 'node:http';
import { z } from 'zod';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUNDLED_NODE = join(ROOT, 'node_modules', '.bin', 'node');
/** The project's Node 22 (system Node 20 cannot load the native modules). */
export const NODE22 = existsSync(BUNDLED_NODE) ? BUNDLED_NODE : process.execPath;

export const BENCH_PASSPHRASE = 'benchmark passphrase';

/** Passphrase vault unless a Secret Service session is there (same rule as test/helpers: D-Bus session present). */
export function vaultInitInput():
  { keySource: 'os-keychain' } | { keySource: 'passphrase'; passphrase: string } {
  return process.env.DBUS_SESSION_BUS_ADDRESS
    ? { keySource: 'os-keychain' }
    : { keySource: 'passphrase', passphrase: BENCH_PASSPHRASE };
}

/** Epoch milliseconds with sub-millisecond resolution; comparable between processes on this machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Nearest-rank percentile of already sorted samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** The median of unsorted samples (nearest rank, as the percentiles). */
export function median(samples: readonly number[]): number {
  return percentile(
    [...samples].sort((a, b) => a - b),
    50,
  );
}

export interface LatencyStats {
  p50: number;
  p99: number;
  mean: number;
  n: number;
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    n: sorted.length,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function progress(line: string): void {
  process.stdout.write(`  · ${line}\n`);
}

/** A forked TypeScript child (Node 22 strips the types) with typed, validated IPC replies. */
export interface Child {
  proc: ChildProcess;
  send(message: unknown): void;
  /** The next message that matches `schema`; rejects if the child exits first or after `timeoutMs`. */
  next<T>(schema: z.ZodType<T>, timeoutMs?: number): Promise<T>;
  /** Asks the child to stop (message {type:'stop'}), then SIGKILLs it after `graceMs`. Resolves at exit. */
  stop(graceMs?: number): Promise<void>;
}

const CHILDREN = new Set<ChildProcess>();
process.on('exit', () => {
  // Never leave our own children running if the bench dies.
  for (const c of CHILDREN) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Forks a child: `script` is a file of scripts/bench/children, or an absolute path (a built bundle). */
export function forkChild(
  script: string,
  args: readonly string[] = [],
  options: { execArgv?: string[]; env?: NodeJS.ProcessEnv; root?: string } = {},
): Child {
  const file = isAbsolute(script)
    ? script
    : join(options.root ?? ROOT, 'scripts', 'bench', 'children', script);
  const proc = fork(file, [...args], {
    execPath: NODE22,
    execArgv: ['--disable-warning=ExperimentalWarning', ...(options.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: options.env ?? process.env,
  });
  CHILDREN.add(proc);
  // Child stderr, each distinct line once (a warning repeated per request would bury the progress lines).
  const seen = new Set<string>();
  proc.stderr?.setEncoding('utf8');
  let partial = '';
  proc.stderr?.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '' || seen.has(line)) continue;
      seen.add(line);
      process.stderr.write(`    [${script}] ${line}\n`);
    }
  });
  const inbox: unknown[] = [];
  const waiters: ((m: unknown) => void)[] = [];
  proc.on('message', (m: unknown) => {
    const w = waiters.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  const exited = new Promise<void>((resolve) => {
    proc.once('exit', () => {
      CHILDREN.delete(proc);
      resolve();
    });
  });
  const child: Child = {
    proc,
    send: (message) => {
      if (proc.connected) proc.send(message as object);
    },
    next: async <T>(schema: z.ZodType<T>, timeoutMs = 120_000): Promise<T> => {
      for (;;) {
        const queued = inbox.shift();
        const message =
          queued ??
          (await new Promise<unknown>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new Error(`${script}: no reply within ${timeoutMs} ms`)),
              timeoutMs,
            );
            const onExit = (): void => {
              clearTimeout(timer);
              reject(new Error(`${script} exited (code ${String(proc.exitCode)})`));
            };
            proc.once('exit', onExit);
            waiters.push((m) => {
              clearTimeout(timer);
              proc.off('exit', onExit);
              resolve(m);
            });
          }));
        const parsed = schema.safeParse(message);
        if (parsed.success) return parsed.data;
        const failure = (message as { type?: unknown; message?: unknown } | null) ?? null;
        if (failure?.type === 'error') throw new Error(`${script}: ${String(failure.message)}`);
      }
    },
    stop: async (graceMs = 10_000) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  return child;
}

/** Reports a child failure to the parent in the shape Child.next understands. */
export function reportError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  if (process.send) process.send({ type: 'error', message });
  else process.stderr.write(`${message}\n`);
}

/**
 * A child's HTTP server on a loopback port: replies {type:'ready', url} once listening, stops (closing every
 * connection) on {type:'stop'} or when the parent goes away. Other messages go to `onMessage`.
 */
export function serveChild(server: Server, onMessage: (raw: unknown) => void = () => undefined): void {
  process.on('message', (raw: unknown) => {
    if (z.object({ type: z.literal('stop') }).safeParse(raw).success) {
      server.closeAllConnections();
      server.close(() => process.exit(0));
      return;
    }
    onMessage(raw);
  });
  process.on('disconnect', () => process.exit(0));
  server.on('error', reportError);
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` });
  });
}
