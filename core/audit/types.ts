// What callers hand the audit log. Never a request body, master key, secret value or token.
import type { AuditCaller, Decision } from '../../shared/models.ts';

export type Actor = 'agent' | 'owner' | 'system';

export interface AuditInput {
  agentId?: string | null;
  agentName?: string | null;
  actor: Actor;
  action: string;
  provider?: string | null;
  method?: string | null;
  path?: string | null;
  facts?: Record<string, unknown> | null;
  decision: Decision;
  /** Error or reason code: "scope_denied", "revoked", "approved", … */
  reason?: string | null;
  /** The rule that decided, in words or as "scope:limit=value". */
  rule?: string | null;
  status?: number | null;
  latencyMs?: number | null;
  costUsd?: number | null;
  requestId?: string | null;
  /** The local process that made the request, when the daemon has resolved it. */
  caller?: AuditCaller | null;
}
