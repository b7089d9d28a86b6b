// A cheap, deliberately generous token estimate for a request's input, so budgets can reserve the worst case
// before forwarding (the real cost settles the reservation when the response arrives).
//
// Every string in the request counts: ASCII at 4 characters a token, any other character as a whole token
// (CJK text runs close to one token a character). Images count a flat IMAGE_TOKENS whether sent by URL or
// inline, instead of their base64 length. Objects and array items add a few tokens of framing.

/** Tokens charged per image (a high-detail 2048×2048 image on GPT-4o is about 1,100 tokens). */
export const IMAGE_TOKENS = 1_600;
const ITEM_OVERHEAD = 4;
const IMAGE_TYPES = new Set(['image', 'image_url', 'input_image']);

function textTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) ascii++;
    else if (c < 0xdc00 || c > 0xdfff) other++; // a surrogate pair counts once
  }
  return Math.ceil(ascii / 4) + other;
}

function isImage(value: Record<string, unknown>): boolean {
  const type = value.type;
  return typeof type === 'string' && IMAGE_TYPES.has(type);
}

function walk(value: unknown, depth: number): number {
  if (depth > 64) return 0;
  if (typeof value === 'string') return textTokens(value);
  if (typeof value === 'number' || typeof value === 'boolean') return 1;
  if (Array.isArray(value)) {
    let sum = 0;
    for (const item of value) sum += ITEM_OVERHEAD + walk(item, depth + 1);
    return sum;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (isImage(record)) return IMAGE_TOKENS;
    let sum = ITEM_OVERHEAD;
    for (const item of Object.values(record)) sum += walk(item, depth + 1);
    return sum;
  }
  return 0;
}

/** Estimated input tokens of the given request fields (e.g. messages, system, tools). */
export function estimateInputTokens(fields: readonly unknown[]): number {
  let sum = 0;
  for (const field of fields) if (field !== undefined) sum += walk(field, 0);
  return sum;
}
