// Typed facts that provider adapters read out of a request, for the policy engine, approvals and audit.
// Facts never hold a request body, a master key, a secret value or a token (docs/audit.md).
import { z } from 'zod';

export const ProviderKind = z.enum(['openai', 'anthropic', 'stripe', 'resend', 'http']);
export type ProviderKind = z.infer<typeof ProviderKind>;

export const ActionKind = z.enum([
  'llm.request',
  'email.send',
  'payment.create',
  'card.create',
  'http.request',
  'secret.read',
]);
export type ActionKind = z.infer<typeof ActionKind>;

export const ProxyFacts = z.strictObject({
  type: z.literal('proxy'),
  providerId: z.string(),
  providerKind: ProviderKind,
  method: z.string(),
  /** Path below the provider's base URL, normalized, without the query string. */
  path: z.string(),
  action: ActionKind,
  model: z.string().optional(),
  stream: z.boolean().optional(),
  /** A read of the model list or of one model (GET /models[/{id}]): answered filtered to the models allowlist. */
  modelList: z.enum(['list', 'lookup']).optional(),
  /** Worst-case cost the adapter estimated before forwarding, in USD. */
  estimatedUsd: z.number().nonnegative().optional(),
  /** Email recipients (to, cc, bcc), lower-cased. Kept in clear: they are the point of the email rule. */
  recipients: z.array(z.string()).optional(),
  /** Payment amount in the currency's minor unit (Stripe's convention). */
  amount: z.number().int().optional(),
  currency: z.string().optional(),
  /** Number of emails sent (each item of a batch counts); email.dailyLimit counts these. */
  emails: z.number().int().positive().optional(),
  /** Stripe Connect: the connected account named by a Stripe-Account header (checked against payments.accounts). */
  account: z.string().optional(),
  /** OpenAI-Organization / OpenAI-Project headers (checked against the provider scope's lists). */
  organization: z.string().optional(),
  project: z.string().optional(),
  /** False when the payment sets up future or recurring use. */
  oneTime: z.boolean().optional(),
  card: z
    .strictObject({
      type: z.string(),
      spendingLimit: z.strictObject({ amount: z.number().int(), interval: z.string() }).optional(),
    })
    .optional(),
});
export type ProxyFacts = z.infer<typeof ProxyFacts>;

export const SecretFacts = z.strictObject({
  type: z.literal('secret'),
  action: z.literal('secret.read'),
  name: z.string(),
});
export type SecretFacts = z.infer<typeof SecretFacts>;

export const RequestFacts = z.discriminatedUnion('type', [ProxyFacts, SecretFacts]);
export type RequestFacts = z.infer<typeof RequestFacts>;
