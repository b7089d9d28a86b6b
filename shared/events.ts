// Events the core publishes in process (Electron bridge) and over SSE (GET /admin/v1/events).
import type { AgentView, ApprovalView, AuditEntry, GrantView, Status } from './models.ts';
import type { OwnerPromptView, OwnerSessionView } from './owner.ts';

export interface EventMap {
  'audit.appended': AuditEntry;
  'approval.requested': ApprovalView;
  'approval.decided': {
    id: string;
    decision: 'approve' | 'deny' | 'timeout' | 'cancelled';
    grant: GrantView | null;
  };
  'agent.updated': AgentView;
  'agent.revoked': { agent: AgentView; cut: number };
  'vault.state': Status;
  /** An owner prompt to show (CLI session request, an act to confirm, a console link). */
  'owner.prompt': OwnerPromptView;
  'owner.prompt.closed': { id: string; outcome: 'allowed' | 'denied' | 'timeout' | 'cancelled' };
  /** The live owner sessions changed (created, ended, expired). */
  'owner.sessions': { sessions: OwnerSessionView[] };
}
export type EventName = keyof EventMap;
export const EVENT_NAMES: readonly EventName[] = [
  'audit.appended',
  'approval.requested',
  'approval.decided',
  'agent.updated',
  'agent.revoked',
  'vault.state',
  'owner.prompt',
  'owner.prompt.closed',
  'owner.sessions',
];
/** One event; without a type argument, the union of all events (narrow it with `name`). */
export type AppEvent<N extends EventName = EventName> = N extends EventName
  ? { name: N; data: EventMap[N] }
  : never;
