// The one typed map of admin operations. The HTTP router, the Electron IPC bridge and the renderer's
// transports all dispatch through this table, and every input is validated against it at the edge.
// Path parameters (":id") are fields of the input object; GET inputs travel as the query string.
import { z } from 'zod';
import { Scopes, ProviderId } from './scopes.ts';
import { ProviderKind } from './facts.ts';
import { baseUrlProblem } from './provider-url.ts';
import {
  AgentView,
  ApprovalView,
  AuditEntry,
  Decision,
  GrantView,
  ProviderView,
  SecretView,
  Severity,
  Status,
  AgentStatus,
  UsageMeter,
} from './models.ts';
import { OwnerPromptView, OwnerSessionMinutes, OwnerSessionView } from './owner.ts';
import { ERROR_STATUS, type ErrorCode } from './errors.ts';
import { AgentKeyView, Ed25519PrivateJwk, Ed25519PublicJwk, SessionView } from './identity.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The console's second session secret travels in this header (see core/server/sessions.ts). */
export const CONSOLE_SESSION_HEADER = 'x-akc-session';

export interface OpDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  path: string;
  summary: string;
  input: I;
  output: O;
}

function op<I extends z.ZodType, O extends z.ZodType>(def: OpDef<I, O>): OpDef<I, O> {
  return def;
}

const AGENT_ID = /^agt_[A-Za-z0-9]{1,64}$/;
const AgentIdParam = z.string().regex(AGENT_ID, 'must be an agent id like agt_…');
/** True for a well-formed agent id ("agt_…"): the one pattern, for routes, filters and the API. */
export const isAgentId = (value: string): boolean => AGENT_ID.test(value);
const SecretName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'must be 1–128 letters, digits, ".", "-" or "_"');
const Iso = z.iso.datetime({ offset: true });
const Empty = z.strictObject({});
const Deleted = z.object({ deleted: z.literal(true) });
const Cut = z.object({ agent: AgentView, cut: z.number() });
const RevokeBody = {
  reason: z.string().trim().min(1).max(500),
  severity: Severity,
};

export const SecretNameSchema = SecretName;

/** A provider base URL: https (http only on loopback), no credentials, query or fragment (shared/provider-url.ts). */
export const ProviderBaseUrl = z
  .string()
  .max(2048)
  .superRefine((value, ctx) => {
    const problem = baseUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `baseUrl ${problem}` });
  });

export const AuditQuery = z.strictObject({
  agentId: AgentIdParam.optional(),
  decision: Decision.optional(),
  /** Exact action or a prefix ending in ".*", e.g. "proxy.*". */
  action: z
    .string()
    .max(100)
    .regex(/^[a-z0-9_.*-]+$/)
    .optional(),
  since: Iso.optional(),
  until: Iso.optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  /** Opaque cursor from a previous page: entries older than it. */
  cursor: z
    .string()
    .regex(/^[0-9]{1,19}$/)
    .optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const adminOps = {
  status: op({
    method: 'GET',
    path: '/admin/v1/status',
    summary: 'Vault state, key source, version, counts',
    input: Empty,
    output: Status,
  }),
  vaultInit: op({
    method: 'POST',
    path: '/admin/v1/vault/init',
    summary: 'First run: create the vault key in the OS keychain or derive it from a passphrase',
    input: z.discriminatedUnion('keySource', [
      z.strictObject({ keySource: z.literal('os-keychain') }),
      z.strictObject({ keySource: z.literal('passphrase'), passphrase: z.string().min(12).max(1024) }),
    ]),
    /** The recovery code is in this response only: shown once, never stored. */
    output: Status.extend({ recoveryCode: z.string().optional() }),
  }),
  vaultRecover: op({
    method: 'POST',
    path: '/admin/v1/vault/recover',
    summary: 'Unlock with the recovery code (OS keychain entry gone or passphrase forgotten)',
    input: z.strictObject({ code: z.string().min(1).max(200) }),
    output: Status,
  }),
  vaultKeySource: op({
    method: 'POST',
    path: '/admin/v1/vault/key-source',
    summary: 'Keep the unlocked vault key in a new source: the OS keychain or a new passphrase',
    input: z.discriminatedUnion('keySource', [
      z.strictObject({ keySource: z.literal('os-keychain') }),
      z.strictObject({ keySource: z.literal('passphrase'), passphrase: z.string().min(12).max(1024) }),
    ]),
    output: Status,
  }),
  vaultUnlock: op({
    method: 'POST',
    path: '/admin/v1/vault/unlock',
    summary: 'Unlock a passphrase vault, or retry the OS keychain',
    input: z.strictObject({ passphrase: z.string().min(1).max(1024).optional() }),
    output: Status,
  }),
  vaultLock: op({
    method: 'POST',
    path: '/admin/v1/vault/lock',
    summary: 'Drop the vault key from memory',
    input: Empty,
    output: Status,
  }),

  providersList: op({
    method: 'GET',
    path: '/admin/v1/providers',
    summary: 'Providers with a key hint (last 4 characters) only',
    input: Empty,
    output: z.object({ providers: z.array(ProviderView) }),
  }),
  providerPut: op({
    method: 'PUT',
    path: '/admin/v1/providers/:id',
    summary: 'Add or replace a provider and its master key (write-only)',
    input: z.strictObject({
      id: ProviderId,
      kind: ProviderKind,
      baseUrl: ProviderBaseUrl.optional(),
      /** Required for a new provider; left out, a replaced provider keeps its stored key. */
      key: z.string().min(1).max(8192).optional(),
      authHeader: z
        .string()
        .regex(/^[A-Za-z0-9-]{1,64}$/)
        .optional(),
      authPrefix: z.string().max(64).optional(),
    }),
    output: ProviderView,
  }),
  providerTest: op({
    method: 'POST',
    path: '/admin/v1/providers/:id/test',
    summary:
      'Test connection: one harmless authenticated GET (models list or the cheapest read) to the configured upstream',
    input: z.strictObject({ id: ProviderId }),
    output: z.object({
      ok: z.boolean(),
      /** What was called, e.g. "GET https://api.openai.com/v1/models". */
      checked: z.string(),
      status: z.number().nullable(),
      latencyMs: z.number(),
      message: z.string(),
    }),
  }),
  providerDelete: op({
    method: 'DELETE',
    path: '/admin/v1/providers/:id',
    summary: 'Remove a provider and its key',
    input: z.strictObject({ id: ProviderId }),
    output: Deleted,
  }),

  secretsList: op({
    method: 'GET',
    path: '/admin/v1/secrets',
    summary: 'Secret names and hints only',
    input: Empty,
    output: z.object({ secrets: z.array(SecretView) }),
  }),
  secretPut: op({
    method: 'PUT',
    path: '/admin/v1/secrets/:name',
    summary: 'Store or replace a named secret (write-only)',
    input: z.strictObject({ name: SecretName, value: z.string().min(1).max(65536) }),
    output: SecretView,
  }),
  secretDelete: op({
    method: 'DELETE',
    path: '/admin/v1/secrets/:name',
    summary: 'Remove a secret',
    input: z.strictObject({ name: SecretName }),
    output: Deleted,
  }),

  agentsList: op({
    method: 'GET',
    path: '/admin/v1/agents',
    summary: 'All agents',
    input: Empty,
    output: z.object({ agents: z.array(AgentView) }),
  }),
  agentCreate: op({
    method: 'POST',
    path: '/admin/v1/agents',
    summary: 'Create an agent; the response is the only time its credential is shown',
    input: z.strictObject({
      name: z.string().trim().min(1).max(100),
      scopes: Scopes,
      expiresAt: Iso.optional(),
    }),
    output: z.object({ agent: AgentView, token: z.string() }),
  }),
  agentGet: op({
    method: 'GET',
    path: '/admin/v1/agents/:id',
    summary: 'One agent',
    input: z.strictObject({ id: AgentIdParam }),
    output: AgentView,
  }),
  agentUpdate: op({
    method: 'PATCH',
    path: '/admin/v1/agents/:id',
    summary: 'Change name, scopes or expiry',
    input: z.strictObject({
      id: AgentIdParam,
      name: z.string().trim().min(1).max(100).optional(),
      scopes: Scopes.optional(),
      expiresAt: Iso.nullable().optional(),
    }),
    output: AgentView,
  }),
  agentRevoke: op({
    method: 'POST',
    path: '/admin/v1/agents/:id/revoke',
    summary: 'Revoke for good: credential dead, in-flight requests cut, approvals denied, grants removed',
    input: z.strictObject({ id: AgentIdParam, ...RevokeBody }),
    output: Cut,
  }),
  agentSuspend: op({
    method: 'POST',
    path: '/admin/v1/agents/:id/suspend',
    summary: 'Pause an agent (reversible); in-flight requests are cut',
    input: z.strictObject({ id: AgentIdParam, reason: z.string().trim().max(500).optional() }),
    output: Cut,
  }),
  agentResume: op({
    method: 'POST',
    path: '/admin/v1/agents/:id/resume',
    summary: 'Resume a suspended agent',
    input: z.strictObject({ id: AgentIdParam }),
    output: Cut,
  }),
  agentRotate: op({
    method: 'POST',
    path: '/admin/v1/agents/:id/rotate',
    summary: 'New credential; the old one dies at once',
    input: z.strictObject({ id: AgentIdParam }),
    output: z.object({ agent: AgentView, token: z.string(), cut: z.number() }),
  }),
  agentsRevokeAll: op({
    method: 'POST',
    path: '/admin/v1/agents/revoke-all',
    summary: 'Panic button: revoke every agent',
    input: z.strictObject(RevokeBody),
    output: z.object({ revoked: z.number(), cut: z.number() }),
  }),

  agentEnroll: op({
    method: 'POST',
    path: '/admin/v1/agents/:id/keys',
    summary:
      'Enroll an Ed25519 key for the agent (its previous key is voided): a public key, or one generated here and kept in the OS keychain or shown once for a key file',
    input: z.union([
      z.strictObject({ id: AgentIdParam, publicKey: Ed25519PublicJwk }),
      z.strictObject({ id: AgentIdParam, store: z.enum(['os-keychain', 'show-once']) }),
    ]),
    output: z.object({
      key: AgentKeyView,
      /** Only for store "show-once": the private key, shown this one time. */
      privateKey: Ed25519PrivateJwk.optional(),
    }),
  }),
  agentKeys: op({
    method: 'GET',
    path: '/admin/v1/agents/:id/keys',
    summary: 'The agent’s live enrolled key, if any',
    input: z.strictObject({ id: AgentIdParam }),
    output: z.object({ keys: z.array(AgentKeyView) }),
  }),
  sessionsList: op({
    method: 'GET',
    path: '/admin/v1/sessions',
    summary: 'Live akc run sessions: agent, pid, command, started, expires',
    input: Empty,
    output: z.object({ sessions: z.array(SessionView) }),
  }),
  sessionEnd: op({
    method: 'POST',
    path: '/admin/v1/sessions/:id/end',
    summary: 'End one session now: its credential is refused and its requests in progress are cut',
    input: z.strictObject({ id: z.string().regex(/^ses_[A-Za-z0-9]{1,64}$/) }),
    output: z.object({ session: SessionView }),
  }),

  approvalsList: op({
    method: 'GET',
    path: '/admin/v1/approvals',
    summary: 'Requests waiting for the owner',
    input: Empty,
    output: z.object({ approvals: z.array(ApprovalView) }),
  }),
  approvalDecide: op({
    method: 'POST',
    path: '/admin/v1/approvals/:id/decision',
    summary: 'Approve or deny a held request, optionally remembering the approval for minutes or uses',
    input: z.strictObject({
      id: z.string().regex(/^apr_[A-Za-z0-9]{1,64}$/),
      decision: z.enum(['approve', 'deny']),
      remember: z
        .strictObject({
          minutes: z
            .number()
            .int()
            .min(1)
            .max(24 * 60)
            .optional(),
          uses: z.number().int().min(1).max(1000).optional(),
        })
        .optional(),
    }),
    output: z.object({
      id: z.string(),
      decision: z.enum(['approve', 'deny']),
      grant: GrantView.nullable(),
      /** How many held requests the decision released: always the one the owner saw. */
      merged: z.number(),
      /** The request ids the decision released. */
      released: z.array(z.string()),
    }),
  }),
  grantsList: op({
    method: 'GET',
    path: '/admin/v1/grants',
    summary: 'Remembered approvals',
    input: Empty,
    output: z.object({ grants: z.array(GrantView) }),
  }),
  grantDelete: op({
    method: 'DELETE',
    path: '/admin/v1/grants/:id',
    summary: 'Remove a remembered approval',
    input: z.strictObject({ id: z.string().regex(/^grt_[A-Za-z0-9]{1,64}$/) }),
    output: Deleted,
  }),

  auditList: op({
    method: 'GET',
    path: '/admin/v1/audit',
    summary: 'Audit entries, newest first, with filters and cursor paging',
    input: AuditQuery,
    output: z.object({ entries: z.array(AuditEntry), nextCursor: z.string().nullable() }),
  }),
  auditVerify: op({
    method: 'GET',
    path: '/admin/v1/audit/verify',
    summary:
      'Check the keyed hash chain and compare it with the anchors kept outside the database; incremental from the last verified checkpoint unless mode=full',
    input: z.strictObject({ mode: z.enum(['incremental', 'full']).optional() }),
    output: z.object({
      ok: z.boolean(),
      checked: z.number(),
      firstBrokenSeq: z.number().optional(),
      problem: z.string().optional(),
      /** A stable code for programs: edited, deleted, reordered, truncated, rollback, anchor_missing, … */
      reason: z.string().optional(),
      /** The first entry this run read (1 for a full verify). */
      from: z.number().optional(),
    }),
  }),

  ownerSessionsList: op({
    method: 'GET',
    path: '/admin/v1/owner/sessions',
    summary: 'Live owner sessions of the akc command line',
    input: Empty,
    output: z.object({ sessions: z.array(OwnerSessionView) }),
  }),
  ownerSessionEnd: op({
    method: 'DELETE',
    path: '/admin/v1/owner/sessions/:id',
    summary: 'End an owner session now',
    input: z.strictObject({ id: z.string().regex(/^osn_[A-Za-z0-9_-]{1,64}$/) }),
    output: Deleted,
  }),
  ownerPromptsList: op({
    method: 'GET',
    path: '/admin/v1/owner/prompts',
    summary: 'Owner prompts waiting (session requests, acts to confirm, console links)',
    input: Empty,
    output: z.object({ prompts: z.array(OwnerPromptView) }),
  }),
  ownerPromptDecide: op({
    method: 'POST',
    path: '/admin/v1/owner/prompts/:id/decision',
    summary: 'Allow or deny an owner prompt (from the app or a signed-in console only)',
    input: z.strictObject({
      id: z.string().regex(/^opr_[A-Za-z0-9_-]{1,64}$/),
      decision: z.enum(['allow', 'deny']),
      minutes: OwnerSessionMinutes.optional(),
    }),
    output: z.object({ id: z.string(), decision: z.enum(['allow', 'deny']) }),
  }),
} as const;

// ---- Agent API (the agent's own credential). The same table drives the server's types, the client's
// validation and the OpenAPI document. Outputs are strict: a field the contract does not name is an
// error in the client, so the server cannot send more than is described here.
// (The session and token routes of `akc run` / `akc token` belong in this table too.)

/** GET /v1/whoami: the calling agent. */
export const WhoAmI = z.strictObject({
  id: z.string(),
  name: z.string(),
  status: AgentStatus,
  scopes: Scopes,
  /** Sentences that say what the scopes allow. */
  scopeSummary: z.array(z.string()),
  expiresAt: z.string().nullable(),
  credentialId: z.string(),
  /** Counters of the agent's limits (rate, budget, daily counts) in their current windows. */
  usage: z.array(z.strictObject(UsageMeter.shape)),
});
export type WhoAmI = z.infer<typeof WhoAmI>;

/** GET /v1/secrets/{name}: a secret a vault scope allows. */
export const SecretRelease = z.strictObject({
  name: SecretName,
  value: z.string(),
  /** When the vault scope's ttlSeconds ends (null: no ttl). */
  expiresAt: z.string().nullable(),
});
export type SecretRelease = z.infer<typeof SecretRelease>;

export const ApprovalState = z.enum(['pending', 'approved', 'denied', 'timeout', 'cancelled']);
export type ApprovalState = z.infer<typeof ApprovalState>;

/** GET /v1/approvals/{id}: a held request sent with `Prefer: respond-async`. */
export const ApprovalStatusView = z.strictObject({
  id: z.string(),
  status: ApprovalState,
  /** The server's deadline while pending, then null. */
  expiresAt: z.string().nullable(),
});
export type ApprovalStatusView = z.infer<typeof ApprovalStatusView>;

/** The 202 answer of a proxy call sent with `Prefer: respond-async` that needs the owner's approval. */
export const ApprovalHeld = z.strictObject({
  approval: z.strictObject({ id: z.string(), status: z.literal('pending'), statusUrl: z.string() }),
  message: z.string(),
});

const ApprovalIdParam = z.string().regex(/^apr_[A-Za-z0-9_-]{1,64}$/, 'must be an approval id like apr_…');

export const agentOps = {
  whoami: op({
    method: 'GET',
    path: '/v1/whoami',
    summary: 'The calling agent: id, name, status, scopes, expiry, usage',
    input: Empty,
    output: WhoAmI,
  }),
  secretGet: op({
    method: 'GET',
    path: '/v1/secrets/:name',
    summary: 'Release a secret that a vault scope allows',
    input: z.strictObject({ name: SecretName }),
    output: SecretRelease,
  }),
  approvalStatus: op({
    method: 'GET',
    path: '/v1/approvals/:id',
    summary: 'Status of a respond-async approval',
    input: z.strictObject({ id: ApprovalIdParam }),
    output: ApprovalStatusView,
  }),
} as const;

export type AgentOps = typeof agentOps;
export type AgentOpName = keyof AgentOps;
export type AgentOpInput<N extends AgentOpName> = z.input<AgentOps[N]['input']>;
export type AgentOpOutput<N extends AgentOpName> = z.output<AgentOps[N]['output']>;

// As outputsByName, for the agent table.
const agentOutputsByName: { [K in AgentOpName]: { output: z.ZodType<AgentOpOutput<K>> } } = agentOps;

/** The schema an agent operation's answer must match (the client parses every answer with it). */
export function agentOutputSchema<N extends AgentOpName>(name: N): z.ZodType<AgentOpOutput<N>> {
  return agentOutputsByName[name].output;
}

/** Our error envelope (admin and agent routes; proxy routes answer in the provider's shape). */
export const ErrorEnvelope = z.strictObject({
  error: z.strictObject({
    code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    requestId: z.string(),
    path: z.string().optional(),
    rule: z
      .strictObject({
        scope: z.string(),
        limit: z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]).optional(),
        value: z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]).optional(),
      })
      .optional(),
  }),
});

export type AdminOps = typeof adminOps;
export type AdminOpName = keyof AdminOps;
export type OpInput<N extends AdminOpName> = z.input<AdminOps[N]['input']>;
export type OpParsedInput<N extends AdminOpName> = z.output<AdminOps[N]['input']>;
export type OpOutput<N extends AdminOpName> = z.output<AdminOps[N]['output']>;

// The same table seen per operation name, so that a generic `N` indexes to its own output type.
const outputsByName: { [K in AdminOpName]: { output: z.ZodType<OpOutput<K>> } } = adminOps;

/** The schema an operation's answer must match; every edge that receives an answer parses it with this. */
export function outputSchema<N extends AdminOpName>(name: N): z.ZodType<OpOutput<N>> {
  return outputsByName[name].output;
}

/** Names of path parameters in a route template, in order. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] ?? '');
}

/** Fills a route template from an input object; parameters are URI-encoded. */
export function fillPath(path: string, input: Record<string, unknown>): string {
  return path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = input[name];
    return encodeURIComponent(typeof value === 'string' || typeof value === 'number' ? String(value) : '');
  });
}

/** A query string ("?a=1&b=2", or "") from the scalar fields of an object. */
export function queryString(fields: Record<string, unknown>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * How an admin operation travels over HTTP: path parameters in the path, the other fields as the query
 * string (GET) or the JSON body (POST, PUT, PATCH); DELETE carries no body.
 */
export function httpRequestFor(
  name: AdminOpName,
  input: unknown,
): { method: HttpMethod; target: string; body: Record<string, unknown> | undefined } {
  return requestFor(adminOps[name], input);
}

/** The same mapping for any operation of either table. */
export function requestFor(
  def: OpDef,
  input: unknown,
): { method: HttpMethod; target: string; body: Record<string, unknown> | undefined } {
  const all: Record<string, unknown> =
    typeof input === 'object' && input !== null && !Array.isArray(input)
      ? (input as Record<string, unknown>)
      : {};
  const inPath = new Set(pathParams(def.path));
  const fields = Object.fromEntries(Object.entries(all).filter(([k]) => !inPath.has(k)));
  const path = fillPath(def.path, all);
  if (def.method === 'GET')
    return { method: def.method, target: `${path}${queryString(fields)}`, body: undefined };
  return { method: def.method, target: path, body: def.method === 'DELETE' ? undefined : fields };
}

// The agent API's identity routes (agent side, no owner session): see shared/identity.ts.
export {
  TokenRequest,
  TokenResponse,
  SessionRequest,
  SessionLine,
  SessionView,
  AgentKeyView,
} from './identity.ts';
