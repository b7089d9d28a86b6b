// Proxy overhead and throughput (DESIGN §8). Four processes: upstream (bare node:http answering a small
// JSON body), a bare Node pass-through proxy, the daemon, and the load generator; this process only
// orchestrates (and holds the idle SSE listener). Every figure comes from the same run, side by side.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { progress, type Child } from './common.ts';
import type { Target } from './http-load.ts';
import { startDaemonProcess, startLoad, startPassthrough, startUpstream } from './processes.ts';
import { CHAT_PATH, PROXY_CHAT_PATH, chatBody } from './scopes.ts';

const SEQUENTIAL_N = 2000;
const BLOCK = 100;
const WARMUP_REQUESTS = 200;
const CONCURRENCY = 32;
const WARMUP_MS = 1000;
const DURATION_MS = 5000;

const LatencyReply = z.object({
  type: z.literal('latency'),
  results: z.record(
    z.string(),
    z.object({ p50: z.number(), p99: z.number(), mean: z.number(), n: z.number(), errors: z.number() }),
  ),
});
const ThroughputReply = z.object({
  type: z.literal('throughput'),
  requests: z.number(),
  ok: z.number(),
  errors: z.number(),
  seconds: z.number(),
  perSec: z.number(),
  all: z.number(),
});

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuMs(pid: number | undefined): number {
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

/**
 * Closed-loop throughput against one target; with `server` given, also that process's CPU per request
 * (robust to a busy machine, unlike req/s), over every request sent, warm-up included.
 */
async function throughput(
  load: Child,
  target: Target,
  server?: Child,
): Promise<z.infer<typeof ThroughputReply> & { cpuPerReqMs: number }> {
  const cpu0 = cpuMs(server?.proc.pid);
  load.send({
    type: 'throughput',
    target,
    concurrency: CONCURRENCY,
    warmupMs: WARMUP_MS,
    durationMs: DURATION_MS,
  });
  const r = await load.next(ThroughputReply, 60_000);
  const cpuPerReqMs = (cpuMs(server?.proc.pid) - cpu0) / r.all;
  progress(
    `${target.name}: ${Math.round(r.perSec).toLocaleString('en-US')} req/s at ${CONCURRENCY} clients (${r.errors} errors)` +
      (server ? `, ~${cpuPerReqMs.toFixed(3)} ms CPU per request in the server process` : ''),
  );
  return { ...r, cpuPerReqMs };
}

/** An admin SSE listener on /admin/v1/events that reads and discards; returns its event count and a closer. */
function sseListener(url: string, adminToken: string): Promise<{ events: () => number; close: () => void }> {
  return new Promise((resolve, reject) => {
    let events = 0;
    const req = http.get(
      `${url}/admin/v1/events`,
      { headers: { authorization: `Bearer ${adminToken}`, accept: 'text/event-stream' } },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`SSE listener got HTTP ${res.statusCode ?? 0}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          for (let i = text.indexOf('\nevent: '); i !== -1; i = text.indexOf('\nevent: ', i + 1)) events += 1;
          if (text.startsWith('event: ')) events += 1;
        });
        res.on('error', () => undefined);
        resolve({ events: () => events, close: () => req.destroy() });
      },
    );
    req.on('error', (err) => {
      if (events === 0) reject(err);
    });
  });
}

export async function benchProxy(): Promise<Record<string, number>> {
  const stops: Child[] = [];
  try {
    const upstream = await startUpstream();
    stops.push(upstream.child);
    const pass = await startPassthrough(upstream.url);
    stops.push(pass.child);
    progress('starting the daemon (vault init runs scrypt once, ~2 s)…');
    const daemon = await startDaemonProcess(upstream.url, ['bench-proxy']);
    stops.push(daemon.child);
    const load = await startLoad();
    stops.push(load);
    const token = daemon.info.agents['bench-proxy']?.token ?? '';
    const body = chatBody('bench');
    const direct: Target = {
      name: 'direct',
      url: upstream.url,
      path: CHAT_PATH,
      headers: { authorization: 'Bearer sk-bench' },
      body,
    };
    const passthrough: Target = {
      name: 'passthrough',
      url: pass.url,
      path: CHAT_PATH,
      headers: { authorization: 'Bearer sk-bench' },
      body,
    };
    const proxied: Target = {
      name: 'proxied',
      url: daemon.info.url,
      path: PROXY_CHAT_PATH,
      headers: { authorization: `Bearer ${token}` },
      body,
    };

    const out: Record<string, number> = {};
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
    const rDirect = await throughput(load, direct);
    const rProxied = await throughput(load, proxied, daemon.child);
    const rPass = await throughput(load, passthrough, pass.child);
    const sse = await sseListener(daemon.info.url, daemon.info.adminToken);
    const rSse = await throughput(load, { ...proxied, name: 'proxied + idle SSE listener' }, daemon.child);
    const sseEvents = sse.events();
    sse.close();
    progress(`the SSE listener received ${sseEvents.toLocaleString('en-US')} events`);

    out['proxy.c32.directPerSec'] = rDirect.perSec;
    out['proxy.c32.passthroughPerSec'] = rPass.perSec;
    out['proxy.c32.proxiedPerSec'] = rProxied.perSec;
    out['proxy.c32.proxiedToDirectRatio'] = rProxied.perSec / rDirect.perSec;
    out['proxy.c32.passthroughToDirectRatio'] = rPass.perSec / rDirect.perSec;
    out['proxy.c32.proxiedWithSsePerSec'] = rSse.perSec;
    out['proxy.c32.daemonCpuPerReqMs'] = rProxied.cpuPerReqMs;
    out['proxy.c32.daemonCpuPerReqWithSseMs'] = rSse.cpuPerReqMs;
    out['proxy.c32.passthroughCpuPerReqMs'] = rPass.cpuPerReqMs;
    out['proxy.c32.sseEventsCount'] = sseEvents;
    out['proxy.errorsCount'] =
      d.errors + p.errors + t.errors + rDirect.errors + rProxied.errors + rPass.errors + rSse.errors;
    return out;
  } finally {
    for (const c of stops.reverse()) await c.stop();
  }
}
