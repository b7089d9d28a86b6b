// Events the core publishes in process (Electron bridge) and over SSE (GET /admin/v1/events).
import type { AgentView, ApprovalView, AuditEntry, GrantView, Status } from './models.ts';

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
}
export type EventName = keyof EventMap;
export const EVENT_NAMES: readonly EventName[] = [
  'audit.appended',
  'approval.requested',
  'approval.decided',
  'agent.updated',
  'agent.revoked',
  'vault.state',
];
/** One event; without a type argument, the union of all events (narrow it with `name`). */
export type AppEvent<N extends EventName = EventName> = N extends EventName
  ? { name: N; data: EventMap[N] }
  : never;
