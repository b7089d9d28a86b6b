// Streamed answers of fake providers, as their SDKs and CLIs read them: the OpenAI Responses stream (Codex,
// the openai SDK) and the Anthropic Messages stream (Claude Code, the anthropic SDK). Only remote providers
// are faked in the tests; test/clients/harness.ts and test/run/key-helpers.test.ts serve these.
import type { ServerResponse } from 'node:http';

/** Created-at time of every fake object (a fixed instant, so answers are reproducible). */
export const FAKE_NOW = 1_767_000_000;

/** Writes a whole SSE answer: `event:` lines where named, `data:` as given (strings) or as JSON. */
export function sse(res: ServerResponse, events: Array<{ event?: string; data: unknown }>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events) {
    res.write(
      `${e.event ? `event: ${e.event}\n` : ''}data: ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}\n\n`,
    );
  }
  res.end();
}

/** A Responses API `response` object, finished (`completed`) or not. */
export function responseObject(model: string, text: string, status = 'completed'): Record<string, unknown> {
  return {
    id: 'resp_1',
    object: 'response',
    created_at: FAKE_NOW,
    status,
    model,
    output:
      status === 'completed'
        ? [
            {
              type: 'message',
              id: 'msg_1',
              status: 'completed',
              role: 'assistant',
              content: [{ type: 'output_text', text, annotations: [] }],
            },
          ]
        : [],
    output_text: status === 'completed' ? text : '',
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    error: null,
    incomplete_details: null,
    instructions: null,
    metadata: {},
    temperature: 1,
    top_p: 1,
    usage:
      status === 'completed'
        ? {
            input_tokens: 10,
            output_tokens: 4,
            total_tokens: 14,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens_details: { reasoning_tokens: 0 },
          }
        : null,
  };
}

export function responsesStream(res: ServerResponse, model: string, text: string): void {
  const item = {
    type: 'message',
    id: 'msg_1',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
  let seq = 0;
  const ev = (type: string, rest: Record<string, unknown>): { event: string; data: unknown } => ({
    event: type,
    data: { type, sequence_number: seq++, ...rest },
  });
  sse(res, [
    ev('response.created', { response: responseObject(model, '', 'in_progress') }),
    ev('response.output_item.added', {
      output_index: 0,
      item: { ...item, status: 'in_progress', content: [] },
    }),
    ev('response.content_part.added', {
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
    ev('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: text }),
    ev('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text }),
    ev('response.content_part.done', {
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text, annotations: [] },
    }),
    ev('response.output_item.done', { output_index: 0, item }),
    ev('response.completed', { response: responseObject(model, text) }),
  ]);
}

export function anthropicStream(res: ServerResponse, model: string, text: string): void {
  const ev = (type: string, rest: Record<string, unknown>): { event: string; data: unknown } => ({
    event: type,
    data: { type, ...rest },
  });
  sse(res, [
    ev('message_start', {
      message: {
        id: 'msg_02',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 1 },
      },
    }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('ping', {}),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 3 },
    }),
    ev('message_stop', {}),
  ]);
}
