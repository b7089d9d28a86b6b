// Issue 4: email, payments, daily limits, budgets under concurrency, bad input, upstream failures and
// the fail-closed audit — all through real HTTP to local fake providers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { request, type IncomingMessage } from 'node:http';
import {
  agentPost,
  raw,
  startDaemonWithProviders,
  startTestDaemon,
  type TestDaemon,
} from '../helpers/daemon.ts';
import { budgetUsedUsd, chatAnswer, raceHeld } from '../helpers/budget-race.ts';
import { answerJson, startUpstream, type FakeUpstream } from '../helpers/upstream.ts';
import { ADAPTERS, DEFAULT_PRICES } from '../../core/providers/registry.ts';
import { ERROR_STATUS } from '../../shared/errors.ts';

let t: TestDaemon;
let up: Record<'resend' | 'stripe' | 'openai', FakeUpstream>;

beforeAll(async () => {
  ({ t, up } = await startDaemonWithProviders({
    resend: { key: 're_MASTER_resend_key_000001', handler: answerJson('{"id":"email_1"}') },
    stripe: {
      key: 'sk_live_MASTER_stripe_000001',
      handler: answerJson('{"id":"pi_1","object":"payment_intent"}'),
    },
    openai: { key: 'sk-MASTER-llm-key-0000001' },
  }));
});
afterAll(() => t.stop());

async function call(
  token: string,
  provider: string,
  path: string,
  body: string,
  contentType = 'application/json',
): Promise<{ status: number; json: () => unknown; body: string }> {
  return raw(t.url, {
    method: 'POST',
    path: `/v1/proxy/${provider}${path}`,
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
  });
}

/** A POST through the proxy whose answer is read by the test itself (an "aborted" error is expected). */
const openCall = (token: string, provider: string): Promise<IncomingMessage> =>
  new Promise((resolve, reject) => {
    const req = request(`${t.url}/v1/proxy/${provider}/x`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      res.on('error', () => undefined);
      resolve(res);
    });
    req.on('error', reject);
    req.end('{}');
  });

/** One email sent through the proxy's Resend route, as an agent's SDK would send it. */
const sendEmail = (token: string, message: Record<string, unknown>): ReturnType<typeof call> =>
  call(token, 'resend', '/emails', JSON.stringify(message));

/** An email from and to example.com, the domain the email agents below may write to. */
const EXAMPLE_EMAIL = { from: 'a@example.com', to: 'b@example.com', subject: 's', html: 'h' };

/** A new agent that may email example.com, up to `dailyLimit` emails a day. */
const mailAgent = (name: string, dailyLimit: number): ReturnType<typeof t.admin.agents.create> =>
  t.admin.agents.create({ name, scopes: { email: { allowedDomains: ['example.com'], dailyLimit } } });

describe('email', () => {
  it('refuses a disallowed domain before the upstream, allows exactly the daily limit, audits each', async () => {
    const { token, agent } = await mailAgent('mail-bot', 3);
    const before = up.resend.received.length;
    const bad = await sendEmail(token, {
      from: 'me@example.com',
      to: ['bob@example.com', 'eve@evil.example'],
      subject: 'hi',
      html: 'x',
    });
    expect(bad.status).toBe(403);
    // Resend's own error shape, with our code and rule as extra fields (docs/clients.md).
    expect(bad.json()).toMatchObject({
      statusCode: 403,
      code: 'scope_denied',
      rule: { scope: 'email.allowedDomains', value: 'eve@evil.example' },
    });
    const sub = await sendEmail(token, {
      from: 'me@example.com',
      to: 'a@mail.example.com',
      subject: 'x',
      html: 'x',
    });
    expect(sub.status).toBe(403);
    expect(up.resend.received.length).toBe(before);

    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const r = await sendEmail(token, {
        from: 'me@example.com',
        to: `user${i}@example.com`,
        subject: 's',
        html: 'h',
      });
      statuses.push(r.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(up.resend.received.length).toBe(before + 3);
    expect(up.resend.received.at(-1)?.headers.authorization).toBe('Bearer re_MASTER_resend_key_000001');
    const denials = (await t.admin.audit.list({ agentId: agent.id, decision: 'deny' })).entries;
    expect(denials.map((e) => e.reason)).toEqual([
      'rate_limited',
      'rate_limited',
      'scope_denied',
      'scope_denied',
    ]);
    expect(denials.every((e) => e.agentId === agent.id && (e.rule ?? '').length > 0)).toBe(true);
    const meter = (await t.admin.agents.get(agent.id)).usage.find((u) => u.key === 'email.daily');
    expect(meter).toMatchObject({ used: 3, limit: 3 });
  });

  it('keeps counting after a restart (counters live in SQLite)', async () => {
    const { token } = await mailAgent('mail-bot-2', 1);
    expect((await sendEmail(token, EXAMPLE_EMAIL)).status).toBe(200);
    const dir = t.dir;
    await t.daemon.stop();
    const again = await startTestDaemon({ dir, init: false });
    const r = await agentPost(
      again.url,
      token,
      '/v1/proxy/resend/emails',
      JSON.stringify({ from: 'a@example.com', to: 'c@example.com', subject: 's', html: 'h' }),
    );
    expect(r.status).toBe(429);
    t = again;
  });
});

describe('payments', () => {
  it('refuses a payment over the maximum or in another currency before the upstream', async () => {
    const { token } = await t.admin.agents.create({
      name: 'pay-bot',
      scopes: { payments: { provider: 'stripe', maxAmount: 10000, currency: 'usd', oneTime: true } },
    });
    const before = up.stripe.received.length;
    const over = await call(
      token,
      'stripe',
      '/v1/payment_intents',
      'amount=10001&currency=usd',
      'application/x-www-form-urlencoded',
    );
    expect(over.status).toBe(403);
    expect(over.json()).toMatchObject({
      error: { code: 'scope_denied', rule: { scope: 'payments.maxAmount', limit: 10000, value: 10001 } },
    });
    const eur = await call(
      token,
      'stripe',
      '/v1/payment_intents',
      'amount=500&currency=eur',
      'application/x-www-form-urlencoded',
    );
    expect(eur.status).toBe(403);
    const recurring = await call(
      token,
      'stripe',
      '/v1/payment_intents',
      'amount=500&currency=usd&setup_future_usage=off_session',
      'application/x-www-form-urlencoded',
    );
    expect(recurring.status).toBe(403);
    expect(up.stripe.received.length).toBe(before);
    const ok = await call(
      token,
      'stripe',
      '/v1/payment_intents',
      'amount=4200&currency=usd',
      'application/x-www-form-urlencoded',
    );
    expect(ok.status).toBe(200);
    expect(up.stripe.received.at(-1)?.body).toBe('amount=4200&currency=usd');
    expect(up.stripe.received.at(-1)?.headers.authorization).toBe('Bearer sk_live_MASTER_stripe_000001');
  });
});

describe('budgets', () => {
  it('32 concurrent calls cannot overspend a USD budget', async () => {
    const body = JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello' }],
      max_tokens: 1000,
    });
    const facts = ADAPTERS.openai.facts(
      {
        providerId: 'openai',
        method: 'POST',
        path: '/chat/completions',
        query: '',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(body),
      },
      'openai',
      DEFAULT_PRICES,
    );
    const estimate = facts.estimatedUsd ?? 0;
    expect(estimate).toBeGreaterThan(0);
    const budgetUsd = estimate * 7.5; // room for exactly 7 reservations
    const { token, agent } = await t.admin.agents.create({
      name: 'llm-bot',
      scopes: { providers: { openai: { models: ['gpt-4o-mini'], budget: { usd: budgetUsd, per: 'day' } } } },
    });
    // The upstream holds every answer until all 32 requests have been decided.
    const { results, forwarded: allowed } = await raceHeld(t, up.openai, {
      agentId: agent.id,
      n: 32,
      send: () => call(token, 'openai', '/chat/completions', body),
      answer: chatAnswer(5, 1000),
    });
    const ok = results.filter((r) => r.status === 200).length;
    const over = results.filter((r) => r.status === 429);
    expect(ok).toBe(7);
    expect(allowed).toBe(7);
    expect(over).toHaveLength(25);
    expect(over[0]?.json()).toMatchObject({ error: { code: 'budget_exceeded' } });
    const used = budgetUsedUsd(t, agent.id);
    expect(used.reserved).toBe(0);
    expect(used.spent).toBeLessThanOrEqual(budgetUsd);
  });
});

describe('bad input never gives a 500', () => {
  it('malformed bodies, unknown providers and path tricks get clear errors and reach nothing', async () => {
    const { token } = await t.admin.agents.create({
      name: 'fuzz-bot',
      scopes: { providers: { openai: { paths: ['/chat/*'] } }, email: { allowedDomains: ['example.com'] } },
    });
    const before = up.openai.received.length + up.resend.received.length;
    const cases: { path: string; body?: string; type?: string; method?: string; expect: number }[] = [
      { path: '/v1/proxy/openai/chat/completions', body: '{"model":', expect: 400 },
      { path: '/v1/proxy/openai/chat/completions', body: '[1,2]', expect: 400 },
      { path: '/v1/proxy/resend/emails', body: '{"to": 5}', expect: 400 },
      { path: '/v1/proxy/nope/x', body: '{}', expect: 404 },
      { path: '/v1/proxy/openai/chat/../files', body: '{}', expect: 400 },
      { path: '/v1/proxy/openai/chat/%2e%2e/files', body: '{}', expect: 400 },
      { path: '/v1/proxy/openai/chat%2f..%2ffiles', body: '{}', expect: 400 },
      { path: '/v1/proxy/openai/chat//x', body: '{}', expect: 400 },
      { path: '/v1/proxy/openai/chat/%zz', body: '{}', expect: 400 },
      { path: '/v1/proxy/openai/chat/a%5c..', body: '{}', expect: 400 },
      { path: '/v1/proxy/openai/chat/completions', body: 'x'.repeat(9 * 1024 * 1024), expect: 413 },
      { path: '/v1/proxy/%2e%2e/chat', body: '{}', expect: 404 },
    ];
    for (const c of cases) {
      const r = await raw(t.url, {
        method: c.method ?? 'POST',
        path: c.path,
        headers: { authorization: `Bearer ${token}`, 'content-type': c.type ?? 'application/json' },
        body: c.body,
      });
      expect(r.status, `${c.path} → ${r.body.slice(0, 200)}`).toBe(c.expect);
      // A contract code (our envelope or the provider's own shape carries it in x-akc-error) whose status
      // is the one answered.
      const code = String(r.headers['x-akc-error']);
      expect(Object.entries(ERROR_STATUS).find(([c]) => c === code)?.[1], code).toBe(c.expect);
    }
    expect(up.openai.received.length + up.resend.received.length).toBe(before);
  });

  it('a fuzz run of random requests against every route never gets a 500 and the server stays up', async () => {
    const fc = await import('fast-check');
    const { token } = await t.admin.agents.create({ name: 'fuzz-2', scopes: { providers: { openai: {} } } });
    up.openai.handle((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const routes = [
      '/v1/whoami',
      '/v1/secrets/x',
      '/v1/proxy/openai/chat/completions',
      '/v1/proxy/resend/emails',
      '/v1/proxy/stripe/v1/charges',
      '/admin/v1/agents',
      '/admin/v1/providers/x',
      '/admin/v1/secrets/y',
      '/admin/v1/audit',
      '/admin/v1/vault/unlock',
      '/admin/v1/approvals/apr_x/decision',
      '/openapi.json',
      '/',
    ];
    const auths: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${token}` },
      { authorization: `Bearer ${t.daemon.adminToken}` },
      { 'x-api-key': 'akc_garbage' },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        fc.constantFrom(...auths),
        fc.oneof(fc.string(), fc.json(), fc.constant('')),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
        fc.string({ maxLength: 20 }),
        async (route, method, auth, body, type, suffix) => {
          const path = `${route}${encodeURI(suffix).replace(/#/g, '%23')}`;
          const headers: Record<string, string> = { ...auth };
          if (type) headers['content-type'] = type;
          const r = await raw(t.url, { method, path, headers, body: method === 'GET' ? undefined : body });
          expect(r.status, `${method} ${path}: ${r.body.slice(0, 300)}`).toBeLessThan(500);
        },
      ),
      { numRuns: 250 },
    );
    expect(
      (
        await raw(t.url, {
          path: '/admin/v1/status',
          headers: { authorization: `Bearer ${t.daemon.adminToken}` },
        })
      ).status,
    ).toBe(200);
  }, 120_000);
});

describe('upstream failures', () => {
  it('an upstream that is down gives upstream_error and an audit entry, no hang', async () => {
    const { token, agent } = await t.admin.agents.create({
      name: 'down-bot',
      scopes: { providers: { down: {} } },
    });
    const dead = await startUpstream();
    const url = dead.url;
    await dead.close();
    await t.admin.providers.put('down', { kind: 'http', baseUrl: url, key: 'k-down-provider-000001' });
    const r = await call(token, 'down', '/x', '{}');
    expect(r.status).toBe(502);
    expect(r.json()).toMatchObject({ error: { code: 'upstream_error' } });
    expect(r.body).toContain('could not be reached (ECONNREFUSED)');
    expect(r.body).not.toContain('k-down-provider');
    const result = (await t.admin.audit.list({ agentId: agent.id, action: 'http.request.result' }))
      .entries[0];
    expect(result).toMatchObject({ reason: 'upstream_error', status: 502, decision: 'error' });
  });

  it('an upstream that never answers times out with 504', async () => {
    const slow = await startUpstream(() => undefined);
    const dir = t.dir;
    await t.daemon.stop();
    t = await startTestDaemon({ dir, init: false, upstreamTimeoutMs: 300 });
    await t.admin.providers.put('slow', { kind: 'http', baseUrl: slow.url, key: 'k-slow-provider-000001' });
    const { token, agent } = await t.admin.agents.create({
      name: 'slow-bot',
      scopes: { providers: { slow: {} } },
    });
    const r = await call(token, 'slow', '/x', '{}');
    expect(r.status).toBe(504);
    expect(r.json()).toMatchObject({ error: { code: 'upstream_timeout' } });
    const result = (await t.admin.audit.list({ agentId: agent.id, action: 'http.request.result' }))
      .entries[0];
    expect(result).toMatchObject({ reason: 'upstream_timeout', status: 504, decision: 'error' });
    await slow.close();
  });

  it('an upstream that goes silent mid-answer is cut after the idle timeout (the daemon above: 300 ms)', async () => {
    const stalls = await startUpstream((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
    });
    await t.admin.providers.put('stalls', {
      kind: 'http',
      baseUrl: stalls.url,
      key: 'k-stall-provider-00001',
    });
    const { token, agent } = await t.admin.agents.create({
      name: 'stall-bot',
      scopes: { providers: { stalls: {} } },
    });
    // The agent gets the head and the first bytes, then its connection is closed before the promised 100.
    const res = await openCall(token, 'stalls');
    const got = await new Promise<{ status: number; body: string; complete: boolean }>((resolve) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body, complete: res.complete }));
    });
    expect(got).toEqual({ status: 200, body: '{"partial":', complete: false });
    const result = (await t.admin.audit.list({ agentId: agent.id, action: 'http.request.result' }))
      .entries[0];
    expect(result).toMatchObject({ reason: 'upstream_error', status: 502, decision: 'error' });
    await stalls.close();
  });

  it('an agent that stops reading a long answer is cut after the idle timeout, freeing the provider connection', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const streams = await startUpstream((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.on('close', () => upstreamClosed());
      // Endless, as fast as the proxy reads it.
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    await t.admin.providers.put('streams', {
      kind: 'http',
      baseUrl: streams.url,
      key: 'k-stream-provider-0001',
    });
    const { token, agent } = await t.admin.agents.create({
      name: 'stops-reading-bot',
      scopes: { providers: { streams: {} } },
    });
    const agentSide = await openCall(token, 'streams');
    agentSide.pause(); // reads nothing from here on
    expect(agentSide.statusCode).toBe(200);
    await closed; // the daemon cut the call: the provider's side of the pooled connection is released
    // The agent, reading again, finds its answer cut short (a paused socket does not see the close before).
    await new Promise<void>((resolve) => {
      agentSide.on('close', () => resolve());
      agentSide.resume();
    });
    expect(agentSide.complete).toBe(false);
    const result = (await t.admin.audit.list({ agentId: agent.id, action: 'http.request.result' }))
      .entries[0];
    expect(result).toMatchObject({ reason: 'upstream_error', status: 502, decision: 'error' });
    await streams.close();
  });

  it('a compressed answer is refused and not read on: an endless one does not hold the provider connection', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const gz = await startUpstream((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.on('close', () => upstreamClosed());
      const timer = setInterval(() => res.write(Buffer.alloc(1024)), 5);
      res.on('close', () => clearInterval(timer));
    });
    await t.admin.providers.put('gz', { kind: 'http', baseUrl: gz.url, key: 'k-gzip-provider-000001' });
    const { token } = await t.admin.agents.create({ name: 'gz-bot', scopes: { providers: { gz: {} } } });
    const r = await call(token, 'gz', '/x', '{}');
    expect(r.status).toBe(502);
    expect(r.body).toContain('gzip-compressed body, which is refused');
    await closed;
    await gz.close();
  });

  it('a request sent with "Expect: 100-continue" is forwarded whole, without the expectation', async () => {
    const { token } = await t.admin.agents.create({
      name: 'expect-bot',
      scopes: { providers: { openai: {} } },
    });
    const before = up.openai.received.length;
    const r = await raw(t.url, {
      method: 'POST',
      path: '/v1/proxy/openai/v1/embeddings',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        expect: '100-continue',
      },
      body: JSON.stringify({ model: 'text-embedding-3-small', input: 'hello' }),
    });
    expect(r.status).toBe(200);
    const got = up.openai.received.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]?.headers.expect).toBeUndefined();
    expect(JSON.parse(got[0]?.body ?? '')).toEqual({ model: 'text-embedding-3-small', input: 'hello' });
  });
});

describe('fail-closed audit', () => {
  it('with the audit database locked by another process, the call is refused with audit_unavailable and nothing is sent', async () => {
    const { token, agent } = await mailAgent('audit-bot', 5);
    const before = up.resend.received.length;
    const blocker = new Database(join(t.dir, 'keychain.db'));
    blocker.pragma('busy_timeout = 0');
    blocker.exec('BEGIN EXCLUSIVE');
    try {
      const r = await sendEmail(token, EXAMPLE_EMAIL);
      expect(r.status).toBe(503);
      expect(r.json()).toMatchObject({ statusCode: 503, code: 'audit_unavailable' });
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
    }
    expect(up.resend.received.length).toBe(before);
    expect((await t.admin.agents.get(agent.id)).usage.find((u) => u.key === 'email.daily')?.used).toBe(0);
    const r2 = await sendEmail(token, EXAMPLE_EMAIL);
    expect(r2.status).toBe(200);
    expect((await t.admin.audit.verify()).ok).toBe(true);
  });
});

describe('path and header tricks cannot dodge the email and payment rules', () => {
  it('refuses fragments, encoded specials, matrix params; recognises endpoints whatever the case or trailing slash', async () => {
    const { token } = await t.admin.agents.create({
      name: 'tricky-bot',
      scopes: {
        providers: { resend: {}, stripe: {} },
        email: { allowedDomains: ['example.com'] },
        payments: { maxAmount: 100, currency: 'usd' },
      },
    });
    const before = up.resend.received.length + up.stripe.received.length;
    const mail = JSON.stringify({
      from: 'a@example.com',
      to: 'victim@evil.example',
      subject: 's',
      html: 'h',
    });
    for (const path of ['/emails#', '/emails%23', '/emails;x', '/emails%3Bx', '/emails%20', '/em%61ils%3f']) {
      const r = await call(token, 'resend', path, mail);
      expect(r.status, `${path}: ${r.body}`).toBe(400);
    }
    for (const path of ['/emails/', '/EMAILS', '/Emails/']) {
      const r = await call(token, 'resend', path, mail);
      expect(r.status, `${path}: ${r.body}`).toBe(403);
      expect(r.json()).toMatchObject({ code: 'scope_denied', rule: { scope: 'email.allowedDomains' } });
    }
    for (const path of ['/v1/payment_intents/', '/V1/Payment_Intents', '/v1/payment_intents#']) {
      const r = await call(
        token,
        'stripe',
        path,
        'amount=999999&currency=usd',
        'application/x-www-form-urlencoded',
      );
      expect([400, 403], `${path}: ${r.body}`).toContain(r.status);
    }
    expect(up.resend.received.length + up.stripe.received.length).toBe(before);
  });

  it('refuses method-override and billing headers (never drops them), and refuses compressed bodies', async () => {
    const { token } = await t.admin.agents.create({
      name: 'hdr-bot',
      scopes: { providers: { openai: { methods: ['POST'] } } },
    });
    up.openai.handle((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
    const base = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const before = up.openai.received.length;
    const extras: Record<string, string>[] = [
      { 'x-http-method-override': 'DELETE' },
      { 'openai-organization': 'org-other' },
      { 'stripe-account': 'acct_other' },
    ];
    for (const extra of extras) {
      const r = await raw(t.url, {
        method: 'POST',
        path: '/v1/proxy/openai/files',
        headers: { ...base, ...extra },
        body: '{}',
      });
      expect([400, 403], JSON.stringify(extra)).toContain(r.status);
    }
    expect(up.openai.received.length).toBe(before);
    const ok = await raw(t.url, {
      method: 'POST',
      path: '/v1/proxy/openai/files',
      headers: base,
      body: '{}',
    });
    expect(ok.status).toBe(200);
    const gz = await raw(t.url, {
      method: 'POST',
      path: '/v1/proxy/openai/files',
      headers: { ...base, 'content-encoding': 'gzip' },
      body: '{}',
    });
    expect(gz.status).toBe(415);
  });
});

describe('query strings reach the provider exactly as policy read them', () => {
  it('refuses a query that URL parsing would cut short', async () => {
    const { token } = await t.admin.agents.create({
      name: 'query-bot',
      scopes: { providers: { stripe: {} }, payments: { maxAmount: 100, currency: 'usd' } },
    });
    const before = up.stripe.received.length;
    const r = await raw(t.url, {
      method: 'POST',
      path: '/v1/proxy/stripe/v1/payment_intents?amount=50#&amount=999999',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'currency=usd',
    });
    expect(r.status).toBe(400);
    expect(r.body).toContain('query string would be rewritten');
    expect(up.stripe.received.length).toBe(before);
  });
});
