// Revoke, suspend, rotate (docs/ARCHITECTURE.md, "Invariants": revocation). Everything that kills access happens in one synchronous step,
// in memory, before any other request can run and before anything is written: credential dead, in-flight
// requests aborted, pending approvals denied. Then the writes: the agent's row (retried until it is
// written if the database refuses it, e.g. another process holds it locked), grants, keys, the audit entry
// (core/owner-event.ts). A write that fails is reported to the owner; the cut stays. The events go out in
// every case.
import type { Core } from '../core.ts';
import type { ApprovalCenter } from '../approvals/center.ts';
import type { AgentRecord } from './store.ts';
import type { Severity } from '../../shared/models.ts';
import type { Via } from '../daemon-types.ts';
import { recordOwnerEvent } from '../owner-event.ts';
import { AppError } from '../errors.ts';

export interface CutResult {
  agent: AgentRecord;
  cut: number;
}

/**
 * Cuts an agent off right now (its record already changed in memory): aborts its requests (telling them
 * `why`) and denies its approvals; then commits the open group of request entries, so that the writes that
 * follow autocommit, writes the agent's row, and removes its grants when `removeGrants`. What could not be
 * written is added to `unwritten` (`what`: the agent's row).
 */
function cutOff(
  core: Core,
  approvals: ApprovalCenter,
  agentId: string,
  how: { why: string; what: string; removeGrants: boolean; unwritten: string[] },
): { cut: number; approvals: number; grants: number } {
  const cut = core.inflight.cut(agentId, how.why);
  const denied = approvals.cancelAgent(agentId); // in memory first; its own writes never throw
  // A failed group commit re-reads the agents from the table: the store keeps the cut over that.
  core.flush();
  if (!core.agents.saveCut(agentId)) how.unwritten.push(how.what);
  const grants = how.removeGrants
    ? written(how.unwritten, 'its remembered grants', () => approvals.grants.deleteForAgent(agentId), 0)
    : 0;
  return { cut, approvals: denied, grants };
}

/** A write that follows a cut already in force: a failure is noted for the owner, never thrown. */
function written<T>(unwritten: string[], what: string, write: () => T, fallback: T): T {
  try {
    return write();
  } catch {
    unwritten.push(what);
    return fallback;
  }
}

/**
 * Audits the act; when that or an earlier write failed, tells the owner the act is in force and what is
 * not written yet. `audit_unavailable`: revoke-all goes on with the next agent.
 */
function auditCut(
  core: Core,
  event: Parameters<typeof recordOwnerEvent>[1],
  done: string,
  unwritten: string[],
): void {
  try {
    recordOwnerEvent(core, event, done);
  } catch (err) {
    if (unwritten.length === 0) throw err;
    unwritten.push('the audit entry');
  }
  if (unwritten.length > 0) {
    throw new AppError(
      'audit_unavailable',
      `${done} now, but the database refused the write of ${unwritten.join(', ')} (another program may hold it open). ` +
        "Agent Keychain writes the change again every few seconds; until then a restart would undo it, so close what holds the data directory's database and check the audit log.",
    );
  }
}

export function revokeAgent(
  core: Core,
  approvals: ApprovalCenter,
  revoke: { id: string; reason: string; severity: Severity },
  via: Via,
): CutResult {
  const { id, reason, severity } = revoke;
  const agent = core.agents.revoke(id, reason, severity, core.now());
  const unwritten: string[] = [];
  const effects = cutOff(core, approvals, id, {
    why: `Agent ${agent.name} was revoked`,
    what: "the agent's revoked state",
    removeGrants: true,
    unwritten,
  });
  // Its enrolled key and every session or token minted from it die in the same step.
  const sessions = core.shortLived.endForAgent(id, 'agent revoked', core.now());
  const keys = written(unwritten, 'its voided keys', () => core.keys.revokeForAgent(id, core.now()), 0);
  try {
    auditCut(
      core,
      {
        action: 'agent.revoked',
        rule: `Revoked by the owner (${severity}): ${reason}`,
        facts: {
          via,
          severity,
          reason,
          cutRequests: effects.cut,
          deniedApprovals: effects.approvals,
          removedGrants: effects.grants,
          voidedKeys: keys,
          endedShortLived: sessions,
        },
        agent,
      },
      `${agent.name} is revoked`,
      unwritten,
    );
  } finally {
    const view = core.agentView(agent);
    core.bus.emit({ name: 'agent.revoked', data: { agent: view, cut: effects.cut } });
    core.bus.emit({ name: 'agent.updated', data: view });
  }
  return { agent, cut: effects.cut };
}

export function suspendAgent(
  core: Core,
  approvals: ApprovalCenter,
  suspend: { id: string; reason?: string | undefined },
  via: Via,
): CutResult {
  const { id, reason } = suspend;
  const agent = core.agents.setStatus(id, 'suspended', core.now());
  const unwritten: string[] = [];
  const effects = cutOff(core, approvals, id, {
    why: `Agent ${agent.name} was suspended`,
    what: "the agent's suspended state",
    removeGrants: false,
    unwritten,
  });
  try {
    auditCut(
      core,
      {
        action: 'agent.suspended',
        rule: reason ? `Suspended by the owner: ${reason}` : 'Suspended by the owner',
        facts: { via, cutRequests: effects.cut, deniedApprovals: effects.approvals },
        agent,
      },
      `${agent.name} is suspended`,
      unwritten,
    );
  } finally {
    core.bus.emit({ name: 'agent.updated', data: core.agentView(agent) });
  }
  return { agent, cut: effects.cut };
}

export function resumeAgent(core: Core, id: string, via: Via): CutResult {
  core.flush();
  const agent = core.agents.setStatus(id, 'active', core.now());
  try {
    recordOwnerEvent(core, { action: 'agent.resumed', rule: 'Resumed by the owner', facts: { via }, agent });
  } finally {
    core.bus.emit({ name: 'agent.updated', data: core.agentView(agent) });
  }
  return { agent, cut: 0 };
}

export function rotateAgent(
  core: Core,
  approvals: ApprovalCenter,
  id: string,
  via: Via,
): CutResult & { token: string } {
  const { agent, token } = core.agents.rotate(id, core.now());
  const unwritten: string[] = [];
  // Requests made with the old credential are cut too: it is dead, and so is what it started. Sessions
  // and key-minted tokens end as well (a rotation says "something leaked"); the enrolled key stays.
  const effects = cutOff(core, approvals, id, {
    why: `The credential of ${agent.name} was rotated`,
    what: 'the new credential',
    removeGrants: false,
    unwritten,
  });
  const sessions = core.shortLived.endForAgent(id, 'agent credential rotated', core.now());
  try {
    auditCut(
      core,
      {
        action: 'agent.rotated',
        rule: `New credential ${agent.credentialId}; the old one stopped working`,
        facts: {
          via,
          cutRequests: effects.cut,
          deniedApprovals: effects.approvals,
          endedShortLived: sessions,
        },
        agent,
      },
      `The old credential of ${agent.name} is dead`,
      unwritten,
    );
  } finally {
    core.bus.emit({ name: 'agent.updated', data: core.agentView(agent) });
  }
  return { agent, token, cut: effects.cut };
}
