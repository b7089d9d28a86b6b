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
const LISTENER_ROUNDS = 5;
/** Agents in the daemon for the agent rows: the requests rotate over every agent's credential. */
const FEW_AGENTS = 10;
const MANY_AGENTS = 10_000;
const AGENT_ROUNDS = 5;
/** Each row of the listener and agent rounds. */
const ROUND_ROW_MS = 3000;
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

    // Listener rows: n console tabs open on the event stream. In each of LISTENER_ROUNDS rounds, a row with
    // no tab and one with each count of tabs, in an order that rotates from round to round; each count's
    // figure is the median of its rounds' ratios to the no-tab row of the same round. (One row each, as
    // before, let a busy moment of the machine decide the figure: one tab once came out below four.)
    progress(`listener rows: none, ${LISTENER_ROWS.join(', ')} SSE listener(s), ${LISTENER_ROUNDS} rounds…`);
    const counts = [0, ...LISTENER_ROWS];
    const byCount = new Map<number, { perSec: number; cpuPerReqMs: number; events: number }[]>(
      counts.map((n) => [n, []]),
    );
    const ratios = new Map<number, number[]>(LISTENER_ROWS.map((n) => [n, []]));
    let errors = 0;
    for (let r = 0; r < LISTENER_ROUNDS; r += 1) {
      const order = counts.map((_, i) => counts[(i + r) % counts.length] ?? 0);
      const round = new Map<number, number>();
      for (const n of order) {
        const tabs = await sseListeners(daemon.info.url, daemon.info.adminToken, n);
        const row = await throughputRow(
          load,
          { ...proxied, name: `proxied + ${n} SSE listener(s)` },
          daemon.child,
          ROUND_ROW_MS,
        );
        const events = tabs.reduce((sum, t) => sum + t.events(), 0);
        for (const t of tabs) t.close();
        if (n > 0) progress(`  the ${n} listener(s) received ${events.toLocaleString('en-US')} events`);
        byCount.get(n)?.push({ perSec: row.perSec, cpuPerReqMs: row.cpuPerReqMs, events });
        round.set(n, row.perSec);
        errors += row.errors;
      }
      for (const n of LISTENER_ROWS) ratios.get(n)?.push((round.get(n) ?? 0) / (round.get(0) ?? Number.NaN));
    }
    const rAgain = await throughputRow(
      load,
      { ...proxied, name: 'proxied, no listener (again)' },
      daemon.child,
    );
    const noListener = (rProxied.perSec + rAgain.perSec) / 2;
    const noListenerCpu = (rProxied.cpuPerReqMs + rAgain.cpuPerReqMs) / 2;

    // Agent rows: two fresh daemons, one with 10 agents and one with 10,000, started and settled alike
    // (every agent seen at least once, as scopes are validated on an agent's first request), so the only
    // difference between them is the number of agents. The requests rotate over every agent's credential,
    // and the two alternate (AGENT_ROUNDS rounds) so drift hits both alike. (The first daemon, which has
    // been through every row above, once stood in for the 10-agent one: its history moved the ratio.)
    const agentDaemon = async (count: number): Promise<{ target: Target; child: Child }> => {
      const name = `bench-agents-${count}`;
      progress(`agent rows: a daemon with ${count.toLocaleString('en-US')} agents, settled (not counted)…`);
      const started = await startDaemonProcess(upstream.url, [name]);
      stops.push(started.child);
      const tokens = [started.info.agents[name]?.token ?? '', ...(await addAgents(started.child, count - 1))];
      const target: Target = {
        ...proxied,
        name: `proxied, ${count.toLocaleString('en-US')} agents`,
        url: started.info.url,
        tokens,
      };
      await settle(load, target, started.child, Math.max(count, SETTLED_AFTER));
      return { target, child: started.child };
    };
    const fewDaemon = await agentDaemon(FEW_AGENTS);
    const manyDaemon = await agentDaemon(MANY_AGENTS);
    const few: Awaited<ReturnType<typeof throughputRow>>[] = [];
    const many: Awaited<ReturnType<typeof throughputRow>>[] = [];
    const row = (d: { target: Target; child: Child }) => throughputRow(load, d.target, d.child, ROUND_ROW_MS);
    for (let r = 0; r < AGENT_ROUNDS; r += 1) {
      // Which goes first alternates too, so neither always runs right after the other.
      if (r % 2 === 0) {
        few.push(await row(fewDaemon));
        many.push(await row(manyDaemon));
      } else {
        many.push(await row(manyDaemon));
        few.push(await row(fewDaemon));
      }
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
    // The no-tab rows of the listener rounds (the headline figures above are the two longer rows).
    out['proxy.listeners.0.perSec'] = median((byCount.get(0) ?? []).map((x) => x.perSec));
    out['proxy.listeners.0.cpuPerReqMs'] = median((byCount.get(0) ?? []).map((x) => x.cpuPerReqMs));
    for (const n of LISTENER_ROWS) {
      const rows = byCount.get(n) ?? [];
      out[`proxy.listeners.${n}.perSec`] = median(rows.map((x) => x.perSec));
      out[`proxy.listeners.${n}.cpuPerReqMs`] = median(rows.map((x) => x.cpuPerReqMs));
      out[`proxy.listeners.${n}.toNoneRatio`] = median(ratios.get(n) ?? []);
      out[`proxy.listeners.${n}.eventsCount`] = rows.reduce((sum, x) => sum + x.events, 0);
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
