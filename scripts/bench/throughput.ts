// One closed-loop throughput run in the load generator (32 clients by default) against one target, and, with
// `server` given, that process's CPU per request over every request sent (warm-up included): robust to a
// busy machine, unlike req/s. Shared by the proxy rows, the soak and `npm run bench:ab`.
import { z } from 'zod';
import type { Child } from './common.ts';
import type { Target } from './http-load.ts';
import { cpuMs } from './processes.ts';

export const CONCURRENCY = 32;

export const ThroughputReply = z.object({
  type: z.literal('throughput'),
  requests: z.number(),
  ok: z.number(),
  errors: z.number(),
  seconds: z.number(),
  perSec: z.number(),
  all: z.number(),
});

export type ThroughputResult = z.infer<typeof ThroughputReply> & { cpuPerReqMs: number };

export function startThroughput(
  load: Child,
  target: Target,
  durationMs: number,
  warmupMs: number,
  replyTimeoutMs = durationMs + warmupMs + 60_000,
): Promise<z.infer<typeof ThroughputReply>> {
  load.send({ type: 'throughput', target, concurrency: CONCURRENCY, warmupMs, durationMs });
  return load.next(ThroughputReply, replyTimeoutMs);
}

export async function throughput(
  load: Child,
  target: Target,
  options: { server?: Child; durationMs: number; warmupMs: number },
): Promise<ThroughputResult> {
  const cpu0 = cpuMs(options.server?.proc.pid);
  const r = await startThroughput(load, target, options.durationMs, options.warmupMs);
  return { ...r, cpuPerReqMs: (cpuMs(options.server?.proc.pid) - cpu0) / r.all };
}
