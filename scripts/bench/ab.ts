// `npm run bench:ab -- --base <checkout>`: this checkout's daemon against another checkout's (with its own
// node_modules), side by side in one run, for the before/after rows of docs/benchmarks.md. Same upstream, same
// load generator, the bare pass-through as the floor. Both daemons are settled alike first (as in the proxy
// rows), and each round runs the three one after the other, this and base in turns first, so neither the
// order nor a machine that gets busier or quieter mid-run favours one: two checkouts of the same commit
// measured 1.17× with a fixed order and 3 s of warm-up. Prints each round and the medians of CPU per request
// (robust to a shared machine) and req/s at 32 clients.
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
      rounds: { type: 'string', default: '5' },
      ms: { type: 'string', default: '3000' },
    },
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`${parsed.error.issues.map((i) => i.message).join('\n')}\n`);
    process.exit(2);
  }
  const { base, rounds, ms } = parsed.data;
  const stops: Child[] = [];
  try {
    const { upstream, pass } = await startFloor(stops);
    const mine = await startDaemonProcess(upstream.url, ['ab']);
    stops.push(mine.child);
    const theirs = await startDaemonProcess(upstream.url, ['ab'], resolve(base));
    stops.push(theirs.child);
    const load = await startLoad();
    stops.push(load);
    const rows: [string, Target, Child][] = [
      ['this', proxiedChatTarget('this', mine.info.url, mine.info.agents['ab']?.token ?? ''), mine.child],
      [
        'base',
        proxiedChatTarget('base', theirs.info.url, theirs.info.agents['ab']?.token ?? ''),
        theirs.child,
      ],
      ['pass', chatTarget('pass', pass.url), pass.child],
    ];
    // A fresh daemon runs mostly unoptimised code, and its WAL grows to the checkpoint size: settle each first.
    progress(
      `settling both daemons and the pass-through: ${SETTLED_AFTER.toLocaleString('en-US')} requests each…`,
    );
    for (const [, target, server] of rows) await settle(load, target, server, SETTLED_AFTER);
    const seen = new Map<string, { perSec: number; cpu: number }[]>();
    for (let r = 0; r < rounds; r += 1) {
      const line: string[] = [];
      const order = r % 2 === 0 ? rows : [rows[1], rows[0], rows[2]].filter((x) => x !== undefined);
      for (const [name, target, server] of order) {
        const m = await round(load, target, server, ms);
        seen.set(name, [...(seen.get(name) ?? []), m]);
        line.push(`${name} ${Math.round(m.perSec)}/s ${(m.cpu * 1000).toFixed(0)} µs`);
      }
      progress(`round ${r + 1}: ${line.join(' · ')}`);
    }
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
    // moved by a machine whose speed swings from round to round.
    const thisRounds = seen.get('this') ?? [];
    const paired = median((seen.get('base') ?? []).map((b, i) => (thisRounds[i]?.cpu ?? Number.NaN) / b.cpu));
    process.stdout.write(
      `this ÷ base CPU per request: ${(med('this', 'cpu') / med('base', 'cpu')).toFixed(3)} (medians); ` +
        `${paired.toFixed(3)} (median of the rounds' own ratios) (pass-through ${(passCpu * 1000).toFixed(0)} µs, ${Math.round(passRate)} req/s)\n`,
    );
  } finally {
    await Promise.all(stops.map((c) => c.stop()));
  }
}

await main();
