// docs/ARCHITECTURE.md, invariants 3–5: the checks that run before any routing, and the JSON error envelope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';

let t: TestDaemon;
let host: string;
let admin: Record<string, string>;
let agentToken: string;

beforeAll(async () => {
  t = await startTestDaemon();
  host = new URL(t.url).host;
  admin = { authorization: `Bearer ${t.daemon.adminToken}` };
  agentToken = (await t.admin.agents.create({ name: 'guard-bot', scopes: { vault: { readOnly: ['s1'] } } }))
    .token;
  await t.admin.secrets.put('s1', 'value-of-s1-for-guards');
});
afterAll(() => t.stop());

function expectEnvelope(
  res: { status: number; headers: Record<string, unknown>; json: () => unknown },
  status: number,
  code: string,
): void {
  expect(res.status).toBe(status);
  const body = res.json() as { error: { code: string; message: string; requestId: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(10);
  expect(body.error.requestId).toBe(res.headers['x-akc-request-id']);
  for (const name of Object.keys(res.headers)) expect(name.startsWith('access-control-')).toBe(false);
}

describe('before routing', () => {
  it('refuses a foreign Host with 421 and changes nothing', async () => {
    const port = new URL(t.url).port;
    for (const h of [`evil.example:${port}`, '127.0.0.1:1', `127.0.0.1.evil.example:${port}`, 'localhost']) {
      const res = await raw(t.url, {
        method: 'PUT',
        path: '/admin/v1/secrets/evil',
        headers: { ...admin, host: h, 'content-type': 'application/json' },
        body: JSON.stringify({ value: 'planted-by-rebinding' }),
      });
      expectEnvelope(res, 421, 'misdirected_host');
    }
    expect((await t.admin.secrets.list()).map((s) => s.name)).toEqual(['s1']);
  });

  it('accepts localhost and [::1] names for this port', async () => {
    const port = new URL(t.url).port;
    for (const h of [`localhost:${port}`, `[::1]:${port}`, `127.0.0.1:${port}`]) {
      const res = await raw(t.url, { path: '/admin/v1/status', headers: { ...admin, host: h } });
      expect(res.status).toBe(200);
    }
  });

  it('refuses any Origin or Referer from elsewhere with 403, even with valid credentials', async () => {
    const cases: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { referer: 'https://evil.example/page' },
      { origin: `http://${host}`, referer: 'https://evil.example/' },
    ];
    for (const h of cases) {
      const res = await raw(t.url, {
        method: 'PUT',
        path: '/admin/v1/secrets/evil',
        headers: { ...admin, ...h, 'content-type': 'application/json' },
        body: JSON.stringify({ value: 'planted-by-web-page' }),
      });
      expectEnvelope(res, 403, 'forbidden_origin');
      const agentRes = await raw(t.url, {
        path: '/v1/secrets/s1',
        headers: { authorization: `Bearer ${agentToken}`, ...h },
      });
      expectEnvelope(agentRes, 403, 'forbidden_origin');
      expect(agentRes.body).not.toContain('value-of-s1');
    }
    expect((await t.admin.secrets.list()).map((s) => s.name)).toEqual(['s1']);
  });

  it('refuses the console’s own origin on agent routes and without a console session', async () => {
    const own = { origin: t.url };
    expectEnvelope(
      await raw(t.url, { path: '/v1/whoami', headers: { authorization: `Bearer ${agentToken}`, ...own } }),
      403,
      'forbidden_origin',
    );
    expectEnvelope(await raw(t.url, { path: '/admin/v1/status', headers: own }), 401, 'unauthorized');
  });

  it('answers a CORS preflight with an error and no CORS headers', async () => {
    const res = await raw(t.url, {
      method: 'OPTIONS',
      path: '/admin/v1/status',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expectEnvelope(res, 403, 'forbidden_origin');
  });
});

describe('credentials', () => {
  it('admin routes need the admin credential, and a refused write changes nothing', async () => {
    expectEnvelope(await raw(t.url, { path: '/admin/v1/agents' }), 401, 'unauthorized');
    const json = { 'content-type': 'application/json' };
    expectEnvelope(
      await raw(t.url, {
        method: 'PUT',
        path: '/admin/v1/secrets/planted',
        headers: json,
        body: '{"value":"planted-without-token"}',
      }),
      401,
      'unauthorized',
    );
    expectEnvelope(
      await raw(t.url, {
        method: 'POST',
        path: '/admin/v1/agents',
        headers: json,
        body: '{"name":"intruder","scopes":{}}',
      }),
      401,
      'unauthorized',
    );
    expect((await t.admin.secrets.list()).map((s) => s.name)).toEqual(['s1']);
    expect((await t.admin.agents.list()).map((a) => a.name)).toEqual(['guard-bot']);
    expectEnvelope(
      await raw(t.url, { path: '/admin/v1/agents', headers: { authorization: 'Bearer akcadm_wrong' } }),
      401,
      'unauthorized',
    );
    const res = await raw(t.url, {
      path: '/admin/v1/agents',
      headers: { authorization: `Bearer ${agentToken}` },
    });
    expectEnvelope(res, 401, 'invalid_token');
    expect(res.body).toContain('only on /v1');
  });

  it('agent routes refuse the admin credential and malformed tokens before any lookup', async () => {
    const res = await raw(t.url, {
      path: '/v1/whoami',
      headers: { authorization: `Bearer ${t.daemon.adminToken}` },
    });
    expectEnvelope(res, 401, 'invalid_token');
    expect(res.body).toContain('only on /admin');
    // One character changed: the checksum fails.
    const last = agentToken.at(-1) === 'a' ? 'b' : 'a';
    expectEnvelope(
      await raw(t.url, { path: '/v1/whoami', headers: { 'x-api-key': agentToken.slice(0, -1) + last } }),
      401,
      'invalid_token',
    );
    expectEnvelope(await raw(t.url, { path: '/v1/whoami' }), 401, 'invalid_token');
    const ok = await raw(t.url, { path: '/v1/whoami', headers: { 'x-api-key': agentToken } });
    expect(ok.status).toBe(200);
  });
});

describe('bodies', () => {
  it('our routes take JSON only: text/plain is 415 and changes nothing', async () => {
    const res = await raw(t.url, {
      method: 'PUT',
      path: '/admin/v1/secrets/plain',
      headers: { ...admin, 'content-type': 'text/plain' },
      body: '{"value":"abcdefghijkl"}',
    });
    expectEnvelope(res, 415, 'unsupported_media_type');
    expect((await t.admin.secrets.list()).map((s) => s.name)).toEqual(['s1']);
  });

  it('malformed JSON, unknown fields and wrong types are 400 with the field path', async () => {
    const put = (body: string): ReturnType<typeof raw> =>
      raw(t.url, {
        method: 'POST',
        path: '/admin/v1/agents',
        headers: { ...admin, 'content-type': 'application/json' },
        body,
      });
    const bad = await put('{"name": "x", ');
    expectEnvelope(bad, 400, 'bad_request');
    expect((bad.json() as { error: { path: string } }).error.path).toBe('body');
    const unknown = await put(
      JSON.stringify({ name: 'x', scopes: { email: { allowedDomain: ['example.com'] } } }),
    );
    expectEnvelope(unknown, 400, 'bad_request');
    expect((unknown.json() as { error: { path: string } }).error.path).toBe('scopes.email.allowedDomain');
    const wrongType = await put(JSON.stringify({ name: 'x', scopes: { payments: { maxAmount: '100' } } }));
    expectEnvelope(wrongType, 400, 'bad_request');
    expect((wrongType.json() as { error: { path: string } }).error.path).toBe('scopes.payments.maxAmount');
    const extraTop = await put(JSON.stringify({ name: 'x', scopes: {}, admin: true }));
    expect((extraTop.json() as { error: { path: string } }).error.path).toBe('admin');
    expect((await t.admin.agents.list()).map((a) => a.name)).toEqual(['guard-bot']);
  });

  it('a body over the limit is 413', async () => {
    const res = await raw(t.url, {
      method: 'PUT',
      path: '/admin/v1/secrets/big',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ value: 'x'.repeat(300 * 1024) }),
    });
    expectEnvelope(res, 413, 'payload_too_large');
    expect((await t.admin.secrets.list()).map((s) => s.name)).toEqual(['s1']);
  });

  it('unknown routes and methods are JSON errors', async () => {
    expectEnvelope(await raw(t.url, { path: '/nope', headers: admin }), 404, 'not_found');
    const res = await raw(t.url, { method: 'DELETE', path: '/admin/v1/status', headers: admin });
    expectEnvelope(res, 405, 'method_not_allowed');
    expect(res.headers.allow).toBe('GET');
  });
});

describe('console session', () => {
  it('needs both the HttpOnly cookie and the proof from the login redirect; a copied cookie alone opens nothing', async () => {
    const link = new URL(t.daemon.loginUrl ?? '');
    const login = await raw(t.url, { path: `${link.pathname}${link.search}` });
    expect(login.status).toBe(303);
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
    expect(String(login.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    const proof = /#session=(.+)$/.exec(String(login.headers.location))?.[1] ?? '';
    expect(proof.length).toBeGreaterThan(20);
    const own = { origin: t.url };
    expectEnvelope(await raw(t.url, { path: '/admin/v1/status', headers: { cookie } }), 401, 'unauthorized');
    expectEnvelope(
      await raw(t.url, { path: '/admin/v1/status', headers: { cookie, ...own } }),
      401,
      'unauthorized',
    );
    expectEnvelope(
      await raw(t.url, { path: '/admin/v1/status', headers: { 'x-akc-session': proof } }),
      401,
      'unauthorized',
    );
    expect(
      (await raw(t.url, { path: '/admin/v1/status', headers: { cookie, 'x-akc-session': proof } })).status,
    ).toBe(200);
    expect(
      (await raw(t.url, { path: '/admin/v1/status', headers: { cookie, 'x-akc-session': proof, ...own } }))
        .status,
    ).toBe(200);
    // The login link works once.
    expect((await raw(t.url, { path: `${link.pathname}${link.search}` })).status).toBe(401);
  });
});
