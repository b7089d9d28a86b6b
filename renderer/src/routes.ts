// Hash routes: #/agents, #/agents/new, #/agents/:id, #/approvals, #/activity?filters, #/providers[?add=…], #/settings,
// and #/prompt (the compact approval window of the desktop app). Pure and DOM-free.
import { isAgentId } from '../../shared/contract.ts';

export type Route =
  | { name: 'agents'; agentId: string | null }
  | { name: 'agent-new' }
  | { name: 'agent-edit'; agentId: string }
  | { name: 'approvals' }
  | { name: 'activity'; params: string }
  | { name: 'providers'; add: 'provider' | 'secret' | null }
  | { name: 'settings' }
  | { name: 'prompt' };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = (q >= 0 ? raw.slice(0, q) : raw).replace(/\/+$/, '');
  const params = q >= 0 ? raw.slice(q + 1) : '';
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case 'agents':
      if (parts[1] === 'new') return { name: 'agent-new' };
      if (parts[2] === 'edit' && parts[1] && /^agt_[A-Za-z0-9]{1,64}$/.test(parts[1]))
        return { name: 'agent-edit', agentId: parts[1] };
      return {
        name: 'agents',
        agentId: parts[1] && isAgentId(parts[1]) ? parts[1] : null,
      };
    case 'approvals':
      return { name: 'approvals' };
    case 'activity':
      return { name: 'activity', params };
    case 'providers': {
      // ?add=provider / ?add=secret opens the form at once (the command palette's "Add provider").
      const add = new URLSearchParams(params).get('add');
      return { name: 'providers', add: add === 'provider' || add === 'secret' ? add : null };
    }
    case 'settings':
      return { name: 'settings' };
    case 'prompt':
      return { name: 'prompt' };
    default:
      return { name: 'agents', agentId: null };
  }
}

export function formatRoute(r: Route): string {
  switch (r.name) {
    case 'agents':
      return r.agentId ? `#/agents/${r.agentId}` : '#/agents';
    case 'agent-new':
      return '#/agents/new';
    case 'agent-edit':
      return `#/agents/${r.agentId}/edit`;
    case 'activity':
      return r.params ? `#/activity?${r.params}` : '#/activity';
    case 'providers':
      return r.add ? `#/providers?add=${r.add}` : '#/providers';
    default:
      return `#/${r.name}`;
  }
}

/** Tab title: "(2) Agent Keychain" while approvals wait. */
export function tabTitle(pendingApprovals: number): string {
  return pendingApprovals > 0 ? `(${pendingApprovals}) Agent Keychain` : 'Agent Keychain';
}
