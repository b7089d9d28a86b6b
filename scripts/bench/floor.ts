// The floor rows (docs/benchmarks.md, "The floor"): where a checked proxy's costs start. Side by side in one
// run, alternating: the bare pass-through, the floor proxy (node:http + undici + the daemon's own committed
// audit, nothing else; children/floor.ts), the same with its audit on a worker thread, and the daemon. The
// floor's ratio to the pass-through is what the committed audit costs; the daemon's ratio to the floor is
// the weight of everything else on its path (credential, policy, headers, redaction, metering, revoke).
import { forkChild, median, progress, type Child } from './common.ts';
import type { Target } from './http-load.ts';
import { startDaemonProcess, startFloor, startLoad } from './processes.ts';
import { LatencyReply, SETTLED_AFTER, settle, throughputRow } from './proxy.ts';
import { chatTarget, proxiedChatTarget } from './scopes.ts';
import { z } from 'zod';

const ROUNDS = 5;
const ROUND_MS = 3000;
const SEQUENTIAL_N = 2000;
const BLOCK = 100;

const ReadyUrl = z.object({ type: z.literal('ready'), url: z.string() });

async function startFloorProxy(upstreamUrl: string, worker: boolean): Promise<{ child: Child; url: string }> {
  const child = forkChild('floor.ts', worker ? [upstreamUrl, '--worker'] : [upstreamUrl]);
  const { url } = await child.next(ReadyUrl);
  return { child, url };
}

export async function benchFloor(): Promise<Record<string, number>> {
  const stops: Child[] = [];
  try {
    const { upstream, pass } = await startFloor(stops);
    const floor = await startFloorProxy(upstream.url, false);
    stops.push(floor.child);
    const floorWorker = await startFloorProxy(upstream.url, true);
    stops.push(floorWorker.child);
    progress('starting the daemon (vault init runs scrypt once, ~2 s)…');
    const daemon = await startDaemonProcess(upstream.url, ['bench-floor']);
    stops.push(daemon.child);
    const load = await startLoad();
    stops.push(load);
    const rows: { key: string; target: Target; server: Child }[] = [
      { key: 'passthrough', target: chatTarget('pass-through', pass.url), server: pass.child },
      { key: 'floor', target: chatTarget('floor', floor.url), server: floor.child },
      {
        key: 'floorWorker',
        target: chatTarget('floor, audit on a worker', floorWorker.url),
        server: floorWorker.child,
      },
      {
        key: 'daemon',
        target: proxiedChatTarget('daemon', daemon.info.url, daemon.info.agents['bench-floor']?.token ?? ''),
        server: daemon.child,
      },
    ];
    progress(`settling all four: ${SETTLED_AFTER.toLocaleString('en-US')} requests each first, not counted…`);
    for (const row of rows) await settle(load, row.target, row.server, SETTLED_AFTER);
    const runs = new Map(
      rows.map((r) => [r.key, [] as { perSec: number; cpuPerReqMs: number; errors: number }[]]),
    );
    for (let round = 0; round < ROUNDS; round += 1)
      for (const row of rows)
        runs.get(row.key)?.push(await throughputRow(load, row.target, row.server, ROUND_MS));

    const out: Record<string, number> = {};
    const of = (key: string) => runs.get(key) ?? [];
    let errors = 0;
    for (const row of rows) {
      out[`floor.c32.${row.key}.perSec`] = median(of(row.key).map((r) => r.perSec));
      out[`floor.c32.${row.key}.cpuPerReqMs`] = median(of(row.key).map((r) => r.cpuPerReqMs));
      errors += of(row.key).reduce((a, r) => a + r.errors, 0);
    }
    // Ratios of rows that ran back to back in the same round, then their median.
    const paired = (a: string, b: string, figure: 'perSec' | 'cpuPerReqMs'): number =>
      median(of(a).map((r, i) => r[figure] / (of(b)[i]?.[figure] ?? Number.NaN)));
    out['floor.c32.floorCpuToPassthroughRatio'] = paired('floor', 'passthrough', 'cpuPerReqMs');
    out['floor.c32.floorToPassthroughRatio'] = paired('floor', 'passthrough', 'perSec');
    out['floor.c32.floorWorkerCpuToPassthroughRatio'] = paired('floorWorker', 'passthrough', 'cpuPerReqMs');
    out['floor.c32.floorWorkerToPassthroughRatio'] = paired('floorWorker', 'passthrough', 'perSec');
    out['floor.c32.daemonCpuToFloorRatio'] = paired('daemon', 'floor', 'cpuPerReqMs');

    progress(`sequential latency: ${SEQUENTIAL_N} requests to each, alternating blocks of ${BLOCK}…`);
    const direct = chatTarget('direct', upstream.url);
    load.send({
      type: 'latency',
      targets: [direct, ...rows.map((r) => r.target)],
      n: SEQUENTIAL_N,
      block: BLOCK,
      warmup: 200,
    });
    const lat = (await load.next(LatencyReply, 120_000)).results;
    const d = lat[direct.name];
    if (d === undefined) throw new Error('latency results are missing the direct target');
    for (const row of rows) {
      const r = lat[row.target.name];
      if (r === undefined) throw new Error(`latency results are missing ${row.target.name}`);
      out[`floor.seq.${row.key}.addedP50Ms`] = r.p50 - d.p50;
      out[`floor.seq.${row.key}.addedP99Ms`] = r.p99 - d.p99;
      errors += r.errors;
    }
    out['floor.errorsCount'] = errors;
    return out;
  } finally {
    for (const c of stops.reverse()) await c.stop();
  }
}
