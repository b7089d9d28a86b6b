// One real daemon with four fake providers (OpenAI, Anthropic, Stripe, Resend) that answer like the real
// ones, call and stream, and count what reaches them; one agent allowed a little of each. The recipe tests
// in this folder run real client packages against it (docs/clients.md).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startUpstream, type FakeUpstream } from '../helpers/upstream.ts';
import { anthropicStream, FAKE_NOW, responseObject, responsesStream, sse } from '../helpers/fake-streams.ts';

export const KEYS = {
  openai: 'sk-openai-MASTER-key-for-client-tests-0001',
  anthropic: 'sk-ant-MASTER-key-for-client-tests-0002',
  stripe: 'sk_test_MASTER_key_for_client_tests_0003',
  resend: 're_MASTER_key_for_client_tests_0004',
} as const;

/** What the agent may use; everything else is refused. */
export const OPENAI_MODEL = 'gpt-4o-mini';
export const ANTHROPIC_MODEL = 'claude-haiku-4-5';
/** Models the fakes list besides the allowed ones (they must never reach the agent). */
export const HIDDEN_MODELS = { openai: ['gpt-4o', 'o3'], anthropic: ['claude-opus-4-1'] } as const;

export interface Harness {
  t: TestDaemon;
  token: string;
  agentId: string;
  up: Record<'openai' | 'anthropic' | 'stripe' | 'resend', FakeUpstream>;
  /** Base URLs to give each client. */
  base: { openai: string; anthropic: string; stripe: string; resend: string };
  /** Entries the audit holds for this agent with decision "deny" (each refused attempt is one). */
  denials(): Promise<number>;
  stop(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function parse(body: string): Record<string, unknown> {
  try {
    const v = JSON.parse(body) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function openaiModels(): unknown {
  return {
    object: 'list',
    data: [OPENAI_MODEL, ...HIDDEN_MODELS.openai].map((id) => ({
      id,
      object: 'model',
      created: FAKE_NOW,
      owned_by: 'openai',
    })),
  };
}

function chatCompletion(model: string): unknown {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: FAKE_NOW,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'hello from upstream', refusal: null },
        finish_reason: 'stop',
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
  };
}

function chatStream(res: ServerResponse, model: string): void {
  const chunk = (delta: Record<string, unknown>, finish: string | null): unknown => ({
    id: 'chatcmpl-2',
    object: 'chat.completion.chunk',
    created: FAKE_NOW,
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  sse(res, [
    { data: chunk({ role: 'assistant', content: '' }, null) },
    { data: chunk({ content: 'hello ' }, null) },
    { data: chunk({ content: 'stream' }, null) },
    { data: chunk({}, 'stop') },
    {
      data: {
        id: 'chatcmpl-2',
        object: 'chat.completion.chunk',
        created: FAKE_NOW,
        model,
        choices: [],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
      },
    },
    { data: '[DONE]' },
  ]);
}

function openaiHandler(req: IncomingMessage, body: string, res: ServerResponse): void {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const b = parse(body);
  const model = typeof b.model === 'string' ? b.model : OPENAI_MODEL;
  if (req.method === 'GET' && path === '/v1/models') return json(res, 200, openaiModels());
  if (req.method === 'GET' && path.startsWith('/v1/models/')) {
    const id = path.slice('/v1/models/'.length);
    return json(res, 200, { id, object: 'model', created: FAKE_NOW, owned_by: 'openai' });
  }
  if (path === '/v1/chat/completions') {
    if (b.stream === true) return chatStream(res, model);
    return json(res, 200, chatCompletion(model));
  }
  if (path === '/v1/responses') {
    if (b.stream === true) return responsesStream(res, model, 'hello from responses');
    return json(res, 200, responseObject(model, 'hello from responses'));
  }
  if (path === '/v1/embeddings') {
    return json(res, 200, {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
      model,
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
  }
  json(res, 404, { error: { message: `fake has no ${path}`, type: 'invalid_request_error' } });
}

function anthropicMessage(model: string, text: string): unknown {
  return {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 3 },
  };
}

function anthropicHandler(req: IncomingMessage, body: string, res: ServerResponse): void {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const b = parse(body);
  const model = typeof b.model === 'string' ? b.model : ANTHROPIC_MODEL;
  if (req.method === 'GET' && path === '/v1/models') {
    const ids = [ANTHROPIC_MODEL, ...HIDDEN_MODELS.anthropic];
    return json(res, 200, {
      data: ids.map((id) => ({
        type: 'model',
        id,
        display_name: id,
        created_at: '2025-10-01T00:00:00Z',
      })),
      has_more: false,
      first_id: ids[0],
      last_id: ids.at(-1),
    });
  }
  if (req.method === 'GET' && path.startsWith('/v1/models/')) {
    const id = path.slice('/v1/models/'.length);
    return json(res, 200, { type: 'model', id, display_name: id, created_at: '2025-10-01T00:00:00Z' });
  }
  if (path === '/v1/messages/count_tokens') return json(res, 200, { input_tokens: 10 });
  if (path === '/v1/messages') {
    if (b.stream === true) return anthropicStream(res, model, 'hello from claude');
    return json(res, 200, anthropicMessage(model, 'hello from claude'));
  }
  json(res, 404, { type: 'error', error: { type: 'not_found_error', message: `fake has no ${path}` } });
}

function stripeHandler(req: IncomingMessage, body: string, res: ServerResponse): void {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const form = new URLSearchParams(body);
  if (req.method === 'POST' && path === '/v1/payment_intents') {
    return json(res, 200, {
      id: 'pi_123',
      object: 'payment_intent',
      amount: Number(form.get('amount')),
      currency: form.get('currency'),
      status: 'requires_payment_method',
    });
  }
  json(res, 404, {
    error: { type: 'invalid_request_error', message: `Unrecognized request URL (${path}).` },
  });
}

function resendHandler(req: IncomingMessage, _body: string, res: ServerResponse): void {
  const path = (req.url ?? '').split('?')[0] ?? '';
  if (req.method === 'POST' && path === '/emails') return json(res, 200, { id: 'email_123' });
  json(res, 404, { statusCode: 404, name: 'not_found', message: 'Not found' });
}

/** The fakes' handlers, to put back after a test swapped one. */
export const FAKES = {
  openai: openaiHandler,
  anthropic: anthropicHandler,
  stripe: stripeHandler,
  resend: resendHandler,
} as const;

export async function startHarness(): Promise<Harness> {
  const up = {
    openai: await startUpstream(FAKES.openai),
    anthropic: await startUpstream(FAKES.anthropic),
    stripe: await startUpstream(FAKES.stripe),
    resend: await startUpstream(FAKES.resend),
  };
  const t = await startTestDaemon();
  await t.admin.providers.put('openai', { kind: 'openai', baseUrl: `${up.openai.url}/v1`, key: KEYS.openai });
  await t.admin.providers.put('anthropic', {
    kind: 'anthropic',
    baseUrl: up.anthropic.url,
    key: KEYS.anthropic,
  });
  await t.admin.providers.put('stripe', { kind: 'stripe', baseUrl: up.stripe.url, key: KEYS.stripe });
  await t.admin.providers.put('resend', { kind: 'resend', baseUrl: up.resend.url, key: KEYS.resend });
  const created = await t.admin.agents.create({
    name: 'client-tester',
    scopes: {
      providers: {
        openai: { models: [OPENAI_MODEL] },
        anthropic: { models: [ANTHROPIC_MODEL] },
      },
      payments: { provider: 'stripe', maxAmount: 5000, currency: 'usd' },
      email: { provider: 'resend', allowedDomains: ['example.com'] },
    },
  });
  const agentId = created.agent.id;
  return {
    t,
    token: created.token,
    agentId,
    up,
    base: {
      openai: `${t.url}/v1/proxy/openai`,
      anthropic: `${t.url}/v1/proxy/anthropic`,
      stripe: `${t.url}/v1/proxy/stripe`,
      resend: `${t.url}/v1/proxy/resend`,
    },
    denials: async () => {
      const page = await t.admin.audit.list({ agentId, decision: 'deny', limit: 500 });
      return page.entries.length;
    },
    stop: async () => {
      await t.stop();
      await Promise.all(Object.values(up).map((u) => u.close()));
    },
  };
}
