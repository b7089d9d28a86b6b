// Token prices for OpenAI and Anthropic models, and the cost math budgets use.
//
// DEFAULT_PRICES is approximate (public list prices, USD per 1M tokens, as of late 2025) and overridable: the
// caller passes its own PriceTable to every adapter call, and mergePrices() layers an owner's overrides on top
// of the defaults. Keys match model ids by prefix, the longest key wins, so "gpt-4o-mini-2024-07-18" is priced as
// "gpt-4o-mini" and never as "gpt-4o". Where a family key (e.g. "claude-opus-4") covers both old and new
// versions, it carries the highest price in that family, so a model released later is over- rather than
// under-estimated.
//
// A model that matches no key is priced at UNKNOWN_MODEL_PRICE, as much as the most expensive model in the
// table: budgets fail safe (a request to an unknown model reserves more, never less, than it can cost).
//
// Cached input: Anthropic reports cache writes and reads apart from input_tokens; they are priced at 1.25× and
// 0.1× the input price (Anthropic's 5-minute cache). OpenAI includes cached tokens in prompt_tokens; they are
// priced at the full input price here (an over-estimate, never an under-estimate).
import type { PriceTable } from './types.ts';

export interface TokenPrice {
  input: number;
  output: number;
}

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  /** Anthropic cache_creation_input_tokens (not included in inputTokens). */
  cacheWriteTokens?: number;
  /** Anthropic cache_read_input_tokens (not included in inputTokens). */
  cacheReadTokens?: number;
}

/** The price of a model no key matches: as high as the most expensive model listed (o1-pro). */
export const UNKNOWN_MODEL_PRICE: TokenPrice = Object.freeze({ input: 150, output: 600 });

const CACHE_WRITE_FACTOR = 1.25;
const CACHE_READ_FACTOR = 0.1;

export const DEFAULT_PRICES: PriceTable = Object.freeze({
  // OpenAI: GPT-5 family
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-5-pro': { input: 15, output: 120 },
  'gpt-5.2': { input: 1.75, output: 14 },
  'gpt-5.2-pro': { input: 21, output: 168 },
  // OpenAI: GPT-4.1, GPT-4o, older GPT-4 and 3.5
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4.5': { input: 75, output: 150 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-2024-05-13': { input: 5, output: 15 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'chatgpt-4o': { input: 5, output: 15 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  // OpenAI: reasoning models (reasoning tokens are billed as output)
  o1: { input: 15, output: 60 },
  'o1-mini': { input: 1.1, output: 4.4 },
  'o1-pro': { input: 150, output: 600 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o3-pro': { input: 20, output: 80 },
  'o3-deep-research': { input: 10, output: 40 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'o4-mini-deep-research': { input: 2, output: 8 },
  // OpenAI: embeddings (input only)
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  'text-embedding-ada-002': { input: 0.1, output: 0 },
  // OpenAI: moderation is free
  'omni-moderation': { input: 0, output: 0 },
  'text-moderation': { input: 0, output: 0 },
  // Anthropic
  'claude-opus-4': { input: 15, output: 75 },
  'claude-opus-4-5': { input: 5, output: 25 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-haiku-4': { input: 1, output: 5 },
  'claude-3-opus': { input: 15, output: 75 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
});

/** The price of a model: the longest table key that is a prefix of the model id, else UNKNOWN_MODEL_PRICE. */
export function priceFor(model: string | undefined, table: PriceTable): TokenPrice {
  if (model === undefined || model === '') return UNKNOWN_MODEL_PRICE;
  let seen = looked.get(table);
  if (seen === undefined) {
    seen = new Map();
    looked.set(table, seen);
  }
  let price = seen.get(model);
  if (price === undefined) {
    // Model ids come from agents: the memo is bounded, so random ids cannot grow it without end.
    if (seen.size >= MEMO_LIMIT) seen.clear();
    price = lookUp(model, table);
    seen.set(model, price);
  }
  return price;
}

/** Prices already looked up, per table (each request prices its model twice: estimate and usage). */
const looked = new WeakMap<PriceTable, Map<string, TokenPrice>>();
const MEMO_LIMIT = 512;

function lookUp(model: string, table: PriceTable): TokenPrice {
  const id = model.toLowerCase();
  let best: TokenPrice | undefined;
  let bestLength = -1;
  for (const [key, price] of Object.entries(table)) {
    if (key.length > bestLength && id.startsWith(key.toLowerCase())) {
      best = price;
      bestLength = key.length;
    }
  }
  return best ?? UNKNOWN_MODEL_PRICE;
}

/** Cost in USD of the given token counts for a model, at the table's prices. */
export function costUsd(usage: TokenCounts, model: string | undefined, table: PriceTable): number {
  const price = priceFor(model, table);
  const input =
    usage.inputTokens +
    (usage.cacheWriteTokens ?? 0) * CACHE_WRITE_FACTOR +
    (usage.cacheReadTokens ?? 0) * CACHE_READ_FACTOR;
  return (input * price.input + usage.outputTokens * price.output) / 1_000_000;
}

/** The defaults with an owner's overrides on top (an override replaces the default for the same key). */
export function mergePrices(overrides: PriceTable, base: PriceTable = DEFAULT_PRICES): PriceTable {
  return Object.freeze({ ...base, ...overrides });
}
