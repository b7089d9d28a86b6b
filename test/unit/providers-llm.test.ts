// OpenAI and Anthropic adapters, fed with the exact requests the official SDKs send (captured through the SDKs'
// own fetch option, so the bodies and headers are real).
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { ADAPTERS, DEFAULT_PRICES } from '../../core/providers/registry.ts';
import { priceFor } from '../../core/providers/pricing.ts';
import { IMAGE_TOKENS } from '../../core/providers/estimate.ts';
import type { AdapterRequest } from '../../core/providers/types.ts';
import { adapterFacts, badRequestPath } from './adapter-probe.ts';

const AGENT_TOKEN = 'akc_' + 'A'.repeat(43) + 'B'.repeat(6);
const MASTER_KEY = 'sk-live-master-0123456789';

/** Runs an SDK call against a fetch that records the request and answers with an empty success. */
async function capture(
  prefix: string,
  call: (fetch: typeof globalThis.fetch) => Promise<unknown>,
): Promise<AdapterRequest> {
  let seen: AdapterRequest | undefined;
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    expect(url.pathname.startsWith(prefix)).toBe(true);
    return request.arrayBuffer().then((body) => {
      const headers: Record<string, string> = {};
      request.headers.forEach((value, key) => (headers[key] = value));
      seen = {
        providerId: 'p',
        method: request.method,
        path: url.pathname.slice(prefix.length),
        query: url.search.replace(/^\?/, ''),
        headers,
        body: Buffer.from(body),
      };
      const stream =
        headers.accept === 'text/event-stream' || /"stream":true/.test(Buffer.from(body).toString());
      return stream
        ? new Response('', { headers: { 'content-type': 'text/event-stream' } })
        : new Response('{}', { headers: { 'content-type': 'application/json' } });
    });
  };
  await call(fetch);
  if (seen === undefined) throw new Error('the SDK sent no request');
  return seen;
}

const openaiBase = 'http://127.0.0.1:7717/v1/proxy/openai';
function openai(fetch: typeof globalThis.fetch): OpenAI {
  return new OpenAI({ apiKey: AGENT_TOKEN, baseURL: openaiBase, fetch, maxRetries: 0 });
}
const anthropicBase = 'http://127.0.0.1:7717/v1/proxy/anthropic';
function anthropic(fetch: typeof globalThis.fetch): Anthropic {
  return new Anthropic({ apiKey: AGENT_TOKEN, baseURL: anthropicBase, fetch, maxRetries: 0 });
}

function raw(method: string, path: string, body: string, contentType = 'application/json'): AdapterRequest {
  return {
    providerId: 'p',
    method,
    path,
    query: '',
    headers: { 'content-type': contentType },
    body: Buffer.from(body),
  };
}

describe('openai adapter', () => {
  const adapter = ADAPTERS.openai;

  it('reads model, stream and a worst-case estimate from chat.completions.create', async () => {
    const req = await capture('/v1/proxy/openai', (f) =>
      openai(f).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Say hello to the team in one sentence.' },
        ],
        max_completion_tokens: 200,
      }),
    );
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/chat/completions');
    const facts = adapterFacts(adapter, req, 'openai');
    expect(facts).toMatchObject({
      providerKind: 'openai',
      action: 'llm.request',
      model: 'gpt-4o-mini',
      method: 'POST',
      path: '/chat/completions',
    });
    expect(facts.stream).toBeUndefined();
    // Output: 200 tokens at $0.60/M is the bulk; input is a handful of tokens at $0.15/M.
    const price = priceFor('gpt-4o-mini', DEFAULT_PRICES);
    const est = facts.estimatedUsd ?? -1;
    expect(est).toBeGreaterThan((200 * price.output) / 1e6);
    expect(est).toBeLessThan((200 * price.output + 200 * price.input) / 1e6);
  });

  it('reads stream: true with stream_options and reserves the model’s output ceiling when no maximum is set', async () => {
    const req = await capture('/v1/proxy/openai', (f) =>
      openai(f).chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'Write a haiku.' }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    const facts = adapter.facts(req, 'openai', DEFAULT_PRICES);
    expect(facts.stream).toBe(true);
    expect(facts.model).toBe('gpt-4o');
    const price = priceFor('gpt-4o', DEFAULT_PRICES);
    // gpt-4o may write 16,384 tokens when the request leaves the output open (output-ceiling.ts).
    expect(facts.estimatedUsd).toBeGreaterThanOrEqual((16_384 * price.output) / 1e6);
    expect(facts.estimatedUsd).toBeLessThan((16_384 * price.output + 100 * price.input) / 1e6);
  });

  it('multiplies the output maximum by n and prefers max_completion_tokens over max_tokens', () => {
    const one = adapter.facts(
      raw(
        'POST',
        '/chat/completions',
        JSON.stringify({ model: 'gpt-4.1', messages: [], max_tokens: 5000, max_completion_tokens: 100 }),
      ),
      'p',
      DEFAULT_PRICES,
    );
    const three = adapter.facts(
      raw(
        'POST',
        '/chat/completions',
        JSON.stringify({
          model: 'gpt-4.1',
          messages: [],
          max_tokens: 5000,
          max_completion_tokens: 100,
          n: 3,
        }),
      ),
      'p',
      DEFAULT_PRICES,
    );
    const input = (one.estimatedUsd ?? 0) - (100 * 8) / 1e6;
    expect(input).toBeGreaterThan(0);
    expect(input).toBeLessThan(1e-4);
    // Two more completions of up to 100 tokens at $8/M (the "n" field itself adds a token of input).
    expect((three.estimatedUsd ?? 0) - (one.estimatedUsd ?? 0)).toBeCloseTo((200 * 8) / 1e6, 5);
  });

  it('counts an inline image as a flat number of tokens, not by its base64 length', () => {
    const image = 'data:image/png;base64,' + 'A'.repeat(400_000);
    const body = {
      model: 'gpt-4o',
      max_tokens: 1,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: image } },
          ],
        },
      ],
    };
    const facts = adapter.facts(raw('POST', '/chat/completions', JSON.stringify(body)), 'p', DEFAULT_PRICES);
    const tokens = ((facts.estimatedUsd ?? 0) * 1e6 - 10) / 2.5;
    expect(tokens).toBeGreaterThanOrEqual(IMAGE_TOKENS);
    expect(tokens).toBeLessThan(IMAGE_TOKENS + 100);
  });

  it('reads the Responses API (max_output_tokens) and embeddings (input only)', async () => {
    const resp = await capture('/v1/proxy/openai', (f) =>
      openai(f).responses.create({
        model: 'o4-mini',
        input: 'Summarise the ticket.',
        max_output_tokens: 1000,
        stream: false,
      }),
    );
    expect(resp.path).toBe('/responses');
    const facts = adapter.facts(resp, 'p', DEFAULT_PRICES);
    expect(facts.model).toBe('o4-mini');
    expect(facts.estimatedUsd).toBeGreaterThan((1000 * 4.4) / 1e6);
    expect(facts.estimatedUsd).toBeLessThan((1000 * 4.4 + 100 * 1.1) / 1e6);

    const emb = await capture('/v1/proxy/openai', (f) =>
      openai(f).embeddings.create({ model: 'text-embedding-3-small', input: 'hello world' }),
    );
    const ef = adapter.facts(emb, 'p', DEFAULT_PRICES);
    expect(ef.model).toBe('text-embedding-3-small');
    expect(ef.estimatedUsd).toBeLessThan(1e-6);
  });

  it('prices an unknown model high so the budget fails safe', () => {
    const known = adapter.facts(
      raw('POST', '/chat/completions', JSON.stringify({ model: 'gpt-4o-mini', messages: [] })),
      'p',
      DEFAULT_PRICES,
    );
    const unknown = adapter.facts(
      raw('POST', '/chat/completions', JSON.stringify({ model: 'mystery-model-9', messages: [] })),
      'p',
      DEFAULT_PRICES,
    );
    expect(unknown.estimatedUsd).toBeGreaterThan(100 * (known.estimatedUsd ?? 0));
    expect(unknown.estimatedUsd).toBeGreaterThanOrEqual((4096 * 600) / 1e6);
  });

  it('has no body facts for GETs and for uploads, and a model-less estimate never', async () => {
    const list = await capture('/v1/proxy/openai', (f) => openai(f).models.list());
    expect(adapter.facts(list, 'p', DEFAULT_PRICES)).toEqual({
      type: 'proxy',
      providerId: 'p',
      providerKind: 'openai',
      method: 'GET',
      path: '/models',
      action: 'llm.request',
    });
    const upload = raw(
      'POST',
      '/files',
      '--x\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n--x--',
      'multipart/form-data; boundary=x',
    );
    expect(adapter.facts(upload, 'p', DEFAULT_PRICES).model).toBeUndefined();
  });

  it('refuses malformed bodies on JSON endpoints with the path of the fault', () => {
    expect(
      badRequestPath(() =>
        adapter.facts(raw('POST', '/chat/completions', '{"model": "gpt-4o", '), 'p', DEFAULT_PRICES),
      ),
    ).toBe('body');
    expect(
      badRequestPath(() => adapter.facts(raw('POST', '/chat/completions', ''), 'p', DEFAULT_PRICES)),
    ).toBe('body');
    expect(
      badRequestPath(() => adapter.facts(raw('POST', '/chat/completions', '[1,2]'), 'p', DEFAULT_PRICES)),
    ).toBe('body');
    // A non-JSON content type does not exempt a JSON endpoint: it is refused (415) before the body is read.
    expect(() =>
      adapter.facts(raw('POST', '/chat/completions', 'model=gpt-4o', 'text/plain'), 'p', DEFAULT_PRICES),
    ).toThrow(expect.objectContaining({ code: 'unsupported_media_type' }));
    expect(
      badRequestPath(() =>
        adapter.facts(raw('POST', '/chat/completions', '{"model": 4}'), 'p', DEFAULT_PRICES),
      ),
    ).toBe('model');
    expect(
      badRequestPath(() =>
        adapter.facts(
          raw('POST', '/chat/completions', '{"model": "gpt-4o", "stream": "yes"}'),
          'p',
          DEFAULT_PRICES,
        ),
      ),
    ).toBe('stream');
    expect(
      badRequestPath(() =>
        adapter.facts(
          raw('POST', '/chat/completions', '{"model": "gpt-4o", "max_tokens": "10"}'),
          'p',
          DEFAULT_PRICES,
        ),
      ),
    ).toBe('max_tokens');
    expect(
      badRequestPath(() =>
        adapter.facts(
          raw('POST', '/chat/completions', '{"model": "gpt-4o", "max_tokens": -1}'),
          'p',
          DEFAULT_PRICES,
        ),
      ),
    ).toBe('max_tokens');
  });

  it('puts the master key in Authorization, never the agent token', async () => {
    const req = await capture('/v1/proxy/openai', (f) => openai(f).models.list());
    expect(req.headers.authorization).toBe(`Bearer ${AGENT_TOKEN}`); // what the SDK sent the keychain
    const headers = adapter.authHeaders(MASTER_KEY, { authHeader: null, authPrefix: null });
    expect(headers).toEqual({ authorization: `Bearer ${MASTER_KEY}` });
    expect(JSON.stringify(headers)).not.toContain(AGENT_TOKEN);
    // An OpenAI-compatible upstream with its own header.
    expect(adapter.authHeaders(MASTER_KEY, { authHeader: 'Api-Key', authPrefix: '' })).toEqual({
      'api-key': MASTER_KEY,
    });
    expect(adapter.defaultBaseUrl).toBe('https://api.openai.com/v1');
  });
});

describe('anthropic adapter', () => {
  const adapter = ADAPTERS.anthropic;

  it('reads model, stream and max_tokens from messages.create', async () => {
    const req = await capture('/v1/proxy/anthropic', (f) =>
      anthropic(f).messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 1024,
        system: 'You are a careful assistant.',
        messages: [{ role: 'user', content: 'Draft a reply to the customer.' }],
      }),
    );
    expect(req.path).toBe('/v1/messages');
    const facts = adapterFacts(adapter, req, 'anthropic');
    expect(facts).toMatchObject({
      providerKind: 'anthropic',
      action: 'llm.request',
      model: 'claude-sonnet-4-6',
    });
    expect(facts.estimatedUsd).toBeGreaterThan((1024 * 15) / 1e6);
    expect(facts.estimatedUsd).toBeLessThan((1024 * 15 + 100 * 3) / 1e6);

    const streamed = await capture('/v1/proxy/anthropic', (f) =>
      anthropic(f).messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
      }),
    );
    const sf = adapter.facts(streamed, 'anthropic', DEFAULT_PRICES);
    expect(sf.stream).toBe(true);
    expect(sf.model).toBe('claude-haiku-4-5');
  });

  it('uses x-api-key and the version header, never the agent token', async () => {
    const req = await capture('/v1/proxy/anthropic', (f) =>
      anthropic(f).messages.create({
        model: 'claude-haiku-4-5',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    );
    // Current SDKs send the key as a bearer token, older ones in x-api-key: the keychain sees the agent token.
    expect([req.headers['x-api-key'], req.headers.authorization]).toContain(`Bearer ${AGENT_TOKEN}`);
    const headers = adapter.authHeaders(MASTER_KEY, { authHeader: null, authPrefix: null });
    expect(headers).toEqual({ 'x-api-key': MASTER_KEY });
    expect(JSON.stringify(headers)).not.toContain(AGENT_TOKEN);
    expect(adapter.defaultHeaders).toEqual({ 'anthropic-version': '2023-06-01' });
    expect(adapter.defaultBaseUrl).toBe('https://api.anthropic.com');
  });

  it('treats count_tokens as free and refuses mixed-model batches', () => {
    const count = adapter.facts(
      raw('POST', '/v1/messages/count_tokens', JSON.stringify({ model: 'claude-opus-4-1', messages: [] })),
      'p',
      DEFAULT_PRICES,
    );
    expect(count).toMatchObject({ model: 'claude-opus-4-1', estimatedUsd: 0 });
    const batch = (models: string[]): string =>
      JSON.stringify({
        requests: models.map((model, i) => ({
          custom_id: `r${i}`,
          params: { model, max_tokens: 100, messages: [{ role: 'user', content: 'x' }] },
        })),
      });
    const same = adapter.facts(
      raw('POST', '/v1/messages/batches', batch(['claude-3-5-haiku-latest', 'claude-3-5-haiku-latest'])),
      'p',
      DEFAULT_PRICES,
    );
    expect(same.model).toBe('claude-3-5-haiku-latest');
    expect(same.estimatedUsd).toBeGreaterThan((200 * 4) / 1e6);
    expect(
      badRequestPath(() =>
        adapter.facts(
          raw('POST', '/v1/messages/batches', batch(['claude-3-5-haiku-latest', 'claude-opus-4-1'])),
          'p',
          DEFAULT_PRICES,
        ),
      ),
    ).toBe('requests[1].params.model');
  });

  it('refuses malformed message bodies', () => {
    expect(
      badRequestPath(() => adapter.facts(raw('POST', '/v1/messages', 'not json'), 'p', DEFAULT_PRICES)),
    ).toBe('body');
    expect(
      badRequestPath(() =>
        adapter.facts(
          raw('POST', '/v1/messages', '{"model":"claude-haiku-4-5","max_tokens":1.5}'),
          'p',
          DEFAULT_PRICES,
        ),
      ),
    ).toBe('max_tokens');
  });
});
