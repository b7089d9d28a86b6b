// Streamed answers of a fake OpenAI Responses endpoint and a fake Anthropic Messages endpoint, as the
// Codex CLI and Claude Code read them (only remote providers are faked in these tests).
import type { ServerResponse } from 'node:http';

function sse(res: ServerResponse, events: { event: string; data: unknown }[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events) res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
  res.end();
}

function response(model: string, text: string, done: boolean): Record<string, unknown> {
  const message = {
    type: 'message',
    id: 'msg_1',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
  return {
    id: 'resp_1',
    object: 'response',
    created_at: 1,
    status: done ? 'completed' : 'in_progress',
    model,
    output: done ? [message] : [],
    output_text: done ? text : '',
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    error: null,
    incomplete_details: null,
    instructions: null,
    metadata: {},
    usage: done
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
  const part = { item_id: 'msg_1', output_index: 0, content_index: 0 };
  sse(res, [
    ev('response.created', { response: response(model, '', false) }),
    ev('response.output_item.added', {
      output_index: 0,
      item: { ...item, status: 'in_progress', content: [] },
    }),
    ev('response.content_part.added', { ...part, part: { type: 'output_text', text: '', annotations: [] } }),
    ev('response.output_text.delta', { ...part, delta: text }),
    ev('response.output_text.done', { ...part, text }),
    ev('response.content_part.done', { ...part, part: { type: 'output_text', text, annotations: [] } }),
    ev('response.output_item.done', { output_index: 0, item }),
    ev('response.completed', { response: response(model, text, true) }),
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
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 3 },
    }),
    ev('message_stop', {}),
  ]);
}
