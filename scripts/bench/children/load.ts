// The load generator, in its own process so it never shares an event loop with the daemon or upstream.
// Commands (IPC): latency (sequential, alternating blocks per target), throughput (closed loop, N clients),
// tagged (A/B hammering until told when a revoke happened, for the revoke bench), stop.
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import {
  closedLoop,
  keepAliveAgent,
  prepare,
  send,
  Target,
  timedSequence,
  type Prepared,
} from '../http-load.ts';
import { latencyStats, reportError, wallNow } from '../common.ts';

const Latency = z.object({
  type: z.literal('latency'),
  targets: z.array(Target),
  n: z.number().int(),
  block: z.number().int(),
  warmup: z.number().int(),
});
const Throughput = z.object({
  type: z.literal('throughput'),
  target: Target,
  concurrency: z.number().int(),
  warmupMs: z.number(),
  durationMs: z.number(),
});
const Tagged = z.object({
  type: z.literal('tagged'),
  targets: z.array(Target),
  concurrency: z.number().int(),
  maxMs: z.number(),
});
const Finish = z.object({ type: z.literal('finish'), revokeStart: z.number(), revokeReturned: z.number() });
const Stop = z.object({ type: z.literal('stop') });
const Command = z.discriminatedUnion('type', [Latency, Throughput, Tagged, Finish, Stop]);

async function latency(cmd: z.infer<typeof Latency>): Promise<void> {
  const prepared = cmd.targets.map((t) => prepare(t, keepAliveAgent(1)));
  const samples = prepared.map(() => [] as number[]);
  const errors = prepared.map(() => 0);
  for (const p of prepared) await timedSequence(p, cmd.warmup, []);
  // Alternating blocks: whatever drifts (CPU frequency, GC, page cache) hits every target alike.
  for (let done = 0; done < cmd.n; done += cmd.block) {
    const size = Math.min(cmd.block, cmd.n - done);
    for (const [i, p] of prepared.entries()) {
      const into = samples[i] ?? [];
      errors[i] = (errors[i] ?? 0) + (await timedSequence(p, size, into));
    }
  }
  const results: Record<string, { p50: number; p99: number; mean: number; n: number; errors: number }> = {};
  for (const [i, p] of prepared.entries())
    results[p.name] = { ...latencyStats(samples[i] ?? []), errors: errors[i] ?? 0 };
  process.send?.({ type: 'latency', results });
}

async function throughput(cmd: z.infer<typeof Throughput>): Promise<void> {
  const p = prepare(cmd.target, keepAliveAgent(cmd.concurrency));
  const result = await closedLoop(p, cmd.concurrency, cmd.warmupMs, cmd.durationMs);
  process.send?.({ type: 'throughput', ...result });
}

/** Per request: wall-clock start and end (ms) and status, one row per request, per target. */
interface Log {
  start: number[];
  end: number[];
  status: number[];
}

let finish: ((f: z.infer<typeof Finish>) => void) | null = null;

async function tagged(cmd: z.infer<typeof Tagged>): Promise<void> {
  const logs = new Map<string, Log>();
  let stopAt = performance.now() + cmd.maxMs;
  const worker = async (p: Prepared, log: Log): Promise<void> => {
    while (performance.now() < stopAt) {
      const start = wallNow();
      const status = await send(p);
      log.start.push(start);
      log.end.push(wallNow());
      log.status.push(status);
    }
  };
  const runs: Promise<void>[] = [];
  for (const t of cmd.targets) {
    const log: Log = { start: [], end: [], status: [] };
    logs.set(t.name, log);
    const p = prepare(t, keepAliveAgent(cmd.concurrency));
    for (let i = 0; i < cmd.concurrency; i += 1) runs.push(worker(p, log));
  }
  process.send?.({ type: 'started' });
  const when = await new Promise<z.infer<typeof Finish> | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), cmd.maxMs);
    finish = (f) => {
      clearTimeout(timer);
      resolve(f);
    };
  });
  stopAt = 0;
  await Promise.all(runs);
  const summary: Record<string, Record<string, number>> = {};
  for (const [name, log] of logs) {
    const s = {
      total: log.status.length,
      okBefore: 0,
      doneBefore: 0,
      sentAfter: 0,
      okSentAfter: 0,
      okReceivedAfter: 0,
      refusedAfter: 0,
    };
    for (let i = 0; i < log.status.length; i += 1) {
      const ok = (log.status[i] ?? 0) >= 200 && (log.status[i] ?? 0) < 300;
      const start = log.start[i] ?? 0;
      const end = log.end[i] ?? 0;
      if (when === null) continue;
      if (end < when.revokeStart) {
        s.doneBefore += 1;
        if (ok) s.okBefore += 1;
      }
      if (end > when.revokeReturned && ok) s.okReceivedAfter += 1;
      if (start > when.revokeReturned) {
        s.sentAfter += 1;
        if (ok) s.okSentAfter += 1;
        else s.refusedAfter += 1;
      }
    }
    summary[name] = s;
  }
  process.send?.({ type: 'tagged', summary });
}

process.on('message', (raw: unknown) => {
  const parsed = Command.safeParse(raw);
  if (!parsed.success) return;
  const cmd = parsed.data;
  const run = (): Promise<void> => {
    switch (cmd.type) {
      case 'latency':
        return latency(cmd);
      case 'throughput':
        return throughput(cmd);
      case 'tagged':
        return tagged(cmd);
      case 'finish':
        finish?.(cmd);
        return Promise.resolve();
      case 'stop':
        process.exit(0);
    }
  };
  run().catch(reportError);
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
