// Model lists filtered, not refused: GET /models (OpenAI) and GET /v1/models (Anthropic) are forwarded and
// cut down to the agent's allowlist; a lookup of a model outside it is a 404 in the provider's shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { raw } from '../helpers/daemon.ts';
import type { Scopes } from '../../shared/scopes.ts';
import {
  ANTHROPIC_MODEL,
  FAKES,
  HIDDEN_MODELS,
  OPENAI_MODEL,
  startHarness,
  type Harness,
} from './harness.ts';
import { rejection as caught } from '../helpers/rejection.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

async function agentWith(providers: NonNullable<Scopes['providers']>): Promise<string> {
  const created = await h.t.admin.agents.create({
    name: `models-${Object.keys(providers).join('-')}-${Math.random().toString(36).slice(2, 8)}`,
    scopes: { providers },
  });
  return created.token;
}

describe('OpenAI model list', () => {
  it('lists only the allowed models the upstream listed', async () => {
    const client = new OpenAI({ baseURL: h.base.openai, apiKey: h.token, maxRetries: 0 });
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual([OPENAI_MODEL]);
    expect(h.up.openai.received.at(-1)?.url).toBe('/v1/models');
    // The upstream got the master key, the agent never sees the hidden entries.
    expect(h.up.openai.received.at(-1)?.headers.authorization).toBe(
      `Bearer sk-openai-MASTER-key-for-client-tests-0001`,
    );
  });

  it('never invents an allowlist entry the upstream did not list', async () => {
    const token = await agentWith({ openai: { models: [OPENAI_MODEL, 'gpt-imaginary'] } });
    const client = new OpenAI({ baseURL: h.base.openai, apiKey: token, maxRetries: 0 });
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual([OPENAI_MODEL]);
  });

  it('retrieves an allowed model; a model outside the list is a 404 NotFoundError with our reason', async () => {
    const client = new OpenAI({ baseURL: h.base.openai, apiKey: h.token });
    const model = await client.models.retrieve(OPENAI_MODEL);
    expect(model.id).toBe(OPENAI_MODEL);
    const seen = h.up.openai.received.length;
    const before = await h.denials();
    const err = await caught(client.models.retrieve(HIDDEN_MODELS.openai[0]));
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect(err.message).toContain('not available to this agent');
    expect(err.message).toContain('providers.openai.models');
    expect(h.up.openai.received.length).toBe(seen);
    // The audit keeps the true reason (the models rule), once: the SDK did not retry the 404.
    const page = await h.t.admin.audit.list({ agentId: h.agentId, decision: 'deny', limit: 1 });
    expect(page.entries[0]?.reason).toBe('scope_denied');
    expect(await h.denials()).toBe(before + 1);
  });

  it('paths and methods rules do not hide the filtered list, but still bind everything else', async () => {
    const token = await agentWith({
      openai: { models: [OPENAI_MODEL], methods: ['POST'], paths: ['/chat/completions'] },
    });
    const client = new OpenAI({ baseURL: h.base.openai, apiKey: token, maxRetries: 0 });
    expect((await client.models.list()).data.map((m) => m.id)).toEqual([OPENAI_MODEL]);
    expect((await client.models.retrieve(OPENAI_MODEL)).id).toBe(OPENAI_MODEL);
    const err = await caught(client.embeddings.create({ model: OPENAI_MODEL, input: 'x' }));
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.message).toContain('providers.openai.paths');
  });

  it('without a models allowlist the list is unfiltered, and paths rules apply to it', async () => {
    const open = await agentWith({ openai: {} });
    const all = await new OpenAI({ baseURL: h.base.openai, apiKey: open, maxRetries: 0 }).models.list();
    expect(all.data.map((m) => m.id)).toEqual([OPENAI_MODEL, ...HIDDEN_MODELS.openai]);
    const narrow = await agentWith({ openai: { paths: ['/chat/completions'] } });
    const err = await caught(
      new OpenAI({ baseURL: h.base.openai, apiKey: narrow, maxRetries: 0 }).models.list(),
    );
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.message).toContain('providers.openai.paths');
  });

  it('a model list the proxy cannot read is refused, never passed on unfiltered', async () => {
    h.up.openai.handle((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"object":"list","data":"gpt-4o"}');
    });
    try {
      const res = await raw(h.t.url, {
        path: '/v1/proxy/openai/models',
        headers: { authorization: `Bearer ${h.token}` },
      });
      expect(res.status).toBe(502);
      expect(res.body).not.toContain('gpt-4o"');
      expect((res.json() as { error: { code: string } }).error.code).toBe('upstream_error');
    } finally {
      h.up.openai.handle(FAKES.openai);
    }
  });
});

describe('Anthropic model list', () => {
  it('lists only the allowed models, with page bounds that follow the filtered page', async () => {
    const client = new Anthropic({ baseURL: h.base.anthropic, apiKey: h.token, maxRetries: 0 });
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual([ANTHROPIC_MODEL]);
    const res = await raw(h.t.url, {
      path: '/v1/proxy/anthropic/v1/models?limit=20',
      headers: { 'x-api-key': h.token },
    });
    expect(res.json()).toMatchObject({
      data: [{ id: ANTHROPIC_MODEL }],
      first_id: ANTHROPIC_MODEL,
      last_id: ANTHROPIC_MODEL,
      has_more: false,
    });
  });

  it('a model outside the list is a 404 in Anthropic’s shape', async () => {
    const client = new Anthropic({ baseURL: h.base.anthropic, apiKey: h.token, maxRetries: 0 });
    expect((await client.models.retrieve(ANTHROPIC_MODEL)).id).toBe(ANTHROPIC_MODEL);
    const err = await caught(client.models.retrieve(HIDDEN_MODELS.anthropic[0]));
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    if (!(err instanceof Anthropic.APIError)) throw err;
    expect(err.type).toBe('not_found_error');
    expect(err.message).toContain('not available to this agent');
  });
});
