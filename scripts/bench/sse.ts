// A console tab as the benchmarks see it: an admin SSE listener on /admin/v1/events that reads and
// discards what it gets, counting events.
import http from 'node:http';

export interface SseListener {
  events: () => number;
  close: () => void;
}

export function sseListener(url: string, adminToken: string): Promise<SseListener> {
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

/** Opens `n` listeners (one connection each). */
export async function sseListeners(url: string, adminToken: string, n: number): Promise<SseListener[]> {
  const out: SseListener[] = [];
  for (let i = 0; i < n; i += 1) out.push(await sseListener(url, adminToken));
  return out;
}
