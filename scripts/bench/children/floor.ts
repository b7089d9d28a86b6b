// The floor of a checked proxy, for the bench's floor rows: node:http in, undici out (as the daemon), and per
// request the decision entry committed through the daemon's own audit (keyed chain, group commit) before
// the call is forwarded, and the outcome entry after. No credential, policy, redaction or metering: what
// this costs over the bare pass-through is what the committed audit costs, and the daemon's distance from
// it is the weight of everything else on its path. With --worker the audit runs on a worker thread with its
// own connection (the idea to measure): decisions go over in batches per turn of the event loop.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Pool } from 'undici';
import { serveChild } from '../common.ts';
import { openFloorAudit, type FloorAudit, type FloorRequest } from './floor-audit.ts';

const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:1');
const onWorker = process.argv.includes('--worker');
const pool = new Pool(upstream.origin, { connections: 128 });
const dir = mkdtempSync(join(tmpdir(), 'akc-bench-floor-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** The audit on a worker thread: the same two calls, each decision resolved once the worker committed it. */
async function workerAudit(): Promise<FloorAudit> {
  const worker = new Worker(new URL('./floor-writer.ts', import.meta.url), { workerData: dir });
  await new Promise<void>((resolve) => worker.once('message', () => resolve()));
  const waiting = new Map<number, () => void>();
  let next = 0;
  let batch: {
    decisions: { id: number; request: FloorRequest }[];
    outcomes: { request: FloorRequest; status: number; latencyMs: number }[];
  } | null = null;
  const queue = (): NonNullable<typeof batch> => {
    if (batch === null) {
      const open = { decisions: [], outcomes: [] };
      batch = open;
      setImmediate(() => {
        batch = null;
        worker.postMessage(open);
      });
      return open;
    }
    return batch;
  };
  worker.on('message', (ids: number[]) => {
    for (const id of ids) {
      waiting.get(id)?.();
      waiting.delete(id);
    }
  });
  return {
    decision: (request) =>
      new Promise<void>((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        queue().decisions.push({ id, request });
      }),
    outcome: (request, status, latencyMs) => void queue().outcomes.push({ request, status, latencyMs }),
  };
}

const audit = onWorker ? await workerAudit() : await openFloorAudit(dir);
let requests = 0;

const server = http.createServer((req, res) => {
  const started = performance.now();
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    void (async () => {
      const body = Buffer.concat(chunks);
      const { model } = JSON.parse(body.toString('utf8')) as { model?: unknown };
      const request = {
        requestId: `req_floor${String(requests++)}`,
        model: typeof model === 'string' ? model : null,
      };
      await audit.decision(request);
      const up = await pool.request({
        method: 'POST',
        path: req.url ?? '/',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-floor' },
        body,
      });
      const text = await up.body.text();
      res.writeHead(up.statusCode, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      audit.outcome(request, up.statusCode, performance.now() - started);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
});
server.keepAliveTimeout = 60_000;

serveChild(server);
