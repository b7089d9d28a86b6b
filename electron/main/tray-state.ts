// What the tray and the approval window know about the core, kept current from core events without
// re-reading through dispatch (a read on every audit event could feed back into more events). Pure.
import type { AgentView, ApprovalView, Status } from '../../shared/models.ts';
import type { AppEvent } from '../../shared/events.ts';

export interface ShellState {
  status: Status | null;
  agents: AgentView[];
  approvals: ApprovalView[];
}

export const emptyShellState: ShellState = { status: null, agents: [], approvals: [] };

function upsertAgent(agents: AgentView[], agent: AgentView): AgentView[] {
  const i = agents.findIndex((a) => a.id === agent.id);
  if (i === -1) return [...agents, agent];
  const next = agents.slice();
  next[i] = agent;
  return next;
}

/** Returns the state after one core event; unknown or irrelevant events return the same object. */
export function applyEvent(state: ShellState, event: AppEvent): ShellState {
  switch (event.name) {
    case 'vault.state': {
      const status = event.data;
      // Nothing can be waiting for a decision once the vault is not unlocked.
      return { ...state, status, approvals: status.vault === 'unlocked' ? state.approvals : [] };
    }
    case 'agent.updated':
      return { ...state, agents: upsertAgent(state.agents, event.data) };
    case 'agent.revoked': {
      const { agent } = event.data;
      return {
        ...state,
        agents: upsertAgent(state.agents, agent),
        approvals: state.approvals.filter((a) => a.agentId !== agent.id),
      };
    }
    case 'approval.requested': {
      const approval = event.data;
      const others = state.approvals.filter((a) => a.id !== approval.id);
      return { ...state, approvals: [...others, approval] };
    }
    case 'approval.decided': {
      const { id } = event.data;
      return { ...state, approvals: state.approvals.filter((a) => a.id !== id) };
    }
    case 'audit.appended': {
      // An agent's own request marks it as seen ("active 2 min ago").
      const entry = event.data;
      if (entry.actor !== 'agent' || entry.agentId === null) return state;
      const i = state.agents.findIndex((a) => a.id === entry.agentId);
      const agent = state.agents[i];
      if (!agent || (agent.lastSeenAt !== null && agent.lastSeenAt >= entry.time)) return state;
      const agents = state.agents.slice();
      agents[i] = { ...agent, lastSeenAt: entry.time };
      return { ...state, agents };
    }
    default:
      return state;
  }
}
