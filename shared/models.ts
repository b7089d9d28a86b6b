// What the admin API returns. Views only: no master key, secret value or token is ever part of one.
import { z } from 'zod';
import { Scopes } from './scopes.ts';
import { ProviderKind, RequestFacts } from './facts.ts';

export const VaultState = z.enum(['uninitialized', 'locked', 'unlocked']);
export type VaultState = z.infer<typeof VaultState>;
export const KeySource = z.enum(['os-keychain', 'passphrase']);
export type KeySource = z.infer<typeof KeySource>;

export const Status = z.object({
  vault: VaultState,
  keySource: KeySource.nullable(),
  /** Why the vault is still locked when it should have unlocked by itself (e.g. keychain unavailable). */
  vaultError: z.string().nullable(),
  version: z.string(),
  url: z.string(),
  counts: z.object({
    agents: z.number(),
    activeAgents: z.number(),
    providers: z.number(),
    secrets: z.number(),
    pendingApprovals: z.number(),
    auditEntries: z.number(),
  }),
  /** The audit log's integrity as last checked (at unlock and by verify); a problem is shown as a banner. */
  auditIntegrity: z
    .object({ ok: z.boolean(), reason: z.string().nullable(), problem: z.string().nullable() })
    .optional(),
});
export type Status = z.infer<typeof Status>;

export const ProviderView = z.object({
  id: z.string(),
  kind: ProviderKind,
  baseUrl: z.string(),
  keyHint: z.string(),
  authHeader: z.string().nullable(),
  authPrefix: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  usedBy: z.array(z.string()),
});
export type ProviderView = z.infer<typeof ProviderView>;

export const SecretView = z.object({
  name: z.string(),
  hint: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  usedBy: z.array(z.string()),
});
export type SecretView = z.infer<typeof SecretView>;

export const AgentStatus = z.enum(['active', 'suspended', 'revoked', 'expired']);
export type AgentStatus = z.infer<typeof AgentStatus>;
export const Severity = z.enum(['low', 'medium', 'high']);
export type Severity = z.infer<typeof Severity>;

export const UsageMeter = z.object({
  /** e.g. "email.daily", "openai.rate", "openai.budget" */
  key: z.string(),
  label: z.string(),
  used: z.number(),
  limit: z.number(),
  unit: z.enum(['requests', 'emails', 'payments', 'usd']),
  resetsAt: z.string().nullable(),
});
export type UsageMeter = z.infer<typeof UsageMeter>;

export const AgentView = z.object({
  id: z.string(),
  name: z.string(),
  status: AgentStatus,
  scopes: Scopes,
  /** Sentences that say what the scopes allow, for people. */
  scopeSummary: z.array(z.string()),
  credentialId: z.string(),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastSeenAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokeReason: z.string().nullable(),
  revokeSeverity: Severity.nullable(),
  usage: z.array(UsageMeter),
});
export type AgentView = z.infer<typeof AgentView>;

export const Decision = z.enum([
  'allow',
  'deny',
  'pending',
  'approved',
  'denied',
  'timeout',
  'error',
  'event',
]);
export type Decision = z.infer<typeof Decision>;

export const AuditChainKind = z.enum(['mac', 'plain', 'v1']);
export type AuditChainKind = z.infer<typeof AuditChainKind>;
export const AuditCaller = z.object({
  pid: z.number(),
  /** The executable (/proc/PID/exe), when readable. */
  exe: z.string().nullable(),
  /** The command line, arguments joined by spaces, cut at 300 characters. */
  cmdline: z.string().nullable(),
});
export type AuditCaller = z.infer<typeof AuditCaller>;

export const AuditEntry = z.object({
  seq: z.number(),
  time: z.string(),
  agentId: z.string().nullable(),
  agentName: z.string().nullable(),
  /** Who acted: "agent", "owner" (admin API, window, tray) or "system". */
  actor: z.string(),
  action: z.string(),
  provider: z.string().nullable(),
  method: z.string().nullable(),
  path: z.string().nullable(),
  facts: z.record(z.string(), z.unknown()).nullable(),
  decision: Decision,
  reason: z.string().nullable(),
  rule: z.string().nullable(),
  status: z.number().nullable(),
  latencyMs: z.number().nullable(),
  costUsd: z.number().nullable(),
  requestId: z.string().nullable(),
  /**
   * How the entry's hash was made: 'mac' keyed with a key derived from the vault key; 'plain' SHA-256
   * (written before the vault was first unlocked in that run); 'v1' SHA-256 from before the keyed chain.
   */
  chain: AuditChainKind.optional(),
  /** The local process that made the request, where the daemon resolved it. */
  caller: AuditCaller.nullable().optional(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const ProcessInfo = z.object({
  pid: z.number().nullable(),
  command: z.string().nullable(),
  parents: z.array(z.object({ pid: z.number(), command: z.string() })),
  note: z.string().nullable(),
});
export type ProcessInfo = z.infer<typeof ProcessInfo>;

export const ApprovalView = z.object({
  id: z.string(),
  agentId: z.string(),
  agentName: z.string(),
  requestId: z.string(),
  /** The concrete action as one sentence: "Send email to bob@example.com". */
  summary: z.string(),
  /** Why it was held: "Payments always need approval". */
  reason: z.string(),
  rule: z.string(),
  actionKind: z.string(),
  facts: RequestFacts,
  /** Usage against limits, for context. */
  usage: z.array(UsageMeter),
  process: ProcessInfo,
  recent: z.array(AuditEntry),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** How many requests wait on this one decision (always 1: each held request has its own prompt). */
  count: z.number(),
  /** What "Approve for N min" would cover: the label of the grant it would create, made by the server. */
  covers: z.string().optional(),
});
export type ApprovalView = z.infer<typeof ApprovalView>;

export const GrantView = z.object({
  id: z.string(),
  agentId: z.string(),
  agentName: z.string(),
  actionKind: z.string(),
  /** What it covers, in words: "mail-bot · send email · to example.com". */
  covers: z.string(),
  usesLeft: z.number().nullable(),
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
});
export type GrantView = z.infer<typeof GrantView>;
