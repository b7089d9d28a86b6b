// One activity row per request: grouping and the outcome each request really ended with.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/models.ts';
import { groupEntries, groupNote, requestOutcome } from '../../renderer/src/activityGroups.ts';

let seq = 0;
function entry(p: Partial<AuditEntry>): AuditEntry {
  seq += 1;
  return {
    seq,
    time: new Date(1_800_000_000_000 + seq * 1000).toISOString(),
    agentId: 'agt_a',
    agentName: 'bot',
    actor: 'agent',
    action: 'llm.request',
    provider: 'openai',
    method: 'POST',
    path: '/chat/completions',
    facts: null,
    decision: 'allow',
    reason: 'allowed',
    rule: null,
    status: null,
    latencyMs: null,
    costUsd: null,
    requestId: 'req_1',
    prevHash: '',
    hash: '',
    ...p,
  };
}

const outcome = (list: AuditEntry[], waiting: string[] = []): string =>
  requestOutcome(list, new Set(waiting)).label;

describe('activity grouped by request', () => {
  it('folds decision, result and cost into one row; lone events stay rows of their own', () => {
    const a = entry({ requestId: 'r1' });
    const ev = entry({ requestId: null, actor: 'owner', action: 'agent.changed', decision: 'event' });
    const b = entry({ requestId: 'r1', action: 'llm.request.result', status: 200, costUsd: 0.0004 });
    const groups = groupEntries([b, ev, a]);
    expect(groups.map((g) => g.key)).toEqual(['seq:' + String(ev.seq), 'req:r1']);
    const req = groups[1];
    expect(req?.entries.map((e) => e.seq)).toEqual([a.seq, b.seq]);
    expect(req?.outcome.label).toBe('Allowed');
    expect(req && groupNote(req)).toBe('2 entries · $0.0004');
  });

  it('a held request resolves to its real end', () => {
    const held = entry({ requestId: 'r2', decision: 'pending', reason: 'approval_required' });
    expect(outcome([held], ['r2'])).toBe('Waiting for you');
    expect(outcome([held])).toBe('Waiting');
    const decided = entry({
      requestId: 'r2',
      actor: 'owner',
      action: 'approval.decided',
      decision: 'denied',
    });
    const refused = entry({ requestId: 'r2', decision: 'deny', reason: 'approval_denied' });
    expect(outcome([held, decided, refused])).toBe('Denied by you');
    expect(outcome([held, entry({ requestId: 'r2', decision: 'timeout', reason: 'approval_timeout' })])).toBe(
      'Timed out',
    );
    expect(outcome([held, entry({ requestId: 'r2', decision: 'deny', reason: 'caller_exited' })])).toBe(
      'Caller left',
    );
    expect(outcome([held, entry({ requestId: 'r2', decision: 'deny', reason: 'revoked' })])).toBe(
      'Key revoked',
    );
    const approved = entry({ requestId: 'r2', decision: 'approved', reason: 'approved' });
    const result = entry({ requestId: 'r2', action: 'llm.request.result', status: 200 });
    expect(outcome([held, approved, result])).toBe('Approved by you');
    const cut = entry({
      requestId: 'r2',
      action: 'llm.request.result',
      decision: 'error',
      reason: 'cut',
      status: 499,
    });
    expect(outcome([held, approved, cut])).toBe('Cut');
  });

  it('labels tell the owner, policy, a locked vault, a bad key and the upstream apart', () => {
    const one = (p: Partial<AuditEntry>): string => outcome([entry({ requestId: null, ...p })]);
    expect(one({ decision: 'deny', reason: 'scope_denied' })).toBe('Blocked by policy');
    expect(one({ decision: 'deny', reason: 'budget_exceeded' })).toBe('Over budget');
    expect(one({ decision: 'deny', reason: 'vault_locked' })).toBe('Vault locked');
    expect(one({ decision: 'deny', reason: 'invalid_token' })).toBe('Unknown key');
    const req = entry({ requestId: 'r3' });
    const up = entry({
      requestId: 'r3',
      action: 'llm.request.result',
      decision: 'error',
      reason: 'upstream_status',
      status: 500,
    });
    expect(outcome([req, up])).toBe('Upstream error 500');
  });
});
