// The master key echoed where the value check does not look: in a response header's name (names reach the
// proxy lower-cased), or inside a body sent with a transfer coding other than chunked ("gzip, chunked":
// undici and node:http hand it on still compressed, and the hop-by-hop header that says so is dropped).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipSync, gzipSync } from 'node:zlib';
import { raw, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startRawProvider, type RawProvider } from '../helpers/raw-provider.ts';

const KEY = 'k-echo-provider-master-0001';

let t: TestDaemon;
let provider: RawProvider;
let token: string;

/** Raw answers, by request path. */
const ANSWERS: Record<string, Buffer> = {
  '/name': Buffer.from(
    `HTTP/1.1 200 OK\r\nX-${KEY}: 1\r\nX-Upper-${KEY.toUpperCase()}: 2\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
    'latin1',
  ),
  '/gzip-transfer': (() => {
    const gz = gzipSync(`{"echo":"${KEY}"}`);
    return Buffer.concat([
      Buffer.from(
        `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${gz.length.toString(16)}\r\n`,
        'latin1',
      ),
      gz,
      Buffer.from('\r\n0\r\n\r\n', 'latin1'),
    ]);
  })(),
};

beforeAll(async () => {
  provider = await startRawProvider((socket, path) =>
    socket.write(ANSWERS[path] ?? Buffer.from('HTTP/1.1 404 N\r\nContent-Length: 0\r\n\r\n')),
  );
  t = await startTestDaemon();
  await t.admin.providers.put('echo', {
    kind: 'http',
    baseUrl: provider.url,
    key: KEY,
  });
  ({ token } = await t.admin.agents.create({ name: 'echo-bot', scopes: { providers: { echo: {} } } }));
});
afterAll(async () => {
  await t.stop();
  await provider.close();
});

const get = (path: string) =>
  raw(t.url, { path: `/v1/proxy/echo${path}`, headers: { authorization: `Bearer ${token}` } });

describe('echoes outside header values and plain bodies', () => {
  it('a response header named after the key is removed, whatever its case', async () => {
    const r = await get('/name');
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.headers).toLowerCase()).not.toContain(KEY.toLowerCase());
    expect(r.body).toBe('{}');
  });

  it('a body under a "gzip" transfer coding is refused, not handed on compressed', async () => {
    const { request } = await import('node:http');
    const got = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
      const req = request(`${t.url}/v1/proxy/echo/gzip-transfer`, {
        headers: { authorization: `Bearer ${token}` },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => undefined);
        res.on('close', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
    let decoded = got.body.toString('latin1');
    try {
      decoded = gunzipSync(got.body).toString('latin1');
    } catch {
      // Not gzip: read as it is.
    }
    expect(decoded).not.toContain(KEY);
    expect(got.status).toBe(502);
    expect(got.body.toString()).toContain('gzip-compressed body, which is refused');
  });
});
