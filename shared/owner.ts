// Owner presence and owner sessions (see README "Owner sessions and presence"): what the console and the
// CLI see of a pending owner prompt and of a live CLI session, and which admin operations need fresh
// presence even inside a session. Browser-safe.
import { z } from 'zod';
import type { AdminOpName } from './contract.ts';
import { ProcessInfo } from './models.ts';

/** How long the owner may allow a CLI session for, in minutes (the prompt offers these). */
export const OWNER_SESSION_MINUTES = [15, 60] as const;
export const DEFAULT_OWNER_SESSION_MINUTES = 15;
/** A session length the owner may choose (login, and Allow on a session prompt). */
export const OwnerSessionMinutes = z
  .number()
  .int()
  .refine((m) => (OWNER_SESSION_MINUTES as readonly number[]).includes(m), {
    message: `must be one of ${OWNER_SESSION_MINUTES.join(', ')}`,
  });

/** GET /admin/v1/owner/presence: whether anything open can show the owner a prompt, and the vault's key source. */
export const OwnerPresence = z.object({ canPrompt: z.boolean(), passphraseVault: z.boolean() });

/** POST /admin/v1/owner/console-link, when the owner allows it: a one-time console login link. */
export const ConsoleLink = z.object({ url: z.string() });

export const OwnerPromptKind = z.enum(['session', 'act', 'console-link']);
export type OwnerPromptKind = z.infer<typeof OwnerPromptKind>;

export const OwnerPromptView = z.object({
  id: z.string(),
  kind: OwnerPromptKind,
  /** What is asked, as one sentence: "Start an owner session for the akc command line". */
  summary: z.string(),
  /** For act prompts: the admin operation, e.g. "agentCreate". */
  op: z.string().nullable(),
  /** For act prompts: the owner session the act comes from. */
  sessionId: z.string().nullable(),
  /** The calling process as the daemon saw it (never what the caller claims). */
  process: ProcessInfo,
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type OwnerPromptView = z.infer<typeof OwnerPromptView>;

export const OwnerSessionView = z.object({
  id: z.string(),
  /** The process that asked for the session, and the shell it is bound to. */
  process: ProcessInfo,
  anchor: z.object({ pid: z.number(), command: z.string() }),
  how: z.enum(['prompt', 'passphrase']),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  acts: z.number(),
});
export type OwnerSessionView = z.infer<typeof OwnerSessionView>;

/**
 * What an admin operation does to the owner's exposure: reads and narrowing acts need only a session;
 * sensitive acts (approving, creating or widening an agent, adding keys, exporting the audit) need fresh
 * presence from a CLI session; presence-only acts (deciding owner prompts) are never done from a CLI session.
 */
export type ActClass = 'read' | 'narrow' | 'sensitive' | 'presence-only';

export function classifyAct(name: AdminOpName | 'auditExport', input: Record<string, unknown>): ActClass {
  switch (name) {
    case 'status':
    case 'providersList':
    case 'secretsList':
    case 'agentsList':
    case 'agentGet':
    case 'approvalsList':
    case 'grantsList':
    case 'auditList':
    case 'auditVerify':
    case 'ownerSessionsList':
    case 'ownerPromptsList':
    case 'agentKeys':
    case 'sessionsList':
    case 'providerTest':
      return 'read';
    case 'vaultLock':
    case 'providerDelete':
    case 'secretDelete':
    case 'agentRevoke':
    case 'agentSuspend':
    case 'agentsRevokeAll':
    case 'grantDelete':
    case 'ownerSessionEnd':
    case 'sessionEnd':
      return 'narrow';
    case 'approvalDecide':
      return input['decision'] === 'deny' ? 'narrow' : 'sensitive';
    case 'agentUpdate':
      // A rename alone changes nothing an agent can do; scopes or expiry may widen it.
      return input['scopes'] === undefined && input['expiresAt'] === undefined ? 'narrow' : 'sensitive';
    case 'vaultUnlock':
      // The passphrase itself is presence; retrying the OS keychain re-opens the gate for agents.
      return typeof input['passphrase'] === 'string' ? 'narrow' : 'sensitive';
    case 'vaultRecover':
      // The recovery code itself is presence, as the passphrase is.
      return 'narrow';
    case 'ownerPromptDecide':
      return 'presence-only';
    case 'vaultInit':
    case 'providerPut':
    case 'secretPut':
    case 'agentCreate':
    case 'agentResume':
    case 'agentRotate':
    case 'agentEnroll':
    case 'vaultKeySource':
    case 'auditExport':
      return 'sensitive';
  }
}
