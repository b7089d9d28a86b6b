// Builders for core views (validated against the shared schemas) used by the unit tests of the Electron shell
// and of the renderer's reducers and queries.
import { AgentView, ApprovalView, AuditEntry, Status } from '../../shared/models.ts';

export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
export const minutesAgo = (m: number): string => new Date(NOW - m * 60_000).toISOString();

export function makeStatus(over: Partial<Status> = {}): Status {
  return Status.parse({
    vault: 'unlocked',
    keySource: 'os-keychain',
    vaultError: null,
    version: '0.1.0',
    url: 'http://127.0.0.1:7717',
    counts: { agents: 0, activeAgents: 0, providers: 0, secrets: 0, pendingApprovals: 0, auditEntries: 0 },
    ...over,
  });
}

export function makeAgent(id: string, name: string, over: Partial<AgentView> = {}): AgentView {
  return AgentView.parse({
    id,
    name,
    status: 'active',
    scopes: {},
    scopeSummary: [],
    credentialId: `cred_${id}`,
    expiresAt: null,
    createdAt: minutesAgo(600),
    updatedAt: minutesAgo(600),
    lastSeenAt: null,
    revokedAt: null,
    revokeReason: null,
    revokeSeverity: null,
    usage: [],
    ...over,
  });
}

export function makeApproval(id: string, agent: AgentView, over: Partial<ApprovalView> = {}): ApprovalView {
  return ApprovalView.parse({
    id,
    agentId: agent.id,
    agentName: agent.name,
    requestId: `req_${id}`,
    summary: 'Read secret crm_api_key',
    reason: 'Secret reads always need approval',
    rule: 'vault.approval',
    actionKind: 'secret.read',
    facts: { type: 'secret', action: 'secret.read', name: 'crm_api_key' },
    usage: [],
    process: { pid: null, command: null, parents: [], note: null },
    recent: [],
    createdAt: minutesAgo(1),
    expiresAt: minutesAgo(-1),
    count: 1,
    ...over,
  });
}

export function makeAuditEntry(over: Partial<AuditEntry> = {}): AuditEntry {
  return AuditEntry.parse({
    seq: 1,
    time: minutesAgo(0),
    agentId: null,
    agentName: null,
    actor: 'system',
    action: 'proxy.request',
    provider: null,
    method: null,
    path: null,
    facts: null,
    decision: 'allow',
    reason: null,
    rule: null,
    status: 200,
    latencyMs: 1,
    costUsd: null,
    requestId: 'req_1',
    prevHash: '0'.repeat(64),
    hash: '1'.repeat(64),
    ...over,
  });
}

/** An agent's email sent through Resend and allowed: the entry the renderer tests filter and feed. */
export function makeEmailEntry(over: Partial<AuditEntry> = {}): AuditEntry {
  return makeAuditEntry({
    actor: 'agent',
    action: 'email.send',
    provider: 'resend',
    method: 'POST',
    path: '/emails',
    ...over,
  });
}
