// The adapter for each provider kind, and the default price table the server passes to them.
import type { ProviderKind } from '../../shared/facts.ts';
import { anthropicAdapter } from './anthropic.ts';
import { httpAdapter } from './http.ts';
import { openaiAdapter } from './openai.ts';
import { resendAdapter } from './resend.ts';
import { stripeAdapter } from './stripe.ts';
import type { ProviderAdapter } from './types.ts';

export { DEFAULT_PRICES, mergePrices } from './pricing.ts';

export const ADAPTERS: Readonly<Record<ProviderKind, ProviderAdapter>> = Object.freeze({
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
  stripe: stripeAdapter,
  resend: resendAdapter,
  http: httpAdapter,
});
