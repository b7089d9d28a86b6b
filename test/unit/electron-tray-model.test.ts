// The tray menu model (docs/ARCHITECTURE.md, "Electron shell") built from core state: labels, counts, inline limit, revoke ids,
// locked and error states, icon and tooltip.
import { describe, expect, it } from 'vitest';
import {
  agentActivity,
  buildTrayModel,
  findItem,
  INLINE_AGENT_LIMIT,
  UNAVAILABLE_LINE,
  type TrayMenuItem,
} from '../../electron/main/tray-model.ts';
import { NOW, makeAgent, makeApproval, makeStatus, minutesAgo } from './view-fixtures.ts';

const ids = (items: readonly TrayMenuItem[]): string[] => items.map((i) => i.id);
const labels = (items: readonly TrayMenuItem[]): string[] => items.map((i) => i.label);

describe('tray model: layout', () => {
  const research = makeAgent('agt_research', 'research-bot', { lastSeenAt: minutesAgo(2) });
  const mail = makeAgent('agt_mail', 'mail-bot', { lastSeenAt: minutesAgo(180) });
  const gone = makeAgent('agt_gone', 'old-bot', { status: 'revoked', revokedAt: minutesAgo(30) });
  const model = buildTrayModel({
    status: makeStatus(),
    agents: [mail, gone, research],
    approvals: [makeApproval('apr_1', mail), makeApproval('apr_2', research)],
    now: NOW,
  });

  it('matches the UI brief, top to bottom', () => {
    expect(labels(model.items)).toEqual([
      'Agent Keychain — unlocked · 2 agents active',
      '2 approvals waiting…',
      'Open Agent Keychain',
      '',
      'research-bot · active 2 min ago',
      'mail-bot · idle 3 h',
      'Revoke all agents…',
      '',
      'Lock vault',
      'Quit Agent Keychain',
    ]);
    expect(model.items.filter((i) => i.type === 'separator')).toHaveLength(2);
  });

  it('shows the status line disabled and repeats it as the tooltip', () => {
    const status = model.items[0];
    expect(status?.enabled).toBe(false);
    expect(model.tooltip).toBe('Agent Keychain — unlocked · 2 agents active');
  });

  it('leaves revoked agents out', () => {
    expect(findItem(model.items, 'agent:agt_gone')).toBeUndefined();
    expect(labels(model.items).some((l) => l.includes('old-bot'))).toBe(false);
  });

  it('gives each agent Open and "Revoke name…" carrying that agent id', () => {
    const entry = findItem(model.items, 'agent:agt_mail');
    expect(entry?.type).toBe('submenu');
    expect(labels(entry?.submenu ?? [])).toEqual(['Open', 'Revoke mail-bot…']);
    expect(findItem(model.items, 'agent:agt_mail:revoke')?.action).toEqual({
      kind: 'revoke',
      agentId: 'agt_mail',
      agentName: 'mail-bot',
    });
    expect(findItem(model.items, 'agent:agt_mail:open')?.action).toEqual({
      kind: 'open',
      route: '/agents/agt_mail',
    });
  });

  it('routes the approvals line to the Approvals screen', () => {
    expect(findItem(model.items, 'approvals')?.action).toEqual({ kind: 'open', route: '/approvals' });
  });

  it('shows the attention icon while approvals wait', () => {
    expect(model.icon).toBe('attention');
  });

  it('revoke-all counts the non-revoked agents', () => {
    expect(findItem(model.items, 'revoke-all')?.action).toEqual({ kind: 'revokeAll', count: 2 });
  });
});

describe('tray model: counts and states', () => {
  it('omits the approvals line when none wait and uses the normal icon', () => {
    const model = buildTrayModel({
      status: makeStatus(),
      agents: [makeAgent('agt_a', 'a')],
      approvals: [],
      now: NOW,
    });
    expect(ids(model.items)).not.toContain('approvals');
    expect(model.icon).toBe('normal');
  });

  it('uses singular wording for one agent and one approval', () => {
    const a = makeAgent('agt_a', 'solo', { lastSeenAt: minutesAgo(0) });
    const model = buildTrayModel({
      status: makeStatus(),
      agents: [a],
      approvals: [makeApproval('apr_1', a)],
      now: NOW,
    });
    expect(model.items[0]?.label).toBe('Agent Keychain — unlocked · 1 agent active');
    expect(findItem(model.items, 'approvals')?.label).toBe('1 approval waiting…');
  });

  it('counts only active agents in the status line', () => {
    const model = buildTrayModel({
      status: makeStatus(),
      agents: [
        makeAgent('agt_a', 'a'),
        makeAgent('agt_b', 'b', { status: 'suspended' }),
        makeAgent('agt_c', 'c', { status: 'expired' }),
      ],
      approvals: [],
      now: NOW,
    });
    expect(model.tooltip).toBe('Agent Keychain — unlocked · 1 agent active');
    expect(labels(model.items)).toContain('b · suspended');
    expect(labels(model.items)).toContain('c · expired');
  });

  it('locked vault: locked icon, status line says so, Unlock… instead of Lock vault', () => {
    const model = buildTrayModel({
      status: makeStatus({ vault: 'locked', keySource: 'passphrase' }),
      agents: [],
      approvals: [],
      now: NOW,
    });
    expect(model.icon).toBe('locked');
    expect(model.tooltip).toBe('Agent Keychain — locked');
    expect(ids(model.items)).toContain('unlock');
    expect(ids(model.items)).not.toContain('lock');
    expect(findItem(model.items, 'unlock')?.label).toBe('Unlock…');
  });

  it('keychain failure: error icon and the reason in the status line', () => {
    const model = buildTrayModel({
      status: makeStatus({ vault: 'locked', vaultError: 'OS keychain unavailable' }),
      agents: [],
      approvals: [],
      now: NOW,
    });
    expect(model.icon).toBe('error');
    expect(model.tooltip).toBe('Agent Keychain — locked · OS keychain unavailable');
  });

  it('uninitialized vault offers Set up…', () => {
    const model = buildTrayModel({
      status: makeStatus({ vault: 'uninitialized', keySource: null }),
      agents: [],
      approvals: [],
      now: NOW,
    });
    expect(model.tooltip).toBe('Agent Keychain — not set up');
    expect(findItem(model.items, 'setup')?.label).toBe('Set up…');
    expect(model.icon).toBe('locked');
  });

  it('disables Revoke all when there is nothing to revoke', () => {
    const model = buildTrayModel({
      status: makeStatus(),
      agents: [makeAgent('agt_x', 'x', { status: 'revoked' })],
      approvals: [],
      now: NOW,
    });
    expect(findItem(model.items, 'revoke-all')?.enabled).toBe(false);
  });

  it('without core status offers only Open and Quit, with the error icon', () => {
    const model = buildTrayModel({ status: null, agents: [], approvals: [], now: NOW });
    expect(ids(model.items)).toEqual(['status', 'open', 'sep-vault', 'quit']);
    expect(model.tooltip).toBe(UNAVAILABLE_LINE);
    expect(model.icon).toBe('error');
  });
});

describe('tray model: inline limit', () => {
  const many = Array.from({ length: 11 }, (_, i) =>
    makeAgent(`agt_n${i}`, `bot-${String(i).padStart(2, '0')}`, { lastSeenAt: minutesAgo(i + 1) }),
  );
  const model = buildTrayModel({ status: makeStatus(), agents: many, approvals: [], now: NOW });

  it(`lists the ${INLINE_AGENT_LIMIT} most recently seen inline, the rest under "Agents"`, () => {
    const inline = model.items.filter((i) => i.id.startsWith('agent:'));
    expect(inline.map((i) => i.id)).toEqual(many.slice(0, 8).map((a) => `agent:${a.id}`));
    const more = findItem(model.items, 'agents-more');
    expect(more?.label).toBe('Agents');
    expect(more?.type).toBe('submenu');
    expect(ids(more?.submenu ?? [])).toEqual(['agent:agt_n8', 'agent:agt_n9', 'agent:agt_n10']);
    expect(findItem(model.items, 'agent:agt_n10:revoke')?.action).toEqual({
      kind: 'revoke',
      agentId: 'agt_n10',
      agentName: 'bot-10',
    });
  });

  it('places the overflow submenu right before Revoke all', () => {
    const at = ids(model.items).indexOf('agents-more');
    expect(model.items[at + 1]?.id).toBe('revoke-all');
  });

  it('exactly 8 agents need no submenu', () => {
    const eight = buildTrayModel({ status: makeStatus(), agents: many.slice(0, 8), approvals: [], now: NOW });
    expect(findItem(eight.items, 'agents-more')).toBeUndefined();
    expect(eight.items.filter((i) => i.id.startsWith('agent:'))).toHaveLength(8);
  });

  it('menu item ids are unique', () => {
    const all: string[] = [];
    const walk = (items: readonly TrayMenuItem[]): void => {
      for (const i of items) {
        all.push(i.id);
        if (i.submenu) walk(i.submenu);
      }
    };
    walk(model.items);
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('tray model: activity wording', () => {
  it.each([
    [null, 'not used yet'],
    [minutesAgo(0), 'active just now'],
    [minutesAgo(2), 'active 2 min ago'],
    [minutesAgo(14), 'active 14 min ago'],
    [minutesAgo(45), 'idle 45 min'],
    [minutesAgo(180), 'idle 3 h'],
    [minutesAgo(3 * 24 * 60), 'idle 3 d'],
  ])('last seen %s → "%s"', (lastSeenAt, text) => {
    expect(agentActivity(makeAgent('agt_a', 'a', { lastSeenAt }), NOW)).toBe(text);
  });
});
