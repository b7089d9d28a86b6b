// `npm run bench:ab -- --base <checkout>`: this checkout's daemon against another checkout's (with its own
// node_modules), side by side in one run, for the before/after rows of docs/benchmarks.md. Same upstream, same
// load generator, the bare pass-through as the floor. Both daemons are settled alike first (as in the proxy
// rows), and each round runs the three one after the other, this and base in turns first, so neither the
// order nor a machine that gets busier or quieter mid-run favours one: two checkouts of the same commit
// measured 1.17× with a fixed order and 3 s of warm-up. And since one daemon process can run 20–40 % slower
// than another of the same code for its whole life on this VM (measured: the same commit against itself, and
// one commit against another, gave 0.85× to 1.38× from run to run), the pair is started afresh --pairs times
// and every pair's rounds count. Prints each round and the medians of CPU per request (robust to a shared
// machine) and req/s at 32 clients, overall and per pair.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { median, progress, type Child } from './common.ts';
import type { Target } from './http-load.ts';
import { startDaemonProcess, startFloor, startLoad } from './processes.ts';
import { SETTLED_AFTER, settle } from './proxy.ts';
import { chatTarget, proxiedChatTarget } from './scopes.ts';
import { throughput } from './throughput.ts';

const Args = z.object({
  base: z
    .string()
    .min(1, 'Give --base <dir>: another checkout of this repository, with its node_modules.')
    .refine((d) => existsSync(join(d, 'scripts', 'bench', 'children', 'daemon.ts')), {
      message: 'That directory has no scripts/bench/children/daemon.ts: give the root of another checkout.',
    }),
  rounds: z.coerce.number().int().min(1).max(50),
  pairs: z.coerce.number().int().min(1).max(20),
  ms: z.coerce.number().int().min(500).max(60_000),
});

async function round(
  load: Child,
  target: Target,
  server: Child,
  ms: number,
): Promise<{ perSec: number; cpu: number }> {
  const r = await throughput(load, target, { server, durationMs: ms, warmupMs: 500 });
  if (r.errors > 0) throw new Error(`${target.name}: ${r.errors} requests failed`);
  return { perSec: r.perSec, cpu: r.cpuPerReqMs };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string', default: '' },
      rounds: { type: 'string', default: '3' },
      pairs: { type: 'string', default: '3' },
      ms: { type: 'string', default: '3000' },
    },
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`${parsed.error.issues.map((i) => i.message).join('\n')}\n`);
    process.exit(2);
  }
  const { base, rounds, pairs, ms } = parsed.data;
  const stops: Child[] = [];
  try {
    const { upstream, pass } = await startFloor(stops);
    const load = await startLoad();
    stops.push(load);
    const seen = new Map<string, { perSec: number; cpu: number }[]>();
    const pairRatios: number[] = [];
    let passSettled = false;
    for (let p = 0; p < pairs; p += 1) {
      progress(`pair ${p + 1} of ${pairs}: starting both daemons afresh…`);
      // Which of the two is started first changes from pair to pair too.
      const startMine = (): Promise<Started> => startDaemonProcess(upstream.url, ['ab']);
      const startTheirs = (): Promise<Started> => startDaemonProcess(upstream.url, ['ab'], resolve(base));
      const mine = p % 2 === 0 ? await startMine() : null;
      const theirs = await startTheirs();
      const mineNow = mine ?? (await startMine());
      try {
        const ratio = await runPair(
          load,
          { mine: mineNow, theirs, pass },
          { rounds, ms, settlePass: !passSettled },
          seen,
        );
        passSettled = true;
        pairRatios.push(ratio);
        progress(`pair ${p + 1}: this ÷ base CPU per request ${ratio.toFixed(3)} (median of its rounds)`);
      } finally {
        await Promise.all([mineNow.child.stop(), theirs.child.stop()]);
      }
    }
    report(seen, pairRatios);
  } finally {
    await Promise.all(stops.map((c) => c.stop()));
  }
}

type Started = Awaited<ReturnType<typeof startDaemonProcess>>;

/** One pair of fresh daemons: settled, then `rounds` rounds in alternating order; the median of its rounds' ratios. */
async function runPair(
  load: Child,
  procs: { mine: Started; theirs: Started; pass: { url: string; child: Child } },
  opts: { rounds: number; ms: number; settlePass: boolean },
  seen: Map<string, { perSec: number; cpu: number }[]>,
): Promise<number> {
  const { mine, theirs, pass } = procs;
  const rows: [string, Target, Child][] = [
    ['this', proxiedChatTarget('this', mine.info.url, mine.info.agents['ab']?.token ?? ''), mine.child],
    ['base', proxiedChatTarget('base', theirs.info.url, theirs.info.agents['ab']?.token ?? ''), theirs.child],
    ['pass', chatTarget('pass', pass.url), pass.child],
  ];
  // A fresh daemon runs mostly unoptimised code, and its WAL grows to the checkpoint size: settle each first.
  progress(`settling both daemons: ${SETTLED_AFTER.toLocaleString('en-US')} requests each…`);
  for (const [name, target, server] of rows)
    if (name !== 'pass' || opts.settlePass) await settle(load, target, server, SETTLED_AFTER);
  const thisRounds: number[] = [];
  const baseRounds: number[] = [];
  for (let r = 0; r < opts.rounds; r += 1) {
    const line: string[] = [];
    const order = r % 2 === 0 ? rows : [rows[1], rows[0], rows[2]].filter((x) => x !== undefined);
    for (const [name, target, server] of order) {
      const m = await round(load, target, server, opts.ms);
      seen.set(name, [...(seen.get(name) ?? []), m]);
      if (name === 'this') thisRounds.push(m.cpu);
      if (name === 'base') baseRounds.push(m.cpu);
      line.push(`${name} ${Math.round(m.perSec)}/s ${(m.cpu * 1000).toFixed(0)} µs`);
    }
    progress(`round ${r + 1}: ${line.join(' · ')}`);
  }
  return median(baseRounds.map((b, i) => (thisRounds[i] ?? Number.NaN) / b));
}

/** Medians over every round of every pair, and the spread of the pairs' own ratios. */
function report(seen: Map<string, { perSec: number; cpu: number }[]>, pairRatios: readonly number[]): void {
  const med = (name: string, key: 'perSec' | 'cpu'): number =>
    median((seen.get(name) ?? []).map((m) => m[key]));
  const passCpu = med('pass', 'cpu');
  const passRate = med('pass', 'perSec');
  for (const name of ['this', 'base']) {
    process.stdout.write(
      `${name}: median ${Math.round(med(name, 'perSec'))} req/s (${(med(name, 'perSec') / passRate).toFixed(2)}× pass-through), ` +
        `${(med(name, 'cpu') * 1000).toFixed(0)} µs CPU/request (${(med(name, 'cpu') / passCpu).toFixed(2)}× pass-through)\n`,
    );
  }
  // Within one round the two ran seconds apart: the median of the rounds' own ratios is the figure least
  // moved by a machine whose speed swings from round to round; across pairs, by one process's luck.
  const thisRounds = seen.get('this') ?? [];
  const paired = median((seen.get('base') ?? []).map((b, i) => (thisRounds[i]?.cpu ?? Number.NaN) / b.cpu));
  process.stdout.write(
    `this ÷ base CPU per request: ${(med('this', 'cpu') / med('base', 'cpu')).toFixed(3)} (medians); ` +
      `${paired.toFixed(3)} (median of the rounds' own ratios); pairs ${pairRatios.map((r) => r.toFixed(2)).join(', ')} ` +
      `(pass-through ${(passCpu * 1000).toFixed(0)} µs, ${Math.round(passRate)} req/s)\n`,
  );
}

await main();
