// A hostile provider (raw bytes on a real socket) and a hostile agent against the proxy's undici client:
// the header timeout holds whatever the provider sends before its final head, malformed answers give the
// agent a 502 (never a crash, never a hang), a cut or a hang-up between head and body closes the pooled
// connection, and every request gets exactly one outcome entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { request } from 'node:http';
import { raw, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startRawProvider, type RawConnection, type RawProvider } from '../helpers/raw-provider.ts';

const KEY = 'k-hostile-provider-MASTER-0001';
const TIMEOUT_MS = 600;

let t: TestDaemon;
let provider: RawProvider;

/** What the provider does for each path (the first request line's target). */
const behaviours: Record<string, (s: Socket) => void> = {
  // 102 Processing every 150 ms, forever: never a final head.
  '/info-flood': (s) => {
    const tick = setInterval(() => s.write('HTTP/1.1 102 Processing\r\n\r\n'), 150);
    s.on('close', () => clearInterval(tick));
  },
  '/status-099': (s) => s.write('HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\n{}'),
  '/dup-length': (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'),
  '/cl-and-te': (s) =>
    s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'),
  '/upgrade': (s) => s.write('HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n'),
  // A head, the first bytes of a long body, then nothing.
  '/head-then-stall': (s) =>
    s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nabc'),
  // Closes mid-body.
  '/short': (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc'),
  // An error answer that closes mid-body.
  '/short-error': (s) => s.end('HTTP/1.1 500 Oops\r\nContent-Length: 100\r\n\r\n{"err'),
  '/ok': (s) => s.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'),
};

beforeAll(async () => {
  provider = await startRawProvider((socket, path) => (behaviours[path] ?? behaviours['/ok'])?.(socket));
  t = await startTestDaemon({ upstreamTimeoutMs: TIMEOUT_MS });
  await t.admin.providers.put('hostile', { kind: 'http', baseUrl: provider.url, key: KEY });
});
afterAll(async () => {
  await t.stop();
  await provider.close();
});

async function newAgent(name: string): Promise<{ token: string; id: string }> {
  const { token, agent } = await t.admin.agents.create({ name, scopes: { providers: { hostile: {} } } });
  return { token, id: agent.id };
}

/** A POST through the proxy; a response cut after its head resolves with status -1. */
const post = (token: string, path: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request(`${t.url}/v1/proxy/hostile${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('latin1')));
      res.on('error', () => undefined);
      res.on('close', () => resolve({ status: res.complete ? (res.statusCode ?? 0) : -1, body }));
    });
    req.on('error', reject);
    req.end('{}');
  });

async function outcomes(
  agentId: string,
): Promise<{ reason?: string; status?: number; requestId?: string }[]> {
  return (await t.admin.audit.list({ agentId, action: 'http.request.result' })).entries as {
    reason?: string;
    status?: number;
    requestId?: string;
  }[];
}

/**
 * Resolves once every provider connection that has carried `path` is closed (a pooled connection may have
 * served other paths before, so all of them are looked at, not only the newest).
 */
const closedAll = async (path: string): Promise<void> => {
  await Promise.all(provider.connections.filter((c: RawConnection) => c.path === path).map((c) => c.closed));
};

describe('hostile provider', () => {
  it('informational answers do not stretch the header timeout: 504 once it has passed', async () => {
    const a = await newAgent('info-flood-bot');
    const started = Date.now();
    // Without the deadline this call never ends, and the test's own timeout fails it.
    const r = await post(a.token, '/info-flood');
    expect(r.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1500);
    expect(await outcomes(a.id)).toMatchObject([{ reason: 'upstream_timeout', status: 504 }]);
    // The provider's connection is not kept (the test's timeout fails it otherwise).
    await closedAll('/info-flood');
  }, 10_000);

  it.each(['/status-099', '/dup-length', '/cl-and-te', '/upgrade', '/short', '/short-error'])(
    'a malformed answer (%s) is a 502 with one outcome entry, and the daemon carries on',
    async (path) => {
      const a = await newAgent(`malformed-${path.slice(1)}`);
      const r = await post(a.token, path).catch((err: unknown) => ({ status: -1, body: String(err) }));
      // /short may have sent its head already: the agent's connection is then cut (-1).
      expect([502, -1]).toContain(r.status);
      expect(r.body).not.toContain(KEY);
      const got = await outcomes(a.id);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ status: 502, reason: 'upstream_error' });
      expect((await post(a.token, '/ok')).status).toBe(200);
    },
  );
});

describe('answers read whole before they are passed on', () => {
  it('a model list larger than the filter reads is a 502, never passed on unfiltered', async () => {
    await t.admin.providers.put('hostile-openai', { kind: 'openai', baseUrl: provider.url, key: KEY });
    const { token, agent } = await t.admin.agents.create({
      name: 'big-model-list-bot',
      scopes: { providers: { 'hostile-openai': { models: ['gpt-4o-mini'] } } },
    });
    // 9 MiB of models the agent may not see, past the 8 MiB the filter reads.
    const hidden = JSON.stringify({ id: 'gpt-hidden', object: 'model' });
    const body = `{"object":"list","data":[${Array.from({ length: Math.ceil((9 * 2 ** 20) / hidden.length) }, () => hidden).join(',')}]}`;
    behaviours['/models'] = (s) =>
      s.write(
        `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    const r = await raw(t.url, {
      method: 'GET',
      path: '/v1/proxy/hostile-openai/models',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(502);
    expect(r.body).not.toContain('gpt-hidden');
    expect(r.body).toContain('too large to filter');
    const got = (await t.admin.audit.list({ agentId: agent.id, action: 'llm.request.result' })).entries;
    expect(got).toMatchObject([{ reason: 'upstream_error', status: 502 }]);
  }, 20_000);

  it('an error body larger than 1 MiB is a 502 with nothing of it passed on, an echoed key at the cut neither', async () => {
    const a = await newAgent('big-error-bot');
    // The agent's padding first, then the echoed key, placed across the 1 MiB mark.
    const echo = `","auth":"Bearer ${KEY}"}`;
    const body = `{"pad":"${'x'.repeat(2 ** 20 - 8 - echo.length + 6)}${echo}`;
    behaviours['/big-error'] = (s) =>
      s.write(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
    const r = await post(a.token, '/big-error');
    expect(r.status).toBe(502);
    expect(r.body).not.toContain(KEY.slice(0, 12));
    expect(r.body).toContain('larger than 1 MiB');
    expect(await outcomes(a.id)).toMatchObject([{ reason: 'upstream_error', status: 502 }]);
  });

  it('an error body is passed on whole with the echoed key removed and a length that fits it', async () => {
    const a = await newAgent('error-echo-bot');
    const body = `{"error":"bad key ${KEY}"}`;
    behaviours['/error-echo'] = (s) =>
      s.write(
        `HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
    const r = await post(a.token, '/error-echo');
    expect(r.status).toBe(401);
    expect(r.body).not.toContain(KEY);
    expect(r.body).toContain('bad key');
    expect(await outcomes(a.id)).toMatchObject([{ reason: 'upstream_status', status: 401 }]);
  });
});

describe('cuts between head and body', () => {
  async function streamThenCut(cut: (agentId: string, close: () => void) => Promise<void>): Promise<void> {
    const a = await newAgent(`cut-${provider.connections.length}`);
    await new Promise<void>((resolve, reject) => {
      const req = request(`${t.url}/v1/proxy/hostile/head-then-stall`, {
        method: 'POST',
        headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        res.on('error', () => undefined);
        res.once('data', () => {
          void cut(a.id, () => req.destroy()).then(resolve, reject);
        });
      });
      req.on('error', () => undefined);
      req.end('{}');
    });
    // The pooled connection that carried the half-sent answer is closed, not kept for the next call (the
    // test's timeout fails it otherwise). The cut's outcome entry is recorded before that connection is
    // closed, and an audit read writes what is held, so it is there to read now.
    await closedAll('/head-then-stall');
    const got = await outcomes(a.id);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ reason: 'cut', status: 499 });
  }

  it('the agent hanging up closes the upstream connection; one "cut" entry', () =>
    streamThenCut((_id, close) => {
      close();
      return Promise.resolve();
    }));

  it('a revoke closes the upstream connection; one "cut" entry', () =>
    streamThenCut(async (id) => {
      await t.admin.agents.revoke(id, { reason: 'test', severity: 'low' });
    }));
});

describe('requests and answers that must cross unchanged', () => {
  it('HEAD: the head crosses without a body, and the pooled connection serves the next call right', async () => {
    const a = await newAgent('head-bot');
    behaviours['/head'] = (s) =>
      s.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n');
    const r = await raw(t.url, {
      method: 'HEAD',
      path: '/v1/proxy/hostile/head',
      headers: { authorization: `Bearer ${a.token}` },
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe('17');
    expect((await post(a.token, '/ok')).body).toBe('{}');
  });

  it('agent headers reach the provider byte for byte (latin-1 values), hop-by-hop ones do not', async () => {
    const a = await newAgent('header-bot');
    let got = '';
    behaviours['/headers'] = (s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
    const capture = (c: Buffer): void => {
      if (c.toString('latin1').includes('/headers')) got = c.toString('latin1');
    };
    provider.server.on('connection', (s: Socket) => s.on('data', capture));
    for (const c of provider.connections) c.socket.on('data', capture);
    const send = (extra: Record<string, string>): ReturnType<typeof raw> =>
      raw(t.url, {
        method: 'POST',
        path: '/v1/proxy/hostile/headers',
        headers: {
          authorization: `Bearer ${a.token}`,
          'content-type': 'application/json',
          'x-latin': 'caf\u00e9',
          te: 'trailers',
          ...extra,
        },
        body: '{"a":1}',
      });
    const r = await send({ connection: 'keep-alive, x-drop-me', 'x-drop-me': '1', upgrade: 'h2c' }).catch(
      (err: unknown) => ({ status: -1, body: String(err) }),
    );
    // A Connection header naming an end-to-end header is refused before anything leaves.
    expect(r.status).toBe(400);
    const ok = await send({ 'keep-alive': 'timeout=5' });
    expect(ok.status).toBe(200);
    expect(got).toContain('x-latin: caf\u00e9\r\n');
    expect(got.toLowerCase()).not.toMatch(/\r\n(te|keep-alive|upgrade):/);
    expect(got.match(/content-length/gi)).toHaveLength(1);
    expect(got).toContain(`\r\n\r\n{"a":1}`);
  });
});
