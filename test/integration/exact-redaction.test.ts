// Issue 9: the master key never reaches an agent through a provider's echo: not in headers, not in any body
// (2xx, 3xx, 4xx, 5xx), not in an SSE stream even when the key is split across chunks, and in none of its
// encodings (base64 at any offset, Basic user:key, URL-encoded, JSON \u-escaped). The stream is not held back:
// an event is delivered before the provider sends the next one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { ServerResponse } from 'node:http';
import { raw, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startUpstream, type FakeUpstream } from '../helpers/upstream.ts';

const KEY = 'sk-proj-MASTER/echo+Key_0123456789abcdefXYZ';

let t: TestDaemon;
let up: FakeUpstream;
let token: string;

/** Every way the key is echoed below, as an agent would try to decode it back. */
function leaks(text: string): string[] {
  const found: string[] = [];
  if (text.includes(KEY)) found.push('literal');
  if (text.includes(encodeURIComponent(KEY))) found.push('url');
  if (text.includes(JSON.stringify(KEY).slice(1, -1).replace(/\//g, '\\/'))) found.push('json');
  // Decode every base64-looking run (both alphabets, at each offset) and look for the key inside.
  for (const run of text.match(/[A-Za-z0-9+/_-]{16,}={0,2}/g) ?? []) {
    for (let skip = 0; skip < 4; skip++) {
      const decoded = Buffer.from(run.slice(skip).replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString(
        'latin1',
      );
      if (decoded.includes(KEY.slice(3, -3))) found.push(`base64:${run.slice(0, 12)}`);
    }
  }
  const unescaped = text.replace(/\\u([0-9a-fA-F]{4})/g, (_m, h: string) =>
    String.fromCharCode(parseInt(h, 16)),
  );
  if (unescaped !== text && unescaped.includes(KEY)) found.push('json-u');
  const pct = text.replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  if (pct !== text && pct.includes(KEY)) found.push('percent');
  return found;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const uEscaped = Array.from(KEY, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
const pctAll = [...Buffer.from(KEY)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');

/** A body with the key in every encoding, at each base64 alignment. */
const ECHO_BODY = JSON.stringify({
  literal: KEY,
  b64: [b64(KEY), b64(`x${KEY}`), b64(`xy${KEY}`), b64(KEY).replace(/=+$/, '')],
  urlsafe: b64(`xy${KEY}`).replace(/\+/g, '-').replace(/\//g, '_'),
  basic: [`Basic ${b64(`user:${KEY}`)}`, `Basic ${b64(`${KEY}:`)}`, `Basic ${b64(`ab:${KEY}`)}`],
  url: encodeURIComponent(KEY),
  pct: pctAll,
}).replace('"pct"', `"u":"${uEscaped}","pct"`);

let release: () => void = () => undefined;

beforeAll(async () => {
  up = await startUpstream((req, _body, res: ServerResponse) => {
    const url = req.url ?? '';
    if (url.startsWith('/ok')) {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(ECHO_BODY),
        'x-echo': `Bearer ${KEY}`,
      });
      res.end(ECHO_BODY);
    } else if (url.startsWith('/redirect')) {
      res.writeHead(302, {
        location: `https://example.test/cb?key=${encodeURIComponent(KEY)}`,
        'content-type': 'text/plain',
      });
      res.end(`Found: ${KEY}`);
    } else if (url.startsWith('/denied')) {
      res.writeHead(401, {
        'www-authenticate': `Basic realm="${b64(`user:${KEY}`)}"`,
        'content-type': 'application/json',
      });
      res.end(ECHO_BODY);
    } else if (url.startsWith('/broken')) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`upstream crashed while using ${KEY}`);
    } else if (url.startsWith('/gzip')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end('not really gzip');
    } else if (url.startsWith('/chat/completions')) {
      // SSE: the key split across writes (and once byte by byte), then an event the client must get before
      // the provider sends the next one.
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (content: string) =>
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
      const event = chunk(`key ${KEY} and ${b64(`u:${KEY}`)}`);
      const cut = event.indexOf(KEY) + 7;
      res.write(event.slice(0, cut));
      setImmediate(() => {
        res.write(event.slice(cut));
        const bytes = Buffer.from(chunk(KEY));
        let i = 0;
        const drip = (): void => {
          if (i < bytes.length) {
            res.write(bytes.subarray(i, i + 1));
            i += 1;
            setImmediate(drip);
            return;
          }
          res.write(chunk('first'));
          // The next event is sent only once the agent has seen "first".
          release = () => {
            res.write(chunk('second'));
            res.end('data: [DONE]\n\n');
          };
        };
        drip();
      });
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{}');
    }
  });
  t = await startTestDaemon();
  await t.admin.providers.put('echo', { kind: 'http', baseUrl: up.url, key: KEY });
  await t.admin.providers.put('openai', { kind: 'openai', baseUrl: up.url, key: KEY });
  ({ token } = await t.admin.agents.create({
    name: 'echo-bot',
    scopes: { providers: { echo: {}, openai: {} } },
  }));
});
afterAll(async () => {
  await t.stop();
  await up.close();
});

async function fetchRaw(path: string): Promise<{ status: number; text: string }> {
  const r = await raw(t.url, {
    path: `/v1/proxy/echo${path}`,
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: r.status, text: `${JSON.stringify(r.headers)}\n${r.body}` };
}

describe('no echo of the master key', () => {
  it('the echo carries the key in every encoding (the check itself sees them)', () => {
    expect(leaks(ECHO_BODY)).toEqual(
      expect.arrayContaining(['literal', 'url', 'json-u', 'percent', expect.stringMatching(/^base64:/)]),
    );
  });

  for (const [path, status] of [
    ['/ok', 200],
    ['/redirect', 302],
    ['/denied', 401],
    ['/broken', 500],
  ] as const) {
    it(`${status}: headers and body come back with every form masked`, async () => {
      const r = await fetchRaw(path);
      expect(r.status).toBe(status);
      expect(leaks(r.text)).toEqual([]);
      expect(r.text).toContain('[redacted]');
    });
  }

  it('a 200 body keeps its length (Content-Length stays right) and stays valid JSON', async () => {
    const r = await raw(t.url, { path: '/v1/proxy/echo/ok', headers: { authorization: `Bearer ${token}` } });
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(ECHO_BODY));
    expect(() => JSON.parse(r.body) as unknown).not.toThrow();
  });

  it('a compressed answer (which could hide the key) is refused', async () => {
    const r = await fetchRaw('/gzip');
    expect(r.status).toBe(502);
    expect(leaks(r.text)).toEqual([]);
  });

  it('SSE through the real openai SDK: split and dripped keys are masked, and events are not held back', async () => {
    const client = new OpenAI({ baseURL: `${t.url}/v1/proxy/openai`, apiKey: token, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'echo' }],
      stream: true,
    });
    const seen: string[] = [];
    for await (const part of stream) {
      const content = part.choices[0]?.delta.content ?? '';
      seen.push(content);
      // The provider sends "second" only after "first" reached us: a held-back tail would hang here.
      if (content === 'first') release();
    }
    expect(seen).toContain('second');
    expect(leaks(seen.join('\n'))).toEqual([]);
    expect(seen.join('\n')).toContain('[redacted]');
  });
});
