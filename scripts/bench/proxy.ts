// Proxy overhead and throughput (docs/benchmarks.md). Four processes: upstream (bare node:http answering a small
// JSON body), a bare Node pass-through proxy, the daemon, and the load generator; this process only
// orchestrates (and holds the SSE listeners of the listener rows). Every figure comes from the same run,
// side by side: the targets are ratios to the bare pass-through measured here, and the rows show how the
// figures move as console tabs (SSE listeners) and agents are added.
import { z } from 'zod';
import { median, progress, type Child } from './common.ts';
import type { Target } from './http-load.ts';
import { addAgents, startDaemonProcess, startFloor, startLoad } from './processes.ts';
import { sseListeners } from './sse.ts';
import { chatTarget, proxiedChatTarget } from './scopes.ts';
import { CONCURRENCY, throughput as measure, type ThroughputResult } from './throughput.ts';

const SEQUENTIAL_N = 2000;
const BLOCK = 100;
const WARMUP_REQUESTS = 200;
const WARMUP_MS = 1000;
const DURATION_MS = 5000;
/** Console tabs (SSE listeners) in the listener rows, after the row without any. */
const LISTENER_ROWS = [1, 4];
/** Agents in the daemon for the agent rows: the requests rotate over every agent's credential. */
const FEW_AGENTS = 10;
const MANY_AGENTS = 10_000;
const AGENT_ROUNDS = 5;
const AGENT_ROW_MS = 3000;
/**
 * Requests a fresh daemon takes to reach its steady state: in 2-second rounds from its start, CPU per
 * request went 650 → 330 → 280 µs before it settled near 250 (JIT tiers; its WAL growing to the
 * checkpoint size in the first ~12,000). Every daemon gets this many untimed requests before it is
 * measured, so the rows compare steady states, not ages.
 */
export const SETTLED_AFTER = 40_000;

export const LatencyReply = z.object({
  type: z.literal('latency'),
  results: z.record(
    z.string(),
    z.object({ p50: z.number(), p99: z.number(), mean: z.number(), n: z.number(), errors: z.number() }),
  ),
});
/** One throughput row, printed as a progress line. */
export async function throughputRow(
  load: Child,
  target: Target,
  server?: Child,
  durationMs = DURATION_MS,
): Promise<ThroughputResult> {
  const r = await measure(load, target, { durationMs, warmupMs: WARMUP_MS, ...(server ? { server } : {}) });
  progress(
    `${target.name}: ${Math.round(r.perSec).toLocaleString('en-US')} req/s at ${CONCURRENCY} clients (${r.errors} errors)` +
      (server ? `, ~${r.cpuPerReqMs.toFixed(3)} ms CPU per request in the server process` : ''),
  );
  return r;
}

/** Untimed rounds until `target` has served at least `requests` (printed, not counted). */
export async function settle(load: Child, target: Target, server: Child, requests: number): Promise<void> {
  for (let sent = 0, round = 0; sent < requests && round < 8; round += 1) {
    sent += (await throughputRow(load, { ...target, name: `${target.name} (settling; not counted)` }, server))
      .all;
  }
}

export async function benchProxy(): Promise<Record<string, number>> {
  const stops: Child[] = [];
  try {
    const { upstream, pass } = await startFloor(stops);
    progress('starting the daemon (vault init runs scrypt once, ~2 s)…');
    const daemon = await startDaemonProcess(upstream.url, ['bench-proxy']);
    stops.push(daemon.child);
    const load = await startLoad();
    stops.push(load);
    const token = daemon.info.agents['bench-proxy']?.token ?? '';
    const direct = chatTarget('direct', upstream.url);
    const passthrough = chatTarget('passthrough', pass.url);
    const proxied = proxiedChatTarget('proxied', daemon.info.url, token);

    const out: Record<string, number> = {};
    progress(`settling the daemon: ${SETTLED_AFTER.toLocaleString('en-US')} requests first, not counted…`);
    await settle(load, proxied, daemon.child, SETTLED_AFTER);
    progress(
      `sequential latency: ${SEQUENTIAL_N} requests each to direct / pass-through / proxied, alternating blocks of ${BLOCK}…`,
    );
    load.send({
      type: 'latency',
      targets: [direct, passthrough, proxied],
      n: SEQUENTIAL_N,
      block: BLOCK,
      warmup: WARMUP_REQUESTS,
    });
    const lat = (await load.next(LatencyReply, 120_000)).results;
    const d = lat.direct;
    const p = lat.proxied;
    const t = lat.passthrough;
    if (!d || !p || !t) throw new Error('latency results are missing a target');
    out['proxy.seq.direct.p50Ms'] = d.p50;
    out['proxy.seq.direct.p99Ms'] = d.p99;
    out['proxy.seq.passthrough.p50Ms'] = t.p50;
    out['proxy.seq.passthrough.p99Ms'] = t.p99;
    out['proxy.seq.proxied.p50Ms'] = p.p50;
    out['proxy.seq.proxied.p99Ms'] = p.p99;
    out['proxy.seq.added.p50Ms'] = p.p50 - d.p50;
    out['proxy.seq.added.p99Ms'] = p.p99 - d.p99;
    out['proxy.seq.passthroughAdded.p50Ms'] = t.p50 - d.p50;
    out['proxy.seq.passthroughAdded.p99Ms'] = t.p99 - d.p99;
    progress(
      `p50 direct ${d.p50.toFixed(3)} ms, pass-through ${t.p50.toFixed(3)} ms, proxied ${p.p50.toFixed(3)} ms; p99 ${d.p99.toFixed(3)} / ${t.p99.toFixed(3)} / ${p.p99.toFixed(3)} ms`,
    );

    progress(
      `throughput: ${CONCURRENCY} concurrent clients, ${DURATION_MS / 1000} s each after ${WARMUP_MS / 1000} s warm-up…`,
    );
    const rDirect = await throughputRow(load, direct);
    const rProxied = await throughputRow(load, proxied, daemon.child);
    const rPass = await throughputRow(load, passthrough, pass.child);

    // Listener rows: n console tabs open on the event stream, bracketed by rows without any.
    progress(`listener rows: ${LISTENER_ROWS.join(', ')} SSE listener(s), then none again…`);
    const listenerRows: { n: number; perSec: number; cpuPerReqMs: number; events: number }[] = [];
    let errors = 0;
    for (const n of LISTENER_ROWS) {
      const tabs = await sseListeners(daemon.info.url, daemon.info.adminToken, n);
      const r = await throughputRow(
        load,
        { ...proxied, name: `proxied + ${n} SSE listener(s)` },
        daemon.child,
      );
      const events = tabs.reduce((sum, t) => sum + t.events(), 0);
      for (const t of tabs) t.close();
      listenerRows.push({ n, perSec: r.perSec, cpuPerReqMs: r.cpuPerReqMs, events });
      errors += r.errors;
      progress(`  the ${n} listener(s) received ${events.toLocaleString('en-US')} events in all`);
    }
    const rAgain = await throughputRow(
      load,
      { ...proxied, name: 'proxied, no listener (again)' },
      daemon.child,
    );
    const noListener = (rProxied.perSec + rAgain.perSec) / 2;
    const noListenerCpu = (rProxied.cpuPerReqMs + rAgain.cpuPerReqMs) / 2;

    // Agent rows: a second daemon with 10,000 agents next to the first one's 10; the requests rotate over
    // every agent's credential, and the two alternate (AGENT_ROUNDS rounds) so drift hits both alike.
    progress(`agent rows: a second daemon with ${MANY_AGENTS.toLocaleString('en-US')} agents…`);
    const fewTokens = [token, ...(await addAgents(daemon.child, FEW_AGENTS - 1))];
    const big = await startDaemonProcess(upstream.url, ['bench-many']);
    stops.push(big.child);
    const manyTokens = [
      big.info.agents['bench-many']?.token ?? '',
      ...(await addAgents(big.child, MANY_AGENTS - 1)),
    ];
    const fewTarget: Target = { ...proxied, name: `proxied, ${FEW_AGENTS} agents`, tokens: fewTokens };
    const manyTarget: Target = {
      ...proxied,
      name: `proxied, ${MANY_AGENTS.toLocaleString('en-US')} agents`,
      url: big.info.url,
      tokens: manyTokens,
    };
    // The second daemon is a fresh process: settled like the first one (every one of its agents seen at
    // least once, as scopes are validated on an agent's first request) before the timed rounds.
    progress('settling the second daemon (every agent at least once; not counted):');
    await settle(load, manyTarget, big.child, Math.max(MANY_AGENTS, SETTLED_AFTER));
    const few: Awaited<ReturnType<typeof throughputRow>>[] = [];
    const many: Awaited<ReturnType<typeof throughputRow>>[] = [];
    for (let r = 0; r < AGENT_ROUNDS; r += 1) {
      few.push(await throughputRow(load, fewTarget, daemon.child, AGENT_ROW_MS));
      many.push(await throughputRow(load, manyTarget, big.child, AGENT_ROW_MS));
    }
    // Medians: one 3-second round that a busy moment of the machine hits moves a mean by several percent.
    const middle = (rows: { perSec: number; cpuPerReqMs: number; errors: number }[]) => ({
      perSec: median(rows.map((r) => r.perSec)),
      cpuPerReqMs: median(rows.map((r) => r.cpuPerReqMs)),
      errors: rows.reduce((a, r) => a + r.errors, 0),
    });
    const rFew = middle(few);
    const rMany = middle(many);
    // Each round's two rows ran back to back, so their ratio is the paired figure; its median is reported.
    const agentsRatio = median(many.map((r, i) => r.perSec / (few[i]?.perSec ?? Number.NaN)));

    out['proxy.c32.directPerSec'] = rDirect.perSec;
    out['proxy.c32.passthroughPerSec'] = rPass.perSec;
    // The proxied figures are the mean of the two runs without a listener (before and after the rows).
    out['proxy.c32.proxiedPerSec'] = noListener;
    out['proxy.c32.proxiedToPassthroughRatio'] = noListener / rPass.perSec;
    out['proxy.c32.proxiedToDirectRatio'] = noListener / rDirect.perSec;
    out['proxy.c32.passthroughToDirectRatio'] = rPass.perSec / rDirect.perSec;
    out['proxy.c32.daemonCpuPerReqMs'] = noListenerCpu;
    out['proxy.c32.passthroughCpuPerReqMs'] = rPass.cpuPerReqMs;
    out['proxy.c32.cpuPerReqToPassthroughRatio'] = noListenerCpu / rPass.cpuPerReqMs;
    out['proxy.listeners.0.perSec'] = noListener;
    out['proxy.listeners.0.cpuPerReqMs'] = noListenerCpu;
    for (const row of listenerRows) {
      out[`proxy.listeners.${row.n}.perSec`] = row.perSec;
      out[`proxy.listeners.${row.n}.cpuPerReqMs`] = row.cpuPerReqMs;
      out[`proxy.listeners.${row.n}.toNoneRatio`] = row.perSec / noListener;
      out[`proxy.listeners.${row.n}.eventsCount`] = row.events;
    }
    out[`proxy.agents.${FEW_AGENTS}.perSec`] = rFew.perSec;
    out[`proxy.agents.${FEW_AGENTS}.cpuPerReqMs`] = rFew.cpuPerReqMs;
    out[`proxy.agents.${MANY_AGENTS}.perSec`] = rMany.perSec;
    out[`proxy.agents.${MANY_AGENTS}.cpuPerReqMs`] = rMany.cpuPerReqMs;
    out[`proxy.agents.${MANY_AGENTS}.to${FEW_AGENTS}Ratio`] = agentsRatio;
    out['proxy.errorsCount'] =
      d.errors +
      p.errors +
      t.errors +
      rDirect.errors +
      rProxied.errors +
      rPass.errors +
      rAgain.errors +
      rFew.errors +
      rMany.errors +
      errors;
    return out;
  } finally {
    for (const c of stops.reverse()) await c.stop();
  }
}
