// Starting the benchmark's processes: upstream, pass-through proxy, daemon, load generator.
import { mkdirSync } from 'node:fs';
import { z } from 'zod';
import { forkChild, type Child } from './common.ts';

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

export async function startPassthrough(upstreamUrl: string): Promise<{ child: Child; url: string }> {
  const child = forkChild('passthrough.ts', [upstreamUrl]);
  const { url } = await child.next(ReadyUrl);
  return { child, url };
}

/**
 * The daemon in its own process. With AKC_BENCH_CPU_PROF=<dir> it runs under --cpu-prof and writes a
 * .cpuprofile there when it stops (open it in Chrome DevTools or speedscope).
 */
export async function startDaemonProcess(
  upstreamUrl: string,
  agents: string[],
): Promise<{ child: Child; info: DaemonInfo }> {
  const profDir = process.env.AKC_BENCH_CPU_PROF;
  if (profDir) mkdirSync(profDir, { recursive: true });
  const child = forkChild('daemon.ts', [JSON.stringify({ upstreamUrl, agents })], {
    execArgv: profDir ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
  });
  const info = await child.next(ReadyDaemon);
  return { child, info };
}

export async function startLoad(): Promise<Child> {
  const child = forkChild('load.ts');
  await child.next(z.object({ type: z.literal('ready') }));
  return child;
}
