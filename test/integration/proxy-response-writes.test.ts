// How the proxy writes an answer back: the head goes out with the first chunk (one socket write), yet
// every byte arrives in order and a stream whose first chunk is slow still gets its head at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startUpstream, type FakeUpstream } from '../helpers/upstream.ts';

let t: TestDaemon;
let up: FakeUpstream;
let token = '';

beforeAll(async () => {
  up = await startUpstream();
  t = await startTestDaemon();
  await t.admin.providers.put('api', { kind: 'http', baseUrl: up.url, key: 'k-response-writes-0001' });
  token = (await t.admin.agents.create({ name: 'writes-bot', scopes: { providers: { api: {} } } })).token;
});
afterAll(async () => {
  await t.stop();
  await up.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** ms from sending until the head arrived, and until the end. */
  headAt: number;
  endAt: number;
}

function call(path: string, onHead?: () => void): Promise<Answer> {
  const u = new URL(t.url);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: `/v1/proxy/api${path}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        const headAt = performance.now() - t0;
        onHead?.();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            headAt,
            endAt: performance.now() - t0,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

describe('answers written back to the agent', () => {
  it('a sized answer arrives whole, head and body as the upstream sent them', async () => {
    const body = JSON.stringify({ ok: true, pad: 'x'.repeat(50_000) });
    up.handle((_req, _b, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    const a = await call('/sized');
    expect(a.status).toBe(201);
    expect(a.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(a.body).toBe(body);
  });

  it('a chunked stream sent in one burst arrives complete and in order (terminator last)', async () => {
    const events = Array.from({ length: 40 }, (_, i) => `data: {"n":${i}}\n\n`);
    up.handle((_req, _b, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const e of events) res.write(e);
      res.end('data: [DONE]\n\n');
    });
    for (let i = 0; i < 5; i += 1) {
      const a = await call('/burst');
      expect(a.status).toBe(200);
      expect(a.headers['transfer-encoding']).toBe('chunked');
      expect(a.body).toBe(events.join('') + 'data: [DONE]\n\n');
    }
  });

  it('a stream whose first chunk is slow still gets its head before that chunk', async () => {
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    up.handle((_req, _b, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      // The first chunk leaves only once the agent has seen the head: a proxy that held the head back
      // for the first chunk would never finish this call.
      void released.then(() => res.end('data: late\n\n'));
    });
    const a = await call('/slow', release);
    expect(a.status).toBe(200);
    expect(a.body).toBe('data: late\n\n');
  });
});
