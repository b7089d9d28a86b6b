// Starting the benchmark's processes: upstream, pass-through proxy, daemon, load generator.
import { mkdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { forkChild, ROOT, type Child } from './common.ts';
import { DAEMON_NODE_FLAGS, ensureBundle, type Bundle } from '../headless-bundle.ts';

/** The bench's daemon child, bundled like the headless daemon (with the client it drives itself through). */
const BENCH_DAEMON: Omit<Bundle, 'root'> = {
  entry: 'scripts/bench/children/daemon.ts',
  sources: ['core', 'shared', 'client', 'scripts/bench'],
  outDir: 'out/bench',
};

const ReadyUrl = z.object({ type: z.literal('ready'), url: z.string() });
const ReadyDaemon = z.object({
  type: z.literal('ready'),
  url: z.string(),
  adminToken: z.string(),
  agents: z.record(z.string(), z.object({ id: z.string(), token: z.string() })),
});
export type DaemonInfo = z.infer<typeof ReadyDaemon>;

export async function startUpstream(log = false): Promise<{ child: Child; url: string }> {
  const child = forkChild('upstream.ts', log ? ['--log'] : []);
  const { url } = await child.next(ReadyUrl);
  return { child, url };
}

/** The bare pass-through; profiled like the daemon under AKC_BENCH_CPU_PROF, to compare the two. */
export async function startPassthrough(upstreamUrl: string): Promise<{ child: Child; url: string }> {
  const child = forkChild('passthrough.ts', [upstreamUrl], { execArgv: profileArgs() });
  const { url } = await child.next(ReadyUrl);
  return { child, url };
}

function profileArgs(): string[] {
  const profDir = process.env.AKC_BENCH_CPU_PROF;
  if (!profDir) return [];
  mkdirSync(profDir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${profDir}`];
}

/**
 * The daemon in its own process. With AKC_BENCH_CPU_PROF=<dir> it runs under --cpu-prof and writes a
 * .cpuprofile there when it stops (open it in Chrome DevTools or speedscope).
 */
export async function startDaemonProcess(
  upstreamUrl: string,
  agents: string[],
  root?: string,
): Promise<{ child: Child; info: DaemonInfo }> {
  // Run as `npm start` runs the daemon: built to plain JavaScript first (scripts/headless-bundle.ts).
  const { file } = await ensureBundle({ ...BENCH_DAEMON, root: root ?? ROOT });
  const child = forkChild(file, [JSON.stringify({ upstreamUrl, agents })], {
    execArgv: [...DAEMON_NODE_FLAGS, ...profileArgs()],
    ...(root !== undefined ? { root } : {}),
  });
  const info = await child.next(ReadyDaemon);
  return { child, info };
}

const AgentsAdded = z.object({ type: z.literal('agentsAdded'), tokens: z.array(z.string()) });

/** Creates `count` more agents in the daemon process (straight in its store); returns their credentials. */
export async function addAgents(daemon: Child, count: number): Promise<string[]> {
  daemon.send({ type: 'addAgents', count });
  return (await daemon.next(AgentsAdded, 120_000)).tokens;
}

/** Resident memory of a process in MB, from /proc (Linux); NaN elsewhere. */
export function rssMB(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); NaN elsewhere. */
export function cpuMs(pid: number | undefined): number {
  try {
    const fields =
      readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
        .split(') ')[1]
        ?.split(' ') ?? [];
    const tick = 10; // USER_HZ is 100 on Linux
    return (Number(fields[11]) + Number(fields[12])) * tick;
  } catch {
    return Number.NaN;
  }
}

export async function startLoad(): Promise<Child> {
  const child = forkChild('load.ts');
  await child.next(z.object({ type: z.literal('ready') }));
  return child;
}

/**
 * The floor every proxy row is measured against: the stand-in upstream and the bare Node pass-through in front
 * of it, each in its own process (added to `stops`, to be stopped by the caller).
 */
export async function startFloor(
  stops: Child[],
): Promise<{ upstream: { child: Child; url: string }; pass: { child: Child; url: string } }> {
  const upstream = await startUpstream();
  stops.push(upstream.child);
  const pass = await startPassthrough(upstream.url);
  stops.push(pass.child);
  return { upstream, pass };
}
