// A fake remote provider: a small local HTTP server that records what it receives and answers as the
// test says. The only fakes in these tests are remote providers like this one.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>;

export interface FakeUpstream {
  url: string;
  received: Received[];
  handle(handler: Handler): void;
  close(): Promise<void>;
  server: Server;
}

export async function startUpstream(handler?: Handler): Promise<FakeUpstream> {
  const received: Received[] = [];
  let current: Handler =
    handler ??
    ((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        at: Date.now(),
      });
      void current(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    server,
    handle: (h) => {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A handler that answers every request with `status` and `body` (a string as it is, anything else as JSON). */
export function answerJson(body: unknown, status = 200): Handler {
  return (_req, _body, res) => writeJson(res, status, body);
}

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export interface ChatAnswer {
  /** The model the answer names; by default the one the request asked for (else gpt-4o-mini). */
  model?: string;
  content?: string;
  promptTokens?: number;
  completionTokens?: number;
}

/** A Chat Completions answer, as the openai SDK reads it (1 prompt and 1 completion token unless told). */
export function chatCompletion(a: ChatAnswer = {}): Record<string, unknown> {
  const prompt = a.promptTokens ?? 1;
  const completion = a.completionTokens ?? 1;
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: a.model ?? 'gpt-4o-mini',
    choices: [
      { index: 0, message: { role: 'assistant', content: a.content ?? 'ok' }, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

/** A fake OpenAI chat endpoint: every request gets `chatCompletion(a)`, for the model it asked for by default. */
export function chatHandler(a: ChatAnswer = {}): Handler {
  return (_req, body, res) => {
    let model = a.model;
    if (model === undefined) {
      try {
        const asked = (JSON.parse(body) as { model?: unknown }).model;
        if (typeof asked === 'string') model = asked;
      } catch {
        // Not JSON: the default model.
      }
    }
    writeJson(res, 200, chatCompletion({ ...a, ...(model !== undefined ? { model } : {}) }));
  };
}
