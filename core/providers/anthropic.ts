// Anthropic: model, streaming flag and a worst-case cost estimate (max_tokens) from the request; token usage from
// the response (JSON, or the message_start and message_delta events of a stream).
import { baseFacts } from './base-facts.ts';
import type { ProxyFacts } from '../../shared/facts.ts';
import { AppError } from '../errors.ts';
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
import { estimateInputTokens } from './estimate.ts';
import { unboundedInput } from './unbounded-input.ts';
import { outputCeiling } from './output-ceiling.ts';
import { costUsd, type TokenCounts } from './pricing.ts';
import { jsonUsageMeter, mediaType, sseUsageMeter, tokens, usageEventData } from './usage.ts';
import type { AdapterRequest, ProviderAdapter } from './types.ts';

const MESSAGES = '/v1/messages';
const COMPLETE = '/v1/complete';
const COUNT_TOKENS = '/v1/messages/count_tokens';
const BATCHES = '/v1/messages/batches';
const JSON_REQUIRED = new Set([MESSAGES, COMPLETE, COUNT_TOKENS, BATCHES]);

/** Fields policy reads: never in the query, never in another case. */
const SENSITIVE: ReadonlySet<string> = new Set([
  'model',
  'stream',
  'max_tokens',
  'max_tokens_to_sample',
  'requests',
  'params',
]);

function readBody(req: AdapterRequest): JsonObject | undefined {
  if (req.method !== 'POST') return undefined;
  if (JSON_REQUIRED.has(req.path)) return readJsonBody(req, SENSITIVE, true, `POST ${req.path}`);
  if (saysJson(req)) return readJsonBody(req, SENSITIVE, false, `POST ${req.path}`);
  return undefined;
}

/** The output maximum the request sets; without one (Anthropic requires it, a compatible server may not), the model's ceiling. */
function maxTokens(body: JsonObject, model: string | undefined): number {
  return (
    optionalCount(body, 'max_tokens') ?? optionalCount(body, 'max_tokens_to_sample') ?? outputCeiling(model)
  );
}

/**
 * A message batch holds many requests; facts carry one model, so every request must name the same one
 * (a mixed batch could otherwise slip a model past a models rule). The estimate sums all requests.
 */
function batchFacts(body: JsonObject): { model: string | undefined; counts: TokenCounts } {
  const requests = body.requests;
  if (!Array.isArray(requests) || requests.length === 0) {
    throw new AppError('bad_request', '"requests" must be a non-empty array.', { path: 'requests' });
  }
  let model: string | undefined;
  const counts = { inputTokens: 0, outputTokens: 0 };
  requests.forEach((item: unknown, i) => {
    const params = isObject(item) ? item.params : undefined;
    if (!isObject(params)) {
      throw new AppError('bad_request', 'Each batch request needs "params".', {
        path: `requests[${i}].params`,
      });
    }
    const m = optionalString(params, 'model');
    if (m === undefined || (model !== undefined && m !== model)) {
      throw new AppError('bad_request', 'Every request in a batch must name the same model.', {
        path: `requests[${i}].params.model`,
      });
    }
    model = m;
    counts.inputTokens += estimateInputTokens([params]);
    counts.outputTokens += maxTokens(params, m);
  });
  return { model, counts };
}

interface AnthropicCounts {
  input?: number;
  output?: number;
  cacheWrite?: number;
  cacheRead?: number;
}

/** Reads an Anthropic usage object; fields it lacks stay as they were (message_delta repeats only some). */
function mergeUsage(into: AnthropicCounts, value: unknown): boolean {
  if (!isObject(value)) return false;
  const input = tokens(value.input_tokens);
  const output = tokens(value.output_tokens);
  const cacheWrite = tokens(value.cache_creation_input_tokens);
  const cacheRead = tokens(value.cache_read_input_tokens);
  if (input !== undefined) into.input = input;
  if (output !== undefined) into.output = output;
  if (cacheWrite !== undefined) into.cacheWrite = cacheWrite;
  if (cacheRead !== undefined) into.cacheRead = cacheRead;
  return input !== undefined || output !== undefined;
}

function toCounts(c: AnthropicCounts): TokenCounts | null {
  if (c.input === undefined && c.output === undefined) return null;
  return {
    inputTokens: c.input ?? 0,
    outputTokens: c.output ?? 0,
    cacheWriteTokens: c.cacheWrite ?? 0,
    cacheReadTokens: c.cacheRead ?? 0,
  };
}

export const anthropicAdapter: ProviderAdapter = {
  kind: 'anthropic',
  defaultBaseUrl: 'https://api.anthropic.com',
  defaultHeaders: Object.freeze({ 'anthropic-version': '2023-06-01' }),

  facts(req, providerId, prices): ProxyFacts {
    const facts: ProxyFacts = baseFacts(req, providerId, 'anthropic', 'llm.request');
    const body = readBody(req);
    if (body === undefined) return facts;
    // Documents by reference and server-side tools: no estimate bounds them (unbounded-input.ts).
    const bounded = !unboundedInput(body);
    if (req.path === BATCHES) {
      const batch = batchFacts(body);
      if (batch.model !== undefined) facts.model = batch.model;
      if (bounded) facts.estimatedUsd = costUsd(batch.counts, batch.model, prices);
      return facts;
    }
    const model = optionalString(body, 'model');
    const stream = optionalBoolean(body, 'stream');
    if (model !== undefined) facts.model = model;
    if (stream !== undefined) facts.stream = stream;
    if ((req.path === MESSAGES || req.path === COMPLETE) && bounded) {
      facts.estimatedUsd = costUsd(
        { inputTokens: estimateInputTokens([body]), outputTokens: maxTokens(body, model) },
        model,
        prices,
      );
    } else if (req.path === COUNT_TOKENS) {
      facts.estimatedUsd = 0; // counting tokens is free
    }
    return facts;
  },

  authHeaders(masterKey, auth) {
    return keyHeader(masterKey, auth, { header: 'x-api-key', prefix: '' });
  },

  usageMeter(facts, responseContentType, prices) {
    if (facts.action !== 'llm.request') return null;
    const type = mediaType(responseContentType);
    if (type === 'application/json') {
      return jsonUsageMeter(
        (body) => {
          const counts: AnthropicCounts = {};
          return isObject(body) && mergeUsage(counts, body.usage) ? toCounts(counts) : null;
        },
        facts.model,
        prices,
      );
    }
    if (type === 'text/event-stream') {
      const counts: AnthropicCounts = {};
      return sseUsageMeter(
        {
          event(event) {
            const data = usageEventData(event);
            if (!isObject(data)) return;
            // message_start carries the input (and a first output count); message_delta the running output total.
            if (data.type === 'message_start' && isObject(data.message))
              mergeUsage(counts, data.message.usage);
            else if (data.type === 'message_delta') mergeUsage(counts, data.usage);
          },
          result: () => toCounts(counts),
        },
        facts.model,
        prices,
      );
    }
    return null;
  },
};
