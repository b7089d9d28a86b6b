import { describe, expect, it } from 'vitest';
import { AppEventSchema, type AppEvent } from '../../shared/events.ts';
import type { AgentView, ApprovalView, AuditEntry, GrantView, Status } from '../../shared/models.ts';
import {
  applyEvents,
  emptyData,
  emptyFeed,
  feedPageLoaded,
  liveGrants,
  setFeedPaused,
  type DataState,
} from '../../renderer/src/store/reducers.ts';
import { mail } from './policy-fixtures.ts';
import { makeAgent, makeEmailEntry } from './view-fixtures.ts';

function agent(id: string, over: Partial<AgentView> = {}): AgentView {
  const at = '2025-06-01T10:00:00.000Z';
  return makeAgent(id, id.replace('agt_', ''), { createdAt: at, updatedAt: at, ...over });
}

function entry(seq: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return makeEmailEntry({
    seq,
    time: new Date(Date.parse('2025-06-01T11:00:00Z') + seq * 1000).toISOString(),
    agentId: 'agt_mail',
    agentName: 'mail',
    requestId: `req_${seq}`,
    ...over,
  });
}

function approval(id: string, agentId: string, createdAt: string, count = 1): ApprovalView {
  return {
    id,
    agentId,
    agentName: agentId.replace('agt_', ''),
    requestId: `req_${id}`,
    summary: 'Send email to bob@example.com',
    reason: 'Email always needs approval',
    rule: 'email.approval=always',
    actionKind: 'email.send',
    facts: mail(['bob@example.com']),
    usage: [],
    process: { pid: 42, command: 'python3', parents: [], note: null },
    recent: [],
    createdAt,
    expiresAt: '2025-06-01T12:02:00.000Z',
    count,
  };
}

function grant(
  id: string,
  agentId: string,
  expiresAt: string | null,
  usesLeft: number | null = null,
): GrantView {
  return {
    id,
    agentId,
    agentName: 'x',
    actionKind: 'email.send',
    covers: 'x · send email',
    usesLeft,
    expiresAt,
    createdAt: '2025-06-01T11:00:00.000Z',
  };
}

const ev = <N extends AppEvent['name']>(name: N, data: AppEvent<N>['data']): AppEvent =>
  AppEventSchema.parse({ name, data });

function loaded(query = {}): DataState {
  const s = emptyData();
  return {
    ...s,
    agents: [agent('agt_mail'), agent('agt_pay')],
    feed: feedPageLoaded(emptyFeed(query), { entries: [entry(2), entry(1)], nextCursor: '1' }, false),
  };
}

describe('audit.appended', () => {
  it('prepends matching entries newest first, once each', () => {
    const s = applyEvents(loaded(), [
      ev('audit.appended', entry(3)),
      ev('audit.appended', entry(4)),
      ev('audit.appended', entry(4)),
    ]);
    expect(s.feed.entries.map((e) => e.seq)).toEqual([4, 3, 2, 1]);
  });

  it('skips entries that the loaded filter excludes', () => {
    const s = applyEvents(loaded({ decision: 'deny' }), [
      ev('audit.appended', entry(3)),
      ev('audit.appended', entry(4, { decision: 'deny' })),
    ]);
    expect(s.feed.entries.map((e) => e.seq)).toEqual([4, 2, 1]);
  });

  it('buffers while paused and merges on resume', () => {
    let s = loaded();
    s = { ...s, feed: setFeedPaused(s.feed, true) };
    s = applyEvents(s, [ev('audit.appended', entry(3)), ev('audit.appended', entry(5))]);
    expect(s.feed.entries.map((e) => e.seq)).toEqual([2, 1]);
    expect(s.feed.buffered.map((e) => e.seq)).toEqual([5, 3]);
    s = applyEvents(s, [ev('audit.appended', entry(5))]);
    expect(s.feed.buffered).toHaveLength(2);
    const resumed = setFeedPaused(s.feed, false);
    expect(resumed.entries.map((e) => e.seq)).toEqual([5, 3, 2, 1]);
    expect(resumed.buffered).toEqual([]);
  });

  it('ignores entries before the feed is loaded and updates last seen', () => {
    const s = applyEvents({ ...emptyData(), agents: [agent('agt_mail')] }, [ev('audit.appended', entry(9))]);
    expect(s.feed.entries).toEqual([]);
    expect(s.agents[0]?.lastSeenAt).toBe(entry(9).time);
  });

  it('keeps per-agent recent activity for agents whose activity is open', () => {
    let s: DataState = { ...loaded(), agentActivity: { agt_mail: [entry(1)] } };
    s = applyEvents(s, [
      ev('audit.appended', entry(2)),
      ev('audit.appended', entry(3, { agentId: 'agt_pay' })),
    ]);
    expect(s.agentActivity['agt_mail']?.map((e) => e.seq)).toEqual([2, 1]);
    expect(s.agentActivity['agt_pay']).toBeUndefined();
  });
});

describe('feed paging', () => {
  it('appends older pages without duplicates', () => {
    const f = feedPageLoaded(
      loaded().feed,
      { entries: [entry(2), entry(1), entry(0)], nextCursor: null },
      true,
    );
    expect(f.entries.map((e) => e.seq)).toEqual([2, 1, 0]);
    expect(f.nextCursor).toBeNull();
  });
});

describe('approvals, agents, grants, vault', () => {
  it('queues approvals oldest first and merges repeats', () => {
    let s = applyEvents(emptyData(), [
      ev('approval.requested', approval('apr_b', 'agt_mail', '2025-06-01T11:00:02Z')),
      ev('approval.requested', approval('apr_a', 'agt_mail', '2025-06-01T11:00:01Z')),
    ]);
    expect(s.approvals.map((a) => a.id)).toEqual(['apr_a', 'apr_b']);
    s = applyEvents(s, [ev('approval.requested', approval('apr_a', 'agt_mail', '2025-06-01T11:00:01Z', 3))]);
    expect(s.approvals.map((a) => [a.id, a.count])).toEqual([
      ['apr_a', 3],
      ['apr_b', 1],
    ]);
  });

  it('removes decided approvals and keeps the grant they created', () => {
    const g = grant('grt_1', 'agt_mail', '2025-06-01T12:15:00Z');
    let s = applyEvents(emptyData(), [
      ev('approval.requested', approval('apr_a', 'agt_mail', '2025-06-01T11:00:01Z')),
    ]);
    s = applyEvents(s, [ev('approval.decided', { id: 'apr_a', decision: 'approve', grant: g })]);
    expect(s.approvals).toEqual([]);
    expect(s.grants).toEqual([g]);
  });

  it('revocation drops that agent’s approvals and grants only', () => {
    let s: DataState = {
      ...loaded(),
      grants: [grant('grt_1', 'agt_mail', null), grant('grt_2', 'agt_pay', null)],
    };
    s = applyEvents(s, [
      ev('approval.requested', approval('apr_a', 'agt_mail', '2025-06-01T11:00:01Z')),
      ev('approval.requested', approval('apr_b', 'agt_pay', '2025-06-01T11:00:02Z')),
    ]);
    const revoked = agent('agt_mail', { status: 'revoked', revokeReason: 'test', revokeSeverity: 'high' });
    s = applyEvents(s, [ev('agent.revoked', { agent: revoked, cut: 2 })]);
    expect(s.agents.find((a) => a.id === 'agt_mail')?.status).toBe('revoked');
    expect(s.agents.find((a) => a.id === 'agt_pay')?.status).toBe('active');
    expect(s.approvals.map((a) => a.id)).toEqual(['apr_b']);
    expect(s.grants.map((g) => g.id)).toEqual(['grt_2']);
  });

  it('upserts updated agents and replaces the vault status', () => {
    const status: Status = {
      vault: 'locked',
      keySource: 'passphrase',
      vaultError: null,
      version: '0.1.0',
      url: 'http://127.0.0.1:7717',
      counts: { agents: 0, activeAgents: 0, providers: 0, secrets: 0, pendingApprovals: 0, auditEntries: 0 },
    };
    const s = applyEvents(loaded(), [
      ev('agent.updated', agent('agt_new')),
      ev('agent.updated', agent('agt_pay', { status: 'suspended' })),
      ev('vault.state', status),
    ]);
    expect(s.agents.map((a) => [a.id, a.status])).toEqual([
      ['agt_new', 'active'],
      ['agt_mail', 'active'],
      ['agt_pay', 'suspended'],
    ]);
    expect(s.status?.vault).toBe('locked');
  });

  it('lists only grants still in force', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    const gs = [
      grant('g1', 'a', '2025-06-01T12:10:00Z'),
      grant('g2', 'a', '2025-06-01T11:59:00Z'),
      grant('g3', 'a', null, 0),
      grant('g4', 'a', null, 2),
    ];
    expect(liveGrants(gs, now).map((g) => g.id)).toEqual(['g1', 'g4']);
  });
});
