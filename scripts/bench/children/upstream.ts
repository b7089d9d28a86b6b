// A stand-in remote provider for the benchmarks: a bare node:http server (keep-alive) that answers a small
// OpenAI-style JSON body, or an SSE stream (a chunk every 20 ms) when the request body asks for stream:true.
// With --log it notes the arrival time of each request and the "user" tag in its body, for the revoke bench.
import { createServer } from 'node:http';
import { z } from 'zod';
import { serveChild, wallNow } from '../common.ts';

const log = process.argv.includes('--log');
const arrivals: { at: number; tag: string }[] = [];

const JSON_BODY = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 },
  }),
);
const CHUNK =
  'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"x"}}]}\n\n';
const STREAM_CHUNKS = 1000; // 20 s at most: bounded even if nobody cuts it.

function tagOf(body: string): string {
  const m = /"user":"([^"]*)"/.exec(body);
  return m?.[1] ?? '';
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (log) arrivals.push({ at: wallNow(), tag: tagOf(body) });
    if (!body.includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': JSON_BODY.length });
      res.end(JSON_BODY);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let sent = 0;
    const timer = setInterval(() => {
      sent += 1;
      if (sent > STREAM_CHUNKS) {
        clearInterval(timer);
        res.end('data: [DONE]\n\n');
        return;
      }
      res.write(CHUNK);
    }, 20);
    res.on('close', () => clearInterval(timer));
  });
});
server.keepAliveTimeout = 60_000;

const Arrivals = z.object({ type: z.literal('arrivals'), tag: z.string(), after: z.number() });

serveChild(server, (raw) => {
  const parsed = Arrivals.safeParse(raw);
  if (!parsed.success) return;
  const m = parsed.data;
  const mine = arrivals.filter((a) => a.tag === m.tag);
  const late = mine.filter((a) => a.at > m.after);
  process.send?.({ type: 'arrivals', total: mine.length, after: late.length, lastAt: mine.at(-1)?.at ?? 0 });
});
