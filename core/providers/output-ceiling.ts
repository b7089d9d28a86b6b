// The most output tokens a model can be asked to write in one call: what a budget reserves when a request
// sets no maximum of its own (OpenAI's max_tokens, max_completion_tokens and max_output_tokens are
// optional). Keys match model ids by prefix, the longest key wins (as prices do, pricing.ts); a model no
// key matches gets UNKNOWN_MODEL_CEILING, as much as the largest listed, so a reservation is never below what
// the call can cost. Figures are the providers' documented output limits (late 2025), rounded up.
const CEILINGS: Readonly<Record<string, number>> = Object.freeze({
  'gpt-5': 128_000,
  'gpt-4.1': 32_768,
  'gpt-4.5': 16_384,
  'gpt-4o': 16_384,
  'chatgpt-4o': 16_384,
  'gpt-4-turbo': 4_096,
  'gpt-4': 8_192,
  'gpt-3.5-turbo': 4_096,
  o1: 100_000,
  'o1-mini': 65_536,
  o3: 100_000,
  'o4-mini': 100_000,
  'claude-opus-4': 64_000,
  'claude-sonnet-4': 64_000,
  'claude-haiku-4': 64_000,
  'claude-3-7-sonnet': 128_000,
  'claude-3-5': 8_192,
  'claude-3': 4_096,
});

/** The ceiling of a model no key matches. */
export const UNKNOWN_MODEL_CEILING = 128_000;

/** The most output tokens `model` can write in one completion. */
export function outputCeiling(model: string | undefined): number {
  if (model === undefined || model === '') return UNKNOWN_MODEL_CEILING;
  const id = model.toLowerCase();
  let best: number | undefined;
  let bestLength = -1;
  for (const [key, ceiling] of Object.entries(CEILINGS)) {
    if (key.length > bestLength && id.startsWith(key)) {
      best = ceiling;
      bestLength = key.length;
    }
  }
  return best ?? UNKNOWN_MODEL_CEILING;
}
