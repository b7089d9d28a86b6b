// The proxy's client to providers (undici) hands on response headers exactly as node:http would fold them:
// a provider answering with repeated or odd headers gives the agent, the redaction and the meters the same
// view as before. Checked against node:http itself on the same raw bytes from a real socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { request, type IncomingHttpHeaders } from 'node:http';
import { callUpstream, upstreamFailure } from '../../core/server/upstream-client.ts';
import { startRawProvider, type RawProvider } from '../helpers/raw-provider.ts';

// A provider that answers every request with these exact bytes (keep-alive, so the pool reuses the socket).
const HEAD = [
  'HTTP/1.1 200 OK',
  'Content-Type: application/json',
  'Content-Type: text/html',
  'X-Repeated: one',
  'X-Repeated: two',
  'Set-Cookie: a=1',
  'Cookie: c=1',
  'Cookie: d=2',
  'Retry-After: 5',
  'Retry-After: 9',
  '__proto__: not-a-prototype',
  'X-Latin1: caf\u00e9',
  'Content-Length: 2',
  '',
  '',
].join('\r\n');

let provider: RawProvider;
let base: string;

beforeAll(async () => {
  provider = await startRawProvider((socket) =>
    socket.write(Buffer.concat([Buffer.from(HEAD, 'latin1'), Buffer.from('{}')])),
  );
  base = provider.url;
});
afterAll(() => provider.close());

function viaNodeHttp(): Promise<IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/x`, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers));
    });
    req.on('error', reject);
    req.end();
  });
}

async function viaUpstreamClient(): Promise<IncomingHttpHeaders> {
  const up = await callUpstream({
    url: new URL(`${base}/x`),
    method: 'GET',
    headers: {},
    body: Buffer.alloc(0),
    signal: new AbortController().signal,
    headersTimeoutMs: 5000,
    idleTimeoutMs: 5000,
  });
  const chunks: Buffer[] = [];
  for await (const c of up.body) chunks.push(c as Buffer);
  expect(Buffer.concat(chunks).toString()).toBe('{}');
  return up.headers;
}

describe('upstream client', () => {
  it('folds repeated response headers exactly as node:http does', async () => {
    const node = await viaNodeHttp();
    // Twice: the second call reuses the pooled connection.
    for (let i = 0; i < 2; i++) {
      const ours = await viaUpstreamClient();
      expect({ ...ours }).toEqual({ ...node });
    }
    expect(node['content-type']).toBe('application/json');
    expect(node['x-repeated']).toBe('one, two');
    expect(node['set-cookie']).toEqual(['a=1']);
    expect(node['x-latin1']).toBe('caf\u00e9');
  });

  it('drops a header named __proto__ (as node:http does) without touching any prototype', async () => {
    const ours = await viaUpstreamClient();
    expect(Object.keys(ours)).not.toContain('__proto__');
    expect(Object.getPrototypeOf(ours)).toBeNull();
  });

  it('says why a provider could not be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const addr = closed.address();
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await callUpstream({
      url: new URL(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/x`),
      method: 'POST',
      headers: {},
      body: Buffer.from('{}'),
      signal: new AbortController().signal,
      headersTimeoutMs: 5000,
      idleTimeoutMs: 5000,
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(upstreamFailure(err)).toEqual({ kind: 'unreachable', why: 'ECONNREFUSED', sent: false });
  });
});
