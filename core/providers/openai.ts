// OpenAI: model, streaming flag and a worst-case cost estimate from the request; token usage from the response
// (JSON, or the SSE chunk that carries it when stream_options.include_usage is set).
import { baseFacts } from './base-facts.ts';
import type { ProxyFacts } from '../../shared/facts.ts';
import {
  isObject,
  optionalBoolean,
  optionalCount,
  optionalString,
  readJsonBody,
  saysJson,
  type JsonObject,
} from './body.ts';
import { keyHeader } from './auth.ts';
import { AppError } from '../errors.ts';
import { estimateInputTokens } from './estimate.ts';
import { costUsd, type TokenCounts } from './pricing.ts';
import { outputCeiling } from './output-ceiling.ts';
import { unboundedInput } from './unbounded-input.ts';
import { jsonUsageMeter, mediaType, sseUsageMeter, tokens, usageEventData } from './usage.ts';
import type { AdapterRequest, PriceTable, ProviderAdapter } from './types.ts';

/** Endpoints that generate text: their estimate includes the maximum output. */
const GENERATING = new Set(['/chat/completions', '/completions', '/responses']);
/** Endpoints OpenAI does not bill by the call (uploads, moderation): estimated at $0, so budgets let them by. */
const FREE = /^\/(?:files|uploads(?:\/[^/]+\/(?:parts|complete|cancel))?|moderations)$/;
/** Endpoints whose body must be a JSON object. */
const JSON_REQUIRED = new Set([...GENERATING, '/embeddings', '/moderations']);

/** The path without a leading "/v1", so a base URL with or without it reads the same. */
function route(path: string): string {
  return path.replace(/^\/v1(?=\/)/, '');
}

/** Fields policy reads (model, streaming, the output maximum): never in the query, never in another case. */
const SENSITIVE: ReadonlySet<string> = new Set([
  'model',
  'stream',
  'max_tokens',
  'max_completion_tokens',
  'max_output_tokens',
  'n',
  'best_of',
]);

function readBody(req: AdapterRequest, endpoint: string): JsonObject | undefined {
  if (req.method !== 'POST') return undefined;
  if (JSON_REQUIRED.has(endpoint)) return readJsonBody(req, SENSITIVE, true, `POST ${req.path}`);
  // Other endpoints also take uploads (files, audio, image edits); only JSON bodies are read for facts.
  if (saysJson(req)) return readJsonBody(req, SENSITIVE, false, `POST ${req.path}`);
  return undefined;
}

function outputTokens(body: JsonObject, model: string | undefined): number {
  // With no maximum set the model may write up to its own ceiling, and a budget must reserve that much.
  const max =
    optionalCount(body, 'max_completion_tokens') ??
    optionalCount(body, 'max_tokens') ??
    optionalCount(body, 'max_output_tokens') ??
    outputCeiling(model);
  // n (and best_of on legacy completions) asks for several completions, each up to the maximum.
  const choices = Math.max(1, optionalCount(body, 'n') ?? 1, optionalCount(body, 'best_of') ?? 1);
  return max * choices;
}

function readUsage(value: unknown): TokenCounts | null {
  if (!isObject(value)) return null;
  const input = tokens(value.prompt_tokens) ?? tokens(value.input_tokens);
  const output = tokens(value.completion_tokens) ?? tokens(value.output_tokens) ?? 0;
  if (input === undefined) return null;
  return { inputTokens: input, outputTokens: output };
}

/** Usage in a response body or stream event: chat/embeddings put it at .usage, the Responses API at .response.usage. */
function usageOf(value: unknown): TokenCounts | null {
  if (!isObject(value)) return null;
  return readUsage(value.usage) ?? (isObject(value.response) ? readUsage(value.response.usage) : null);
}

const BILLING_ID = /^[A-Za-z0-9_-]{1,128}$/;

function headerValue(req: AdapterRequest, name: string): string | undefined {
  const raw = req.headers[name];
  if (raw === undefined) return undefined;
  const value = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  if (!BILLING_ID.test(value)) {
    throw new AppError('bad_request', `The ${name} header must name one id (letters, digits, "-" or "_").`, {
      path: `headers.${name}`,
    });
  }
  return value;
}

export const openaiAdapter: ProviderAdapter = {
  kind: 'openai',
  defaultBaseUrl: 'https://api.openai.com/v1',

  facts(req, providerId, prices): ProxyFacts {
    const endpoint = route(req.path);
    const facts: ProxyFacts = baseFacts(req, providerId, 'openai', 'llm.request');
    // Who is billed: an organization or project header is a fact policy checks, never dropped silently.
    const organization = headerValue(req, 'openai-organization');
    const project = headerValue(req, 'openai-project');
    if (organization !== undefined) facts.organization = organization;
    if (project !== undefined) facts.project = project;
    if (req.method === 'POST' && FREE.test(endpoint)) facts.estimatedUsd = 0;
    const body = readBody(req, endpoint);
    if (body === undefined) return facts;
    const model = optionalString(body, 'model');
    const stream = optionalBoolean(body, 'stream');
    if (model !== undefined) facts.model = model;
    if (stream !== undefined) facts.stream = stream;
    const generating = GENERATING.has(endpoint);
    // Files by reference and server-side tools: no estimate bounds them (unbounded-input.ts).
    if ((model !== undefined || generating) && !unboundedInput(body)) {
      const counts = {
        inputTokens: estimateInputTokens([body]),
        outputTokens: generating ? outputTokens(body, model) : 0,
      };
      facts.estimatedUsd = costUsd(counts, model, prices);
    }
    return facts;
  },

  authHeaders(masterKey, auth) {
    return keyHeader(masterKey, auth, { header: 'authorization', prefix: 'Bearer ' });
  },

  usageMeter(facts, responseContentType, prices: PriceTable) {
    if (facts.action !== 'llm.request') return null;
    const type = mediaType(responseContentType);
    if (type === 'application/json') return jsonUsageMeter(usageOf, facts.model, prices);
    if (type === 'text/event-stream') {
      let last: TokenCounts | null = null;
      return sseUsageMeter(
        {
          event(event) {
            // Chat streams end with a chunk holding usage (when stream_options.include_usage is set);
            // Responses streams carry it on response.completed. The last one seen wins.
            last = usageOf(usageEventData(event)) ?? last;
          },
          result: () => last,
        },
        facts.model,
        prices,
      );
    }
    return null;
  },
};
