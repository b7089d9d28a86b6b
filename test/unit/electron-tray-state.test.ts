// The shell's view of core state, kept current from core events (drives the tray and the approval window).
import { describe, expect, it } from 'vitest';
import { applyEvent, emptyShellState, type ShellState } from '../../electron/main/tray-state.ts';
import { AppEventSchema, type AppEvent, type EventMap, type EventName } from '../../shared/events.ts';
import { makeAgent, makeApproval, makeAuditEntry, makeStatus, minutesAgo } from './view-fixtures.ts';

const ev = <N extends EventName>(name: N, data: EventMap[N]): AppEvent =>
  AppEventSchema.parse({ name, data });

const mail = makeAgent('agt_mail', 'mail-bot', { lastSeenAt: minutesAgo(60) });
const research = makeAgent('agt_research', 'research-bot');
const base: ShellState = {
  status: makeStatus(),
  agents: [mail, research],
  approvals: [makeApproval('apr_1', mail), makeApproval('apr_2', research)],
};

describe('applyEvent', () => {
  it('adds a requested approval once, even when announced again', () => {
    const a = makeApproval('apr_3', research);
    const once = applyEvent(base, ev('approval.requested', a));
    const twice = applyEvent(once, ev('approval.requested', { ...a, count: 2 }));
    expect(twice.approvals.map((x) => x.id)).toEqual(['apr_1', 'apr_2', 'apr_3']);
    expect(twice.approvals[2]?.count).toBe(2);
  });

  it('removes a decided approval', () => {
    const next = applyEvent(base, ev('approval.decided', { id: 'apr_1', decision: 'deny', grant: null }));
    expect(next.approvals.map((x) => x.id)).toEqual(['apr_2']);
  });

  it('a revoked agent is marked revoked and its waiting approvals go away', () => {
    const revoked = { ...mail, status: 'revoked' as const, revokedAt: minutesAgo(0) };
    const next = applyEvent(base, ev('agent.revoked', { agent: revoked, cut: 1 }));
    expect(next.agents.find((a) => a.id === 'agt_mail')?.status).toBe('revoked');
    expect(next.approvals.map((x) => x.id)).toEqual(['apr_2']);
  });

  it('agent.updated replaces an agent or adds a new one', () => {
    const renamed = applyEvent(base, ev('agent.updated', { ...research, name: 'researcher' }));
    expect(renamed.agents.map((a) => a.name)).toEqual(['mail-bot', 'researcher']);
    const added = applyEvent(emptyShellState, ev('agent.updated', research));
    expect(added.agents.map((a) => a.id)).toEqual(['agt_research']);
  });

  it('locking the vault clears waiting approvals and stores the new status', () => {
    const locked = makeStatus({ vault: 'locked' });
    const next = applyEvent(base, ev('vault.state', locked));
    expect(next.status?.vault).toBe('locked');
    expect(next.approvals).toEqual([]);
  });

  it("an agent's own audited request updates its last-seen time", () => {
    const time = minutesAgo(0);
    const next = applyEvent(
      base,
      ev('audit.appended', makeAuditEntry({ actor: 'agent', agentId: 'agt_mail', time })),
    );
    expect(next.agents.find((a) => a.id === 'agt_mail')?.lastSeenAt).toBe(time);
  });

  it('owner and system audit entries, and older times, change nothing', () => {
    const owner = applyEvent(
      base,
      ev('audit.appended', makeAuditEntry({ actor: 'owner', agentId: 'agt_mail' })),
    );
    expect(owner).toBe(base);
    const older = applyEvent(
      base,
      ev('audit.appended', makeAuditEntry({ actor: 'agent', agentId: 'agt_mail', time: minutesAgo(120) })),
    );
    expect(older).toBe(base);
  });

  it('does not mutate the previous state', () => {
    const snapshot = structuredClone(base);
    applyEvent(base, ev('approval.decided', { id: 'apr_1', decision: 'approve', grant: null }));
    applyEvent(base, ev('audit.appended', makeAuditEntry({ actor: 'agent', agentId: 'agt_mail' })));
    expect(base).toEqual(snapshot);
  });
});
