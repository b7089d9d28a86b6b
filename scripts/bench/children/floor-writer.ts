// The floor proxy's audit on a worker thread with its own connection (floor.ts --worker): a batch of requests
// per turn of the parent's event loop in, the ids of the committed decisions out.
import { parentPort, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { openFloorAudit } from './floor-audit.ts';

const Request = z.object({ requestId: z.string(), model: z.string().nullable() });
const Batch = z.object({
  decisions: z.array(z.object({ id: z.number(), request: Request })),
  outcomes: z.array(z.object({ request: Request, status: z.number(), latencyMs: z.number() })),
});

const port = parentPort;
if (port === null) throw new Error('floor-writer.ts runs as a worker thread of floor.ts');
const audit = await openFloorAudit(z.string().parse(workerData));
port.on('message', (raw: unknown) => {
  const batch = Batch.parse(raw);
  for (const o of batch.outcomes) audit.outcome(o.request, o.status, o.latencyMs);
  void Promise.all(batch.decisions.map((d) => audit.decision(d.request))).then(() =>
    port.postMessage(batch.decisions.map((d) => d.id)),
  );
});
port.postMessage('ready');
