// Memory under sustained load (target in docs/benchmarks.md: daemon RSS ≤ 150 MB after 60 s at full load, flat over a long
// soak). The daemon serves 32 closed-loop clients with one console tab (SSE listener) open, for
// AKC_BENCH_SOAK_SECONDS (default 60; `--soak <seconds>`, e.g. 600 for the 10-minute soak). Its resident
// memory is sampled from /proc every few seconds and printed as a curve; "growth" compares the last sample
// with the one a third of the way in (after warm-up, JIT and pools have settled).
import { progress, sleep, type Child } from './common.ts';
import { rssMB, startDaemonProcess, startLoad, startUpstream } from './processes.ts';
import { proxiedChatTarget } from './scopes.ts';
import { CONCURRENCY, startThroughput } from './throughput.ts';
import { sseListener } from './sse.ts';

const DEFAULT_SECONDS = 60;

export function soakSeconds(): number {
  const v = Number(process.env.AKC_BENCH_SOAK_SECONDS ?? DEFAULT_SECONDS);
  return Number.isFinite(v) && v >= 10 ? v : DEFAULT_SECONDS;
}

export async function benchSoak(): Promise<Record<string, number>> {
  const seconds = soakSeconds();
  const stepMs = seconds <= 120 ? 5000 : 30_000;
  const stops: Child[] = [];
  try {
    const upstream = await startUpstream();
    stops.push(upstream.child);
    const daemon = await startDaemonProcess(upstream.url, ['soak']);
    stops.push(daemon.child);
    const load = await startLoad();
    stops.push(load);
    const pid = daemon.child.proc.pid;
    const idle = rssMB(pid);
    const tab = await sseListener(daemon.info.url, daemon.info.adminToken);
    progress(
      `${CONCURRENCY} clients for ${seconds} s with one SSE listener; daemon RSS idle ${idle.toFixed(1)} MB, sampled every ${stepMs / 1000} s…`,
    );
    const done = startThroughput(
      load,
      proxiedChatTarget('soak', daemon.info.url, daemon.info.agents.soak?.token ?? '', 'soak'),
      seconds * 1000,
      0,
    );
    const curve: { at: number; mb: number }[] = [];
    for (let at = stepMs; at <= seconds * 1000; at += stepMs) {
      await sleep(stepMs);
      curve.push({ at: at / 1000, mb: rssMB(pid) });
    }
    const r = await done;
    tab.close();
    const line = curve.map((c) => `${c.at}s ${c.mb.toFixed(0)}`).join(' · ');
    progress(`RSS curve (MB): idle ${idle.toFixed(0)} · ${line}`);
    const atOrBefore = (s: number): number =>
      curve.filter((c) => c.at <= s).at(-1)?.mb ?? curve[0]?.mb ?? Number.NaN;
    const last = curve.at(-1)?.mb ?? Number.NaN;
    const third = atOrBefore(seconds / 3);
    progress(
      `${Math.round(r.perSec).toLocaleString('en-US')} req/s, ${r.errors} errors; the listener received ${tab.events().toLocaleString('en-US')} events`,
    );
    return {
      'soak.seconds': seconds,
      'soak.rssIdleMB': idle,
      'soak.rssAt60sMB': atOrBefore(60),
      'soak.rssPeakMB': Math.max(...curve.map((c) => c.mb)),
      'soak.rssEndMB': last,
      'soak.rssGrowthMB': last - third,
      'soak.perSec': r.perSec,
      'soak.errorsCount': r.errors,
    };
  } finally {
    for (const c of stops.reverse()) await c.stop();
  }
}
