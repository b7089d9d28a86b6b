// The load generator's request: node:http over a keep-alive Agent, body fully read, status returned.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';

export const Target = z.object({
  name: z.string(),
  /** Base URL, e.g. http://127.0.0.1:1234 */
  url: z.string(),
  path: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  /** Agent credentials to rotate through, one per request (Authorization: Bearer …), when given. */
  tokens: z.array(z.string()).optional(),
});
export type Target = z.infer<typeof Target>;

/** One prepared target: parsed URL, fixed headers with content-length, body as a Buffer. */
export interface Prepared {
  name: string;
  options: http.RequestOptions;
  body: Buffer;
  headers: Record<string, string>;
  /** Credentials to rotate through (empty: the fixed headers only), and the next one's index. */
  tokens: readonly string[];
  next: number;
}

export function prepare(target: Target, agent: http.Agent): Prepared {
  const u = new URL(target.url);
  const body = Buffer.from(target.body);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(body.length),
    ...target.headers,
  };
  return {
    name: target.name,
    body,
    headers,
    tokens: target.tokens ?? [],
    next: 0,
    options: {
      host: u.hostname,
      port: Number(u.port),
      path: target.path,
      method: 'POST',
      agent,
      headers,
    },
  };
}

export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
}

/** Sends one request and reads the whole response; resolves with the status (0 on a network error). */
export function send(p: Prepared): Promise<number> {
  let options = p.options;
  if (p.tokens.length > 0) {
    const token = p.tokens[p.next % p.tokens.length] ?? '';
    p.next += 1;
    options = { ...options, headers: { ...p.headers, authorization: `Bearer ${token}` } };
  }
  return new Promise((resolve) => {
    const req = http.request(options, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end(p.body);
  });
}

/** Sequential requests, timed one by one (ms). */
export async function timedSequence(p: Prepared, n: number, into: number[]): Promise<number> {
  let errors = 0;
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    const status = await send(p);
    into.push(performance.now() - t0);
    if (status < 200 || status >= 300) errors += 1;
  }
  return errors;
}

export interface ThroughputResult {
  requests: number;
  ok: number;
  errors: number;
  seconds: number;
  perSec: number;
  /** Every request sent, warm-up included. */
  all: number;
}

/** `concurrency` closed-loop clients for `durationMs` (after `warmupMs` unmeasured); stops by itself. */
export async function closedLoop(
  p: Prepared,
  concurrency: number,
  warmupMs: number,
  durationMs: number,
): Promise<ThroughputResult> {
  const warmEnd = performance.now() + warmupMs;
  const end = warmEnd + durationMs;
  let ok = 0;
  let errors = 0;
  let all = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const now = performance.now();
      if (now >= end) return;
      const status = await send(p);
      all += 1;
      if (performance.now() < warmEnd) continue;
      if (status >= 200 && status < 300) ok += 1;
      else errors += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // Counted: requests that completed after the warm-up, over the time from the warm-up's end to the last one.
  const seconds = (performance.now() - warmEnd) / 1000;
  const requests = ok + errors;
  return { requests, ok, errors, seconds, perSec: ok / seconds, all };
}
