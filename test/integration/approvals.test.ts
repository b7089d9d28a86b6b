// Issue 5: held requests, decisions, remembered grants, respond-async, restart, and instant revocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { agentPost, raw, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { chatHandler, startUpstream, type FakeUpstream } from '../helpers/upstream.ts';
import { connectSse, type SseClient } from '../helpers/sse.ts';

let t: TestDaemon;
let up: FakeUpstream;
let sse: SseClient;

const answer = (model = 'gpt-4o-mini') => chatHandler({ model });

beforeAll(async () => {
  up = await startUpstream(answer());
  t = await startTestDaemon();
  await t.admin.providers.put('openai', {
    kind: 'openai',
    baseUrl: up.url,
    key: 'sk-MASTER-approvals-000001',
  });
  sse = await connectSse(t.url, t.daemon.adminToken);
});
afterAll(async () => {
  sse.close();
  await t.stop();
  await up.close();
});

async function agentWith(
  approval: 'always' | 'first-use',
  name = 'held-bot',
): Promise<{ id: string; client: OpenAI; token: string }> {
  const { agent, token } = await t.admin.agents.create({
    name,
    scopes: { providers: { openai: { models: ['gpt-4o-mini'], approval } } },
  });
  return {
    id: agent.id,
    token,
    client: new OpenAI({ baseURL: `${t.url}/v1/proxy/openai`, apiKey: token, maxRetries: 0 }),
  };
}
const ask = (c: OpenAI): Promise<OpenAI.Chat.Completions.ChatCompletion> =>
  c.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
    max_completion_tokens: 5,
  });

describe('held requests with the real openai client', () => {
  it('completes after approve; the prompt carries the action, the agent and the calling process', async () => {
    const a = await agentWith('always');
    const before = up.received.length;
    const sent = performance.now();
    const requested = sse.next('approval.requested', (d) => d.agentId === a.id);
    const withProcess = sse.next('approval.requested', (d) => d.agentId === a.id && d.process.pid !== null);
    const call = ask(a.client);
    const prompt = await requested;
    console.log(
      `approval.requested reached the SSE listener ${(prompt.receivedAt - sent).toFixed(1)} ms after the SDK call was sent`,
    );
    expect(prompt.summary).toBe('POST /chat/completions with gpt-4o-mini');
    expect(prompt.reason).toMatch(/approval/i);
    expect(prompt.agentName).toBe('held-bot');
    // Held: nothing has reached the upstream yet.
    expect(up.received.length).toBe(before);
    if (process.platform === 'linux') expect((await withProcess).process.pid).toBe(process.pid);
    const decided = sse.next('approval.decided', (d) => d.id === prompt.id);
    await t.admin.approvals.approve(prompt.id);
    expect((await call).choices[0]?.message.content).toBe('ok');
    expect((await decided).decision).toBe('approve');
    const entries = (await t.admin.audit.list({ agentId: a.id })).entries.map(
      (e) => `${e.action}:${e.decision}`,
    );
    expect(entries).toEqual(
      expect.arrayContaining([
        'llm.request:pending',
        'approval.decided:approved',
        'llm.request:approved',
        'llm.request.result:allow',
      ]),
    );
  });

  it('fails with approval_denied after deny, and nothing reaches the upstream', async () => {
    const a = await agentWith('always', 'deny-bot');
    const before = up.received.length;
    const requested = sse.next('approval.requested', (d) => d.agentId === a.id);
    const call = ask(a.client).catch((err: unknown) => err);
    await t.admin.approvals.deny((await requested).id);
    const err = await call;
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((err as InstanceType<typeof OpenAI.PermissionDeniedError>).error).toMatchObject({
      code: 'approval_denied',
    });
    expect(up.received.length).toBe(before);
  });

  it('a remembered grant for 2 uses lets exactly 2 calls through without a prompt', async () => {
    const a = await agentWith('always', 'grant-bot');
    const requested = sse.next('approval.requested', (d) => d.agentId === a.id);
    const first = ask(a.client);
    const decision = await t.admin.approvals.approve((await requested).id, { uses: 2 });
    expect(decision.grant).toMatchObject({ usesLeft: 2, agentName: 'grant-bot' });
    await first;
    const prompts = (): number =>
      sse.events.filter((e) => e.name === 'approval.requested' && e.data.agentId === a.id).length;
    const seen = prompts();
    await ask(a.client);
    await ask(a.client);
    expect(prompts()).toBe(seen);
    expect((await t.admin.grants.list()).find((g) => g.agentId === a.id)).toBeUndefined();
    const third = sse.next('approval.requested', (d) => d.agentId === a.id);
    const held = ask(a.client).catch((e: unknown) => e);
    await t.admin.approvals.deny((await third).id);
    expect(await held).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });

  it('a remembered grant is listed and can be removed; the next call asks again', async () => {
    const a = await agentWith('always', 'removable-bot');
    const first = sse.next('approval.requested', (d) => d.agentId === a.id);
    const call = ask(a.client);
    const { grant } = await t.admin.approvals.approve((await first).id, { minutes: 30 });
    await call;
    expect(grant?.covers).toContain('removable-bot');
    const listed = (await t.admin.grants.list()).find((g) => g.agentId === a.id);
    expect(listed).toMatchObject({ id: grant?.id, usesLeft: null });
    expect(Date.parse(listed?.expiresAt ?? '')).toBeGreaterThan(Date.now() + 29 * 60_000);
    await ask(a.client);
    await t.admin.grants.delete(grant?.id ?? '');
    expect((await t.admin.grants.list()).some((g) => g.agentId === a.id)).toBe(false);
    const again = sse.next('approval.requested', (d) => d.agentId === a.id);
    const held = ask(a.client).catch((e: unknown) => e);
    await t.admin.approvals.deny((await again).id);
    expect(await held).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const removed = (await t.admin.audit.list({ agentId: a.id, action: 'grant.removed' })).entries[0];
    expect(removed?.actor).toBe('owner');
  });

  it('Prefer: respond-async returns 202 with a status URL; after approval a retry goes through', async () => {
    const a = await agentWith('always', 'async-bot');
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] });
    const headers = {
      authorization: `Bearer ${a.token}`,
      'content-type': 'application/json',
      prefer: 'respond-async',
    };
    const first = await raw(t.url, {
      method: 'POST',
      path: '/v1/proxy/openai/chat/completions',
      headers,
      body,
    });
    expect(first.status).toBe(202);
    const { approval } = first.json() as { approval: { id: string; statusUrl: string } };
    const poll = async (): Promise<string> =>
      (
        (
          await raw(t.url, { path: approval.statusUrl, headers: { authorization: `Bearer ${a.token}` } })
        ).json() as { status: string }
      ).status;
    expect(await poll()).toBe('pending');
    await t.admin.approvals.approve(approval.id);
    expect(await poll()).toBe('approved');
    const retry = await raw(t.url, {
      method: 'POST',
      path: '/v1/proxy/openai/chat/completions',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      body,
    });
    expect(retry.status).toBe(200);
  });

  it('first-use asks once, then remembers the agent × action', async () => {
    const a = await agentWith('first-use', 'first-bot');
    const requested = sse.next('approval.requested', (d) => d.agentId === a.id);
    const call = ask(a.client);
    await t.admin.approvals.approve((await requested).id);
    await call;
    await ask(a.client);
    expect(
      sse.events.filter(
        (e) => e.name === 'approval.requested' && e.data.agentId === a.id && e.data.process.pid === null,
      ).length,
    ).toBe(1);
  });
});

describe('timeouts', () => {
  it('no decision in time means deny with approval_timeout', async () => {
    const t2 = await startTestDaemon({ approvalTimeoutMs: 1000 });
    await t2.admin.providers.put('openai', {
      kind: 'openai',
      baseUrl: up.url,
      key: 'sk-MASTER-timeout-000001',
    });
    const { token } = await t2.admin.agents.create({
      name: 'slow-owner',
      scopes: { providers: { openai: { approval: 'always' } } },
    });
    const client = new OpenAI({ baseURL: `${t2.url}/v1/proxy/openai`, apiKey: token, maxRetries: 0 });
    const err = await ask(client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((err as InstanceType<typeof OpenAI.PermissionDeniedError>).error).toMatchObject({
      code: 'approval_timeout',
    });
    await t2.stop();
  });
});

describe('revocation', () => {
  it('cuts the open stream of A, removes its grants, and leaves B untouched', async () => {
    const { agent: a, token: ta } = await t.admin.agents.create({
      name: 'agent-a',
      scopes: { providers: { openai: {}, other: { approval: 'always' } } },
    });
    const { token: tb } = await t.admin.agents.create({
      name: 'agent-b',
      scopes: { providers: { openai: {} } },
    });
    await t.admin.providers.put('other', { kind: 'http', baseUrl: up.url, key: 'k-other-provider-00001' });
    // A grant that must disappear with the revoke.
    const g = sse.next('approval.requested', (d) => d.agentId === a.id);
    const first = agentPost(t.url, ta, '/v1/proxy/other/x', '{}');
    await t.admin.approvals.approve((await g).id, { minutes: 60 });
    await first;
    expect((await t.admin.grants.list()).some((x) => x.agentId === a.id)).toBe(true);

    up.handle((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const tick = setInterval(() => res.write(`data: {"i":${i++}}\n\n`), 20);
      res.on('close', () => clearInterval(tick));
    });
    const open = (
      token: string,
    ): Promise<{
      chunks: number;
      ended: Promise<number>;
      firstChunk: Promise<void>;
      nextChunk: () => Promise<void>;
    }> =>
      new Promise((resolve) => {
        void import('node:http').then(({ request }) => {
          const u = new URL(t.url);
          let chunks = 0;
          let gotFirst: () => void = () => undefined;
          const firstChunk = new Promise<void>((r) => (gotFirst = r));
          let endedAt: (v: number) => void = () => undefined;
          const ended = new Promise<number>((r) => (endedAt = r));
          let chunkSeen: () => void = () => undefined;
          const req = request(
            {
              host: u.hostname,
              port: u.port,
              path: '/v1/proxy/openai/chat/completions',
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            },
            (res) => {
              res.on('data', () => {
                chunks += 1;
                gotFirst();
                chunkSeen();
              });
              res.on('close', () => endedAt(performance.now()));
              res.on('error', () => endedAt(performance.now()));
            },
          );
          req.on('error', () => endedAt(performance.now()));
          req.end(JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [] }));
          resolve({
            nextChunk: () => new Promise<void>((r) => (chunkSeen = r)),
            get chunks() {
              return chunks;
            },
            ended,
            firstChunk,
          });
        });
      });
    const streamA = await open(ta);
    const streamB = await open(tb);
    await Promise.all([streamA.firstChunk, streamB.firstChunk]);
    const revokeStart = performance.now();
    const result = await t.admin.agents.revoke(a.id, { reason: 'test', severity: 'medium' });
    const cutAt = await streamA.ended;
    console.log(`A's open stream ended ${(cutAt - revokeStart).toFixed(1)} ms after revoke was called`);
    expect(result.cut).toBe(1);
    expect(result.agent.status).toBe('revoked');
    expect((await t.admin.grants.list()).some((x) => x.agentId === a.id)).toBe(false);
    // B keeps streaming after A was cut.
    const bBefore = streamB.chunks;
    let bEnded = false;
    void streamB.ended.then(() => (bEnded = true));
    for (let i = 0; i < 3; i += 1) await streamB.nextChunk();
    expect(streamB.chunks).toBeGreaterThanOrEqual(bBefore + 3);
    expect(bEnded).toBe(false);
    const after = await agentPost(t.url, ta, '/v1/proxy/openai/chat/completions', '{}');
    expect(after.status).toBe(401);
    expect((after.json() as { error: { code: string } }).error.code).toBe('revoked');
    const entry = (await t.admin.audit.list({ agentId: a.id, action: 'agent.revoked' })).entries[0];
    expect(entry?.facts).toMatchObject({ cutRequests: 1, severity: 'medium', reason: 'test', via: 'http' });
    up.handle(answer());
  });

  it('denies the pending approvals of a revoked agent at once', async () => {
    const a = await agentWith('always', 'pending-bot');
    const requested = sse.next('approval.requested', (d) => d.agentId === a.id);
    const call = ask(a.client).catch((e: unknown) => e);
    const prompt = await requested;
    const decided = sse.next('approval.decided', (d) => d.id === prompt.id);
    await t.admin.agents.revoke(a.id, { reason: 'x', severity: 'low' });
    expect((await decided).decision).toBe('cancelled');
    const err = await call;
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).error).toMatchObject({ code: 'revoked' });
    expect((await t.admin.approvals.list()).some((p) => p.id === prompt.id)).toBe(false);
  });

  it('a request whose body is still arriving when revoke returns is cut and never forwarded', async () => {
    const { agent, token } = await t.admin.agents.create({
      name: 'slow-body',
      scopes: { providers: { openai: {} } },
    });
    const before = up.received.length;
    const { request } = await import('node:http');
    const u = new URL(t.url);
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [] });
    const req = request({
      host: u.hostname,
      port: u.port,
      path: '/v1/proxy/openai/chat/completions',
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    const response = new Promise<{ status: number; body: string }>((resolve) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', () => resolve({ status: 0, body: '' }));
    });
    req.flushHeaders();
    // Headers are in; wait until the daemon has authenticated the request and counts it in flight.
    while (t.daemon.core.inflight.count(agent.id) === 0) await new Promise((r) => setImmediate(r));
    const revoked = await t.admin.agents.revoke(agent.id, { reason: 'mid-body', severity: 'high' });
    expect(revoked.cut).toBe(1);
    req.end(body);
    const res = await response;
    expect(res.status === 0 || res.status === 401).toBe(true);
    expect(up.received.length).toBe(before);
  });
});
