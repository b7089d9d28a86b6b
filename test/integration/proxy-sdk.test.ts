// Issue 4: the official SDKs through the proxy, against local fake providers that check what they get.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDaemon } from '../helpers/daemon.ts';
import { LLM_KEYS, startLlmDaemon } from '../helpers/llm-daemon.ts';
import { chatCompletion, type FakeUpstream } from '../helpers/upstream.ts';

let t: TestDaemon;
let openaiUp: FakeUpstream;
let anthropicUp: FakeUpstream;
let token: string;
let agentId: string;

const completion = (model: string): Record<string, unknown> =>
  chatCompletion({ model, content: 'hello from upstream', promptTokens: 12, completionTokens: 5 });

beforeAll(async () => {
  ({ t, openaiUp, anthropicUp } = await startLlmDaemon());
  const created = await t.admin.agents.create({
    name: 'research-bot',
    scopes: {
      providers: {
        openai: { models: ['gpt-4o-mini'], methods: ['POST'], paths: ['/chat/completions'] },
        anthropic: { models: ['claude-3-5-haiku-latest'], paths: ['/v1/messages'] },
      },
    },
  });
  token = created.token;
  agentId = created.agent.id;
});
afterAll(async () => {
  await t.stop();
});

const openai = (): OpenAI =>
  new OpenAI({ baseURL: `${t.url}/v1/proxy/openai`, apiKey: token, maxRetries: 0 });
const anthropic = (): Anthropic =>
  new Anthropic({ baseURL: `${t.url}/v1/proxy/anthropic`, apiKey: token, maxRetries: 0 });

function expectMasterKeyOnly(up: FakeUpstream, header: string, value: string): void {
  const last = up.received.at(-1);
  if (!last) throw new Error('upstream received nothing');
  expect(last.headers[header]).toBe(value);
  const all = JSON.stringify(last.headers) + last.body;
  expect(all).not.toContain(token);
  expect(all).not.toContain(t.daemon.adminToken);
}

describe('openai SDK', () => {
  it('completes a chat call with only baseURL and the agent credential; upstream gets the master key', async () => {
    openaiUp.handle((req, body, res) => {
      const parsed = JSON.parse(body) as { model: string };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(completion(parsed.model)));
    });
    const out = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 50,
    });
    expect(out.choices[0]?.message.content).toBe('hello from upstream');
    expect(openaiUp.received.at(-1)?.url).toBe('/v1/chat/completions');
    expectMasterKeyOnly(openaiUp, 'authorization', `Bearer ${LLM_KEYS.openai}`);
    const page = await t.admin.audit.list({ agentId, action: 'llm.request.*' });
    const result = page.entries[0];
    expect(result).toMatchObject({ decision: 'allow', status: 200, provider: 'openai' });
    expect(result?.costUsd).toBeCloseTo((12 * 0.15 + 5 * 0.6) / 1e6, 12);
  });

  it('streams chunk by chunk: each chunk reaches the SDK before the upstream sends the next', async () => {
    let release: () => void = () => undefined;
    openaiUp.handle(async (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < 5; i += 1) {
        const next = new Promise<void>((r) => (release = r));
        res.write(
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, delta: { content: `part${i} ` }, finish_reason: null }] })}\n\n`,
        );
        await next;
      }
      res.write(
        `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    });
    const stream = await openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const seen: string[] = [];
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta.content;
      if (text) {
        seen.push(text);
        release(); // the upstream sends the next chunk only now: a buffering proxy would deadlock here
      }
    }
    expect(seen).toEqual(['part0 ', 'part1 ', 'part2 ', 'part3 ', 'part4 ']);
    expectMasterKeyOnly(openaiUp, 'authorization', `Bearer ${LLM_KEYS.openai}`);
    const result = (await t.admin.audit.list({ agentId, action: 'llm.request.result' })).entries[0];
    expect(result?.costUsd).toBeCloseTo((10 * 0.15 + 5 * 0.6) / 1e6, 12);
  });

  it('a model outside the allowlist is a permission error naming the rule, and nothing reaches upstream', async () => {
    const before = openaiUp.received.length;
    let caught: unknown;
    try {
      await openai().chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const err = caught as InstanceType<typeof OpenAI.PermissionDeniedError>;
    expect(err.status).toBe(403);
    const body = err.error as { code: string; message: string; rule: { scope: string; value: string } };
    expect(body.code).toBe('scope_denied');
    expect(body.rule).toMatchObject({ scope: 'providers.openai.models', value: 'gpt-4o' });
    expect(body.message).toContain('gpt-4o-mini');
    expect(openaiUp.received.length).toBe(before);
    const denied = (await t.admin.audit.list({ agentId, decision: 'deny' })).entries[0];
    expect(denied).toMatchObject({ agentId, reason: 'scope_denied', action: 'llm.request' });
    expect(denied?.rule).toContain('providers.openai.models');
  });
});

describe('anthropic SDK', () => {
  it('completes messages.create and a streamed call; upstream gets x-api-key with the master key', async () => {
    anthropicUp.handle((req, body, res) => {
      const parsed = JSON.parse(body) as { stream?: boolean; model: string };
      if (parsed.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const ev = (name: string, data: unknown): string =>
          `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
        res.write(
          ev('message_start', {
            type: 'message_start',
            message: {
              id: 'm1',
              type: 'message',
              role: 'assistant',
              model: parsed.model,
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: 9, output_tokens: 1 },
            },
          }),
        );
        res.write(
          ev('content_block_start', {
            type: 'content_block_start',
            index: 0,
            content_block: { type: 'text', text: '' },
          }),
        );
        res.write(
          ev('content_block_delta', {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text: 'streamed hi' },
          }),
        );
        res.write(ev('content_block_stop', { type: 'content_block_stop', index: 0 }));
        res.write(
          ev('message_delta', {
            type: 'message_delta',
            delta: { stop_reason: 'end_turn', stop_sequence: null },
            usage: { output_tokens: 4 },
          }),
        );
        res.end(ev('message_stop', { type: 'message_stop' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'm1',
          type: 'message',
          role: 'assistant',
          model: parsed.model,
          content: [{ type: 'text', text: 'hi from claude' }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: 8, output_tokens: 3 },
        }),
      );
    });
    const msg = await anthropic().messages.create({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(msg.content[0]).toMatchObject({ type: 'text', text: 'hi from claude' });
    expect(anthropicUp.received.at(-1)?.url).toBe('/v1/messages');
    expectMasterKeyOnly(anthropicUp, 'x-api-key', LLM_KEYS.anthropic);
    expect(anthropicUp.received.at(-1)?.headers.authorization).toBeUndefined();
    expect(anthropicUp.received.at(-1)?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const stream = anthropic().messages.stream({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'streamed hi' });
    const result = (await t.admin.audit.list({ agentId, action: 'llm.request.result' })).entries[0];
    expect(result?.provider).toBe('anthropic');
    expect(result?.costUsd).toBeCloseTo((9 * 0.8 + 4 * 4) / 1e6, 12);
  });

  it('a model outside the allowlist is refused before the upstream', async () => {
    const before = anthropicUp.received.length;
    await expect(
      anthropic().messages.create({
        model: 'claude-opus-4-1',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(anthropicUp.received.length).toBe(before);
  });
});

describe('secrecy on the proxy path', () => {
  it('neither the agent credential nor a master key appears in the database, WAL, audit or export', async () => {
    t.daemon.core.db.pragma('wal_checkpoint(PASSIVE)');
    for (const file of readdirSync(t.dir)) {
      const bytes = readFileSync(join(t.dir, file));
      for (const s of [token, LLM_KEYS.openai, LLM_KEYS.anthropic])
        expect(bytes.includes(Buffer.from(s)), file).toBe(false);
    }
    const exported = await t.admin.audit.export('jsonl');
    for (const s of [token, LLM_KEYS.openai, LLM_KEYS.anthropic, 'hello from upstream', 'stream please'])
      expect(exported).not.toContain(s);
    // The keyed chain runs through the group commits, and verify's checkpoint reaches its end.
    const db = t.daemon.core.db;
    const before = t.daemon.core.audit.last().seq;
    expect((await t.admin.audit.verify()).ok).toBe(true);
    const checkpoint = db.prepare<[], { seq: number }>('SELECT seq FROM audit_checkpoint WHERE id = 1').get();
    const last = db
      .prepare<[], { seq: number; chain: string }>('SELECT seq, chain FROM audit ORDER BY seq DESC LIMIT 1')
      .get();
    expect(checkpoint?.seq).toBeGreaterThanOrEqual(before);
    expect(last?.chain).toBe('mac');
  });

  it('an upstream error that echoes the master key is passed on with the key redacted', async () => {
    openaiUp.handle((_req, _body, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { message: `Incorrect API key provided: ${LLM_KEYS.openai}`, type: 'invalid_request_error' },
        }),
      );
    });
    let caught: unknown;
    try {
      await openai().chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(JSON.stringify((caught as InstanceType<typeof OpenAI.AuthenticationError>).error)).not.toContain(
      LLM_KEYS.openai,
    );
    expect(JSON.stringify((caught as InstanceType<typeof OpenAI.AuthenticationError>).error)).toContain(
      '[redacted]',
    );
  });
});
