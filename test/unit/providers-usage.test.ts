// Usage meters on JSON and on SSE responses, including SSE split at arbitrary byte boundaries.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ADAPTERS, DEFAULT_PRICES } from '../../core/providers/registry.ts';
import { SseReader, type SseEvent } from '../../core/providers/sse.ts';
import type { ProxyFacts } from '../../shared/facts.ts';
import type { PriceTable, ProviderAdapter, Usage } from '../../core/providers/types.ts';

function llmFacts(kind: 'openai' | 'anthropic', model: string, stream: boolean): ProxyFacts {
  return {
    type: 'proxy',
    providerId: kind,
    providerKind: kind,
    method: 'POST',
    path: '/x',
    action: 'llm.request',
    model,
    stream,
  };
}

function meter(
  adapter: ProviderAdapter,
  facts: ProxyFacts,
  type: string,
  chunks: readonly Buffer[],
  prices: PriceTable = DEFAULT_PRICES,
): Usage | null {
  const m = adapter.usageMeter(facts, type, prices);
  if (m === null) throw new Error('expected a meter');
  for (const c of chunks) m.push(c);
  return m.finish();
}

/** Splits a buffer at the given byte offsets (deduplicated, in order). */
function split(buf: Buffer, points: readonly number[]): Buffer[] {
  const cuts = [...new Set(points.map((p) => p % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let start = 0;
  for (const cut of cuts) {
    out.push(buf.subarray(start, cut));
    start = cut;
  }
  out.push(buf.subarray(start));
  return out;
}

const sse = (events: readonly string[], eol = '\n'): Buffer =>
  Buffer.from(events.map((e) => e.split('\n').join(eol) + eol + eol).join(''));

// A chat.completions stream with stream_options.include_usage, as OpenAI sends it (text with multi-byte characters).
const chunk = (delta: object, finish: string | null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_1', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null })}`;
const OPENAI_STREAM = [
  chunk({ role: 'assistant', content: '', refusal: null }, null),
  chunk({ content: 'Héllo ' }, null),
  chunk({ content: 'wörld 👋 — 日本' }, null),
  chunk({}, 'stop'),
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18', choices: [], usage: { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } } })}`,
  'data: [DONE]',
];

// A messages stream as Anthropic sends it.
const ev = (name: string, data: object): string => `event: ${name}\ndata: ${JSON.stringify(data)}`;
const ANTHROPIC_STREAM = [
  ev('message_start', {
    type: 'message_start',
    message: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      content: [],
      model: 'claude-sonnet-4-5-20250929',
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: 2000,
        cache_creation_input_tokens: 400,
        cache_read_input_tokens: 1000,
        output_tokens: 1,
      },
    },
  }),
  ev('content_block_start', {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'text', text: '' },
  }),
  'event: ping\ndata: {"type": "ping"}',
  ev('content_block_delta', {
    type: 'content_block_delta',
    index: 0,
    delta: { type: 'text_delta', text: 'Grüße ✓ 你好' },
  }),
  ev('content_block_stop', { type: 'content_block_stop', index: 0 }),
  ev('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: 500 },
  }),
  ev('message_stop', { type: 'message_stop' }),
];

describe('openai usage', () => {
  const facts = llmFacts('openai', 'gpt-4o-mini', true);
  const expected = { inputTokens: 1200, outputTokens: 300, costUsd: (1200 * 0.15 + 300 * 0.6) / 1e6 };

  it('reads usage from a JSON chat completion', () => {
    const body = Buffer.from(
      JSON.stringify({
        id: 'chatcmpl-1',
        object: 'chat.completion',
        model: 'gpt-4o-mini-2024-07-18',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500 },
      }),
    );
    const usage = meter(
      ADAPTERS.openai,
      llmFacts('openai', 'gpt-4o-mini', false),
      'application/json; charset=utf-8',
      split(body, [7, 100]),
    );
    expect(usage?.inputTokens).toBe(1200);
    expect(usage?.outputTokens).toBe(300);
    expect(usage?.costUsd).toBeCloseTo(expected.costUsd, 12);
  });

  it('reads usage from the Responses API, JSON and stream', () => {
    const response = {
      id: 'resp_1',
      object: 'response',
      model: 'o4-mini',
      status: 'completed',
      output: [],
      usage: {
        input_tokens: 50,
        output_tokens: 70,
        total_tokens: 120,
        output_tokens_details: { reasoning_tokens: 40 },
      },
    };
    const json = meter(ADAPTERS.openai, llmFacts('openai', 'o4-mini', false), 'application/json', [
      Buffer.from(JSON.stringify(response)),
    ]);
    expect(json).toEqual({ inputTokens: 50, outputTokens: 70, costUsd: (50 * 1.1 + 70 * 4.4) / 1e6 });
    const stream = sse([
      `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', response: { ...response, status: 'in_progress', usage: null } })}`,
      `event: response.output_text.delta\ndata: ${JSON.stringify({ type: 'response.output_text.delta', delta: 'Hi' })}`,
      `event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response })}`,
    ]);
    expect(
      meter(ADAPTERS.openai, llmFacts('openai', 'o4-mini', true), 'text/event-stream', [stream]),
    ).toEqual(json);
  });

  it('reads usage from a stream split at any byte boundaries, with any line ending', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        (points, eol) => {
          const body = sse(OPENAI_STREAM, eol);
          const usage = meter(ADAPTERS.openai, facts, 'text/event-stream', split(body, points));
          expect(usage?.inputTokens).toBe(expected.inputTokens);
          expect(usage?.outputTokens).toBe(expected.outputTokens);
          expect(usage?.costUsd).toBeCloseTo(expected.costUsd, 12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('splits at every single byte too', () => {
    const body = sse(OPENAI_STREAM, '\r\n');
    const bytes = Array.from({ length: body.length }, (_, i) => body.subarray(i, i + 1));
    expect(meter(ADAPTERS.openai, facts, 'text/event-stream', bytes)?.outputTokens).toBe(300);
  });

  it('reports no usage when the stream carries none, and has no meter for other content types', () => {
    expect(
      meter(ADAPTERS.openai, facts, 'text/event-stream', [
        sse(OPENAI_STREAM.filter((l) => !l.includes('"prompt_tokens"'))),
      ]),
    ).toBeNull();
    expect(
      meter(ADAPTERS.openai, facts, 'application/json', [
        Buffer.from('{"error":{"message":"bad","type":"invalid_request_error"}}'),
      ]),
    ).toBeNull();
    expect(meter(ADAPTERS.openai, facts, 'application/json', [Buffer.from('<html>')])).toBeNull();
    expect(ADAPTERS.openai.usageMeter(facts, 'audio/mpeg', DEFAULT_PRICES)).toBeNull();
    expect(ADAPTERS.openai.usageMeter(facts, undefined, DEFAULT_PRICES)).toBeNull();
  });

  it('prices with the table it is given (overrides win)', () => {
    const body = [
      Buffer.from(JSON.stringify({ usage: { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 } })),
    ];
    const usage = meter(ADAPTERS.openai, facts, 'application/json', body, {
      'gpt-4o-mini': { input: 1, output: 2 },
    });
    expect(usage?.costUsd).toBeCloseTo(3, 12);
  });
});

describe('anthropic usage', () => {
  const facts = llmFacts('anthropic', 'claude-sonnet-4-5-20250929', true);
  // input 2000 + cache write 400 at 1.25× + cache read 1000 at 0.1×, all at $3/M; output 500 at $15/M.
  const cost = ((2000 + 400 * 1.25 + 1000 * 0.1) * 3 + 500 * 15) / 1e6;

  it('reads usage from a JSON message', () => {
    const body = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'text', text: 'Hi' }],
      stop_reason: 'end_turn',
      usage: {
        input_tokens: 2000,
        cache_creation_input_tokens: 400,
        cache_read_input_tokens: 1000,
        output_tokens: 500,
      },
    };
    const usage = meter(ADAPTERS.anthropic, facts, 'application/json', [Buffer.from(JSON.stringify(body))]);
    expect(usage?.inputTokens).toBe(3400);
    expect(usage?.outputTokens).toBe(500);
    expect(usage?.costUsd).toBeCloseTo(cost, 12);
  });

  it('reads message_start and message_delta from a stream split anywhere', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        (points, eol) => {
          const usage = meter(
            ADAPTERS.anthropic,
            facts,
            'text/event-stream; charset=utf-8',
            split(sse(ANTHROPIC_STREAM, eol), points),
          );
          expect(usage?.inputTokens).toBe(3400);
          expect(usage?.outputTokens).toBe(500);
          expect(usage?.costUsd).toBeCloseTo(cost, 12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the input count of message_start when a stream is cut before message_delta', () => {
    const usage = meter(ADAPTERS.anthropic, facts, 'text/event-stream', [sse(ANTHROPIC_STREAM.slice(0, 4))]);
    expect(usage).toMatchObject({ inputTokens: 3400, outputTokens: 1 });
  });
});

describe('SSE reader', () => {
  const read = (chunks: readonly Buffer[]): SseEvent[] => {
    const events: SseEvent[] = [];
    const reader = new SseReader((e) => events.push(e));
    for (const c of chunks) reader.push(c);
    reader.end();
    return events;
  };

  it('hands over the same events, multi-byte text intact, however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        (points, eol) => {
          const body = sse(ANTHROPIC_STREAM, eol);
          const events = read(split(body, points));
          expect(events).toHaveLength(ANTHROPIC_STREAM.length);
          expect(events.map((e) => e.event)).toEqual(
            ANTHROPIC_STREAM.map((e) => /^event: (.*)/.exec(e)?.[1]),
          );
          expect(events[3]?.data).toContain('Grüße ✓ 你好');
          expect(events).toEqual(read([body]));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('joins multi-line data, skips comments and delivers a last event without its blank line', () => {
    const events: SseEvent[] = [];
    const reader = new SseReader((e) => events.push(e));
    reader.push(Buffer.from(': keep-alive\n\nevent: a\ndata: one\ndata:two\n\ndata: {"x":'));
    reader.push(Buffer.from('1}'));
    reader.end();
    expect(events).toEqual([
      { event: 'a', data: 'one\ntwo' },
      { event: 'message', data: '{"x":1}' },
    ]);
  });

  it('does not treat "\\r" then "\\n" in the next chunk as an empty line', () => {
    const events: SseEvent[] = [];
    const reader = new SseReader((e) => events.push(e));
    reader.push(Buffer.from('data: a\r'));
    reader.push(Buffer.from('\ndata: b\r\n\r\n'));
    reader.end();
    expect(events).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
});

describe('providers without usage', () => {
  it('has no meter for stripe, resend or http', () => {
    for (const kind of ['stripe', 'resend', 'http'] as const) {
      const facts: ProxyFacts = {
        type: 'proxy',
        providerId: kind,
        providerKind: kind,
        method: 'POST',
        path: '/x',
        action: 'http.request',
      };
      expect(ADAPTERS[kind].usageMeter(facts, 'application/json', DEFAULT_PRICES)).toBeNull();
    }
  });
});
