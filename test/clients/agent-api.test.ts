// The agent API in the contract: the server sends exactly what shared/contract.ts describes, the client
// validates every answer against it (a field the contract does not name is an error), and the OpenAPI
// document is generated from the same schemas.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentKeychainAgent, AgentKeychainError } from '../../client/index.ts';
import { agentOps, ApprovalHeld, ErrorEnvelope } from '../../shared/contract.ts';
import { raw, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startUpstream, type FakeUpstream } from '../helpers/upstream.ts';

let t: TestDaemon;
let up: FakeUpstream;
let token: string;
let agentId: string;

beforeAll(async () => {
  up = await startUpstream();
  t = await startTestDaemon();
  await t.admin.providers.put('openai', {
    kind: 'openai',
    baseUrl: `${up.url}/v1`,
    key: 'sk-MASTER-agent-api-0001',
  });
  await t.admin.secrets.put('crm_api_key', 'crm-secret-value');
  const created = await t.admin.agents.create({
    name: 'api-reader',
    scopes: {
      providers: {
        openai: { models: ['gpt-4o-mini'], rateLimit: { requests: 100, per: 'minute' }, approval: 'always' },
      },
      vault: { readOnly: ['crm_api_key'], ttlSeconds: 600 },
    },
  });
  token = created.token;
  agentId = created.agent.id;
});
afterAll(async () => {
  await t.stop();
  await up.close();
});

describe('the server sends what the contract says, no more', () => {
  it('whoami, secret release and approval status parse with the strict schemas', async () => {
    const headers = { authorization: `Bearer ${token}` };
    const who = await raw(t.url, { path: '/v1/whoami', headers });
    const me = agentOps.whoami.output.parse(who.json());
    expect(me).toMatchObject({ id: agentId, name: 'api-reader', status: 'active' });
    expect(me.usage.map((u) => u.key)).toContain('openai.rate');

    const secret = await raw(t.url, { path: '/v1/secrets/crm_api_key', headers });
    expect(agentOps.secretGet.output.parse(secret.json())).toMatchObject({
      name: 'crm_api_key',
      value: 'crm-secret-value',
    });

    const held = await raw(t.url, {
      method: 'POST',
      path: '/v1/proxy/openai/chat/completions',
      headers: { ...headers, 'content-type': 'application/json', prefer: 'respond-async' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(held.status).toBe(202);
    const approval = ApprovalHeld.parse(held.json()).approval;
    const status = await raw(t.url, { path: approval.statusUrl, headers });
    expect(agentOps.approvalStatus.output.parse(status.json())).toMatchObject({
      id: approval.id,
      status: 'pending',
    });
    await t.admin.approvals.deny(approval.id);

    // Errors on agent routes are our envelope, strictly.
    const denied = await raw(t.url, { path: '/v1/secrets/other', headers });
    expect(ErrorEnvelope.parse(denied.json()).error.code).toBe('scope_denied');
  });
});

describe('the client validates what it receives', () => {
  it('returns typed answers from the real server, usage included', async () => {
    const me = new AgentKeychainAgent({ baseUrl: t.url, token });
    const who = await me.whoami();
    expect(who.status).toBe('active');
    expect(Array.isArray(who.usage)).toBe(true);
    expect((await me.secrets.get('crm_api_key')).value).toBe('crm-secret-value');
    const err = await me.secrets.get('other').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentKeychainError);
    expect(err).toMatchObject({ code: 'scope_denied', status: 403 });
  });

  it('follows a respond-async approval to its decision', async () => {
    const held = await raw(t.url, {
      method: 'POST',
      path: '/v1/proxy/openai/chat/completions',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        prefer: 'respond-async',
      },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }] }),
    });
    const { id } = ApprovalHeld.parse(held.json()).approval;
    const me = new AgentKeychainAgent({ baseUrl: t.url, token });
    expect((await me.approvals.status(id)).status).toBe('pending');
    await t.admin.approvals.deny(id);
    expect(await me.approvals.status(id)).toEqual({ id, status: 'denied', expiresAt: null });
    // A malformed id is refused before anything is sent.
    await expect(me.approvals.status('../admin')).rejects.toMatchObject({ code: 'bad_request', path: 'id' });
  });

  describe('against a server that drifts from the contract', () => {
    let fake: Server;
    let url: string;
    let answer: { status: number; body: unknown } = { status: 200, body: {} };
    beforeAll(async () => {
      fake = createServer((_req, res) => {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
      await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
      const addr = fake.address();
      url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    });
    afterAll(() => new Promise<void>((resolve) => fake.close(() => resolve())));

    it('refuses a field the contract does not have, a missing field and a wrong status value', async () => {
      const real = await raw(t.url, { path: '/v1/whoami', headers: { authorization: `Bearer ${token}` } });
      const good = real.json() as Record<string, unknown>;
      const me = new AgentKeychainAgent({ baseUrl: url, token });
      answer = { status: 200, body: good };
      expect((await me.whoami()).id).toBe(agentId);
      for (const body of [
        { ...good, masterKey: 'sk-leak' },
        { ...good, usage: undefined },
        { ...good, status: 'sleeping' },
        {
          ...good,
          usage: [{ key: 'k', label: 'l', used: 1, limit: 2, unit: 'requests', resetsAt: null, x: 1 }],
        },
      ]) {
        answer = { status: 200, body };
        const err = await me.whoami().catch((e: unknown) => e);
        expect(err, JSON.stringify(body).slice(0, 80)).toBeInstanceOf(AgentKeychainError);
        expect((err as AgentKeychainError).code).toBe('invalid_response');
        expect((err as Error).message).toContain('does not match the contract');
      }
    });

    it('refuses an error body that is not our envelope', async () => {
      const me = new AgentKeychainAgent({ baseUrl: url, token });
      answer = {
        status: 403,
        body: { error: { code: 'scope_denied', message: 'no', requestId: 'r', extra: 1 } },
      };
      await expect(me.whoami()).rejects.toMatchObject({ code: 'invalid_response', status: 403 });
      answer = { status: 403, body: { error: { code: 'scope_denied', message: 'no', requestId: 'r' } } };
      await expect(me.whoami()).rejects.toMatchObject({ code: 'scope_denied', message: 'no' });
    });
  });
});

describe('the OpenAPI document comes from the same schemas', () => {
  it('describes the agent routes with strict output schemas', async () => {
    const res = await raw(t.url, { path: '/openapi.json' });
    const doc = res.json() as {
      paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
    };
    for (const [name, def] of Object.entries(agentOps)) {
      const op = doc.paths[def.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.get;
      expect(op?.operationId).toBe(name);
      const schema = (
        op?.responses['200'] as { content: Record<string, { schema: Record<string, unknown> }> }
      ).content['application/json']?.schema;
      expect(schema?.additionalProperties).toBe(false);
    }
    const who = (
      doc.paths['/v1/whoami']?.get?.responses['200'] as {
        content: Record<string, { schema: { properties: Record<string, { enum?: string[] }> } }>;
      }
    ).content['application/json']?.schema.properties;
    expect(Object.keys(who ?? {})).toContain('usage');
    expect(who?.status?.enum).toEqual(['active', 'suspended', 'revoked', 'expired']);
  });
});
