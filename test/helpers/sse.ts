// A real SSE client over HTTP for tests: collects events and lets a test await the next one it wants.
import { request, type ClientRequest } from 'node:http';
import { parseEvent, type AppEvent, type EventName, type EventMap } from '../../shared/events.ts';

export interface SseClient {
  events: (AppEvent & { at: number })[];
  next<N extends EventName>(
    name: N,
    pred?: (data: EventMap[N]) => boolean,
  ): Promise<EventMap[N] & { receivedAt: number }>;
  close(): void;
}

export function connectSse(baseUrl: string, adminToken: string): Promise<SseClient> {
  const url = new URL('/admin/v1/events', baseUrl);
  const events: (AppEvent & { at: number })[] = [];
  const waiters: {
    name: EventName;
    pred: (d: unknown) => boolean;
    resolve: (v: unknown) => void;
    from: number;
  }[] = [];
  let req: ClientRequest;
  return new Promise((resolve, reject) => {
    req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        headers: { authorization: `Bearer ${adminToken}` },
      },
      (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let idx: number;
          while ((idx = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, idx);
            buf = buf.slice(idx + 2);
            const name = /^event: (.+)$/m.exec(block)?.[1];
            const data = /^data: (.+)$/m.exec(block)?.[1];
            if (!name || data === undefined) continue;
            // Checked against the contract's event schema: a field the contract lacks fails the test.
            const parsed = parseEvent({ name, data: JSON.parse(data) as unknown });
            if (!parsed.ok) throw new Error(`SSE event does not match the contract: ${parsed.problem}`);
            const ev = { ...parsed.event, at: performance.now() };
            events.push(ev);
            for (const w of [...waiters]) {
              if (w.name === ev.name && w.pred(ev.data)) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve({ ...(ev.data as object), receivedAt: ev.at });
              }
            }
          }
        });
        resolve({
          events,
          next: (name, pred = () => true) =>
            new Promise((r) => {
              waiters.push({
                name,
                pred: pred as (d: unknown) => boolean,
                resolve: r as (v: unknown) => void,
                from: events.length,
              });
            }),
          close: () => req.destroy(),
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
