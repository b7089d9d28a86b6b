// The scope language (README "Scopes"). Deny by default: whatever a scope does not name is refused.
// Strict objects everywhere, so a typo in a field name is an error at the exact path, never a silent allow.
import { z } from 'zod';

export const ApprovalRule = z.union([
  z.enum(['never', 'always', 'first-use']),
  z.strictObject({ above: z.number().int().nonnegative() }),
]);
export type ApprovalRule = z.infer<typeof ApprovalRule>;

export const WindowUnit = z.enum(['second', 'minute', 'hour', 'day']);
export type WindowUnit = z.infer<typeof WindowUnit>;

export const RateLimit = z.strictObject({
  requests: z.number().int().positive(),
  per: WindowUnit,
});

export const Budget = z.strictObject({
  usd: z.number().positive().max(1_000_000),
  per: z.enum(['hour', 'day', 'week', 'month']),
});

const HttpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
const PathPattern = z
  .string()
  .min(1)
  .max(512)
  .regex(
    /^\/[A-Za-z0-9._~\-/:@*]*$/,
    'must start with "/" and contain only path characters; "*" at the end matches a prefix',
  );
const Domain = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a lower-case domain like example.com');
const Email = z
  .string()
  .min(3)
  .max(320)
  .regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address');

export const ProviderScope = z.strictObject({
  models: z.array(z.string().min(1).max(200)).max(100).optional(),
  methods: z.array(HttpMethod).max(6).optional(),
  paths: z.array(PathPattern).max(100).optional(),
  rateLimit: RateLimit.optional(),
  budget: Budget.optional(),
  approval: ApprovalRule.optional(),
  /**
   * OpenAI-Organization / OpenAI-Project header values this agent may send (who is billed). A request naming
   * one that is not listed is refused; without the header the key's default organization and project are used.
   */
  organizations: z
    .array(z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be an organization id'))
    .max(50)
    .optional(),
  projects: z
    .array(z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a project id'))
    .max(50)
    .optional(),
});
export type ProviderScope = z.infer<typeof ProviderScope>;

export const EmailScope = z.strictObject({
  provider: z.string().min(1).max(64).optional(),
  allowedDomains: z.array(Domain).max(100).optional(),
  allowedAddresses: z.array(Email).max(100).optional(),
  dailyLimit: z.number().int().positive().max(1_000_000).optional(),
  approval: ApprovalRule.optional(),
});
export type EmailScope = z.infer<typeof EmailScope>;

export const PaymentsScope = z.strictObject({
  provider: z.string().min(1).max(64).optional(),
  maxAmount: z.number().int().positive(),
  currency: z
    .string()
    .regex(/^[a-z]{3}$/, 'must be a lower-case ISO currency code like usd')
    .optional(),
  oneTime: z.boolean().optional(),
  dailyLimit: z.number().int().positive().max(1_000_000).optional(),
  approval: ApprovalRule.optional(),
  /** Stripe connected accounts (Stripe-Account header) this agent may act for; any other is refused. */
  accounts: z
    .array(z.string().regex(/^acct_[A-Za-z0-9]{1,64}$/, 'must be a Stripe account id like acct_123'))
    .max(100)
    .optional(),
});
export type PaymentsScope = z.infer<typeof PaymentsScope>;

export const VaultScope = z.strictObject({
  readOnly: z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be a secret name')).max(100),
  ttlSeconds: z
    .number()
    .int()
    .positive()
    .max(365 * 24 * 3600)
    .optional(),
  approval: ApprovalRule.optional(),
});
export type VaultScope = z.infer<typeof VaultScope>;

export const ProviderId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1–64 lower-case letters, digits, "-" or "_"');

export const Scopes = z.strictObject({
  providers: z.record(ProviderId, ProviderScope).optional(),
  email: EmailScope.optional(),
  payments: PaymentsScope.optional(),
  vault: VaultScope.optional(),
});
export type Scopes = z.infer<typeof Scopes>;
