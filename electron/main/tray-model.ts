// The tray menu as plain data (docs/ARCHITECTURE.md, "Electron shell"), built from core state. Pure: no Electron import, so it is
// unit-tested; tray.ts turns it into a native Menu.
import type { AgentView, ApprovalView, Status } from '../../shared/models.ts';

export type TrayIconState = 'normal' | 'attention' | 'locked' | 'error';

/** What a click does; tray.ts performs it. Routes are the renderer's hash routes. */
export type TrayAction =
  | { kind: 'open'; route: string }
  | { kind: 'revoke'; agentId: string; agentName: string }
  | { kind: 'revokeAll'; count: number }
  | { kind: 'lock' }
  | { kind: 'quit' };

export interface TrayMenuItem {
  id: string;
  label: string;
  enabled: boolean;
  type: 'normal' | 'separator' | 'submenu';
  submenu?: TrayMenuItem[];
  action?: TrayAction;
}

export interface TrayModel {
  items: TrayMenuItem[];
  icon: TrayIconState;
  /** The status line, repeated as the tray tooltip. */
  tooltip: string;
}

export interface TrayInput {
  /** null while the core has not answered yet (or could not): the menu offers only Open and Quit. */
  status: Status | null;
  agents: readonly AgentView[];
  approvals: readonly ApprovalView[];
  /** Epoch ms, for "active 2 min ago". */
  now: number;
}

/** Agents listed directly in the menu; the rest go into an "Agents" submenu. */
export const INLINE_AGENT_LIMIT = 8;
/** Seen within this window → "active N min ago"; otherwise "idle N h". */
export const ACTIVE_WINDOW_MS = 15 * 60_000;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "just now", "2 min", "3 h", "4 d". */
export function shortDuration(ms: number): string {
  if (ms < MINUTE) return 'just now';
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)} h`;
  return `${Math.floor(ms / DAY)} d`;
}

/** The part after the name: "active 2 min ago", "idle 3 h", "suspended", "not used yet". */
export function agentActivity(agent: AgentView, now: number): string {
  if (agent.status === 'suspended') return 'suspended';
  if (agent.status === 'expired') return 'expired';
  if (agent.status === 'revoked') return 'revoked';
  const seen = agent.lastSeenAt === null ? Number.NaN : Date.parse(agent.lastSeenAt);
  if (Number.isNaN(seen)) return 'not used yet';
  const age = Math.max(0, now - seen);
  if (age < ACTIVE_WINDOW_MS) {
    const d = shortDuration(age);
    return d === 'just now' ? 'active just now' : `active ${d} ago`;
  }
  return `idle ${shortDuration(age)}`;
}

export function statusLine(status: Status, agents: readonly AgentView[]): string {
  const head = 'Agent Keychain — ';
  if (status.vault === 'uninitialized') return `${head}not set up`;
  if (status.vault === 'locked')
    return status.vaultError ? `${head}locked · ${status.vaultError}` : `${head}locked`;
  const active = agents.filter((a) => a.status === 'active').length;
  return `${head}unlocked · ${plural(active, 'agent', 'agents')} active`;
}

export function iconState(status: Status, approvals: readonly ApprovalView[]): TrayIconState {
  if (status.vaultError) return 'error';
  if (approvals.length > 0) return 'attention';
  if (status.vault !== 'unlocked') return 'locked';
  return 'normal';
}

const separator = (id: string): TrayMenuItem => ({ id, label: '', enabled: true, type: 'separator' });

function agentItem(agent: AgentView, now: number): TrayMenuItem {
  return {
    id: `agent:${agent.id}`,
    label: `${agent.name} · ${agentActivity(agent, now)}`,
    enabled: true,
    type: 'submenu',
    submenu: [
      {
        id: `agent:${agent.id}:open`,
        label: 'Open',
        enabled: true,
        type: 'normal',
        action: { kind: 'open', route: `/agents/${encodeURIComponent(agent.id)}` },
      },
      {
        id: `agent:${agent.id}:revoke`,
        label: `Revoke ${agent.name}…`,
        enabled: true,
        type: 'normal',
        action: { kind: 'revoke', agentId: agent.id, agentName: agent.name },
      },
    ],
  };
}

/** Most recently seen first; never-seen agents last, by name. */
function byRecency(a: AgentView, b: AgentView): number {
  const ta = a.lastSeenAt ? Date.parse(a.lastSeenAt) : Number.NEGATIVE_INFINITY;
  const tb = b.lastSeenAt ? Date.parse(b.lastSeenAt) : Number.NEGATIVE_INFINITY;
  if (ta !== tb) return tb > ta ? 1 : -1;
  return a.name.localeCompare(b.name);
}

export const UNAVAILABLE_LINE = 'Agent Keychain — not available';

export function buildTrayModel(input: TrayInput): TrayModel {
  const { status, approvals, now } = input;
  if (status === null) {
    return {
      items: [
        { id: 'status', label: UNAVAILABLE_LINE, enabled: false, type: 'normal' },
        {
          id: 'open',
          label: 'Open Agent Keychain',
          enabled: true,
          type: 'normal',
          action: { kind: 'open', route: '/agents' },
        },
        separator('sep-vault'),
        { id: 'quit', label: 'Quit Agent Keychain', enabled: true, type: 'normal', action: { kind: 'quit' } },
      ],
      icon: 'error',
      tooltip: UNAVAILABLE_LINE,
    };
  }
  const agents = input.agents.filter((a) => a.status !== 'revoked').sort(byRecency);
  const line = statusLine(status, input.agents);
  const items: TrayMenuItem[] = [{ id: 'status', label: line, enabled: false, type: 'normal' }];

  if (approvals.length > 0) {
    items.push({
      id: 'approvals',
      label: `${plural(approvals.length, 'approval', 'approvals')} waiting…`,
      enabled: true,
      type: 'normal',
      action: { kind: 'open', route: '/approvals' },
    });
  }
  items.push({
    id: 'open',
    label: 'Open Agent Keychain',
    enabled: true,
    type: 'normal',
    action: { kind: 'open', route: '/agents' },
  });
  items.push(separator('sep-agents'));

  const inline = agents.slice(0, INLINE_AGENT_LIMIT);
  const overflow = agents.slice(INLINE_AGENT_LIMIT);
  for (const agent of inline) items.push(agentItem(agent, now));
  if (overflow.length > 0) {
    items.push({
      id: 'agents-more',
      label: 'Agents',
      enabled: true,
      type: 'submenu',
      submenu: overflow.map((a) => agentItem(a, now)),
    });
  }
  items.push({
    id: 'revoke-all',
    label: 'Revoke all agents…',
    enabled: agents.length > 0,
    type: 'normal',
    action: { kind: 'revokeAll', count: agents.length },
  });
  items.push(separator('sep-vault'));

  if (status.vault === 'unlocked') {
    items.push({ id: 'lock', label: 'Lock vault', enabled: true, type: 'normal', action: { kind: 'lock' } });
  } else if (status.vault === 'locked') {
    items.push({
      id: 'unlock',
      label: 'Unlock…',
      enabled: true,
      type: 'normal',
      action: { kind: 'open', route: '/' },
    });
  } else {
    items.push({
      id: 'setup',
      label: 'Set up…',
      enabled: true,
      type: 'normal',
      action: { kind: 'open', route: '/' },
    });
  }
  items.push({
    id: 'quit',
    label: 'Quit Agent Keychain',
    enabled: true,
    type: 'normal',
    action: { kind: 'quit' },
  });

  return { items, icon: iconState(status, approvals), tooltip: line };
}

/** Depth-first search by id, for performing a click from a model (tray.ts and the e2e hook). */
export function findItem(items: readonly TrayMenuItem[], id: string): TrayMenuItem | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    const inner = item.submenu ? findItem(item.submenu, id) : undefined;
    if (inner) return inner;
  }
  return undefined;
}
