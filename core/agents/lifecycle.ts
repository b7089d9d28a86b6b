// Revoke, suspend, rotate (docs/ARCHITECTURE.md, "Invariants": revocation). Everything that kills access happens in one synchronous step,
// before any other request can run: credential dead, in-flight requests aborted, pending approvals
// denied, grants removed. The audit entry follows (core/owner-event.ts: a failed write is reported to the
// owner, the cut stays); revocation never waits on anything. The events go out in every case.
import type { Core } from '../core.ts';
import type { ApprovalCenter } from '../approvals/center.ts';
import type { AgentRecord } from './store.ts';
import type { Severity } from '../../shared/models.ts';
import type { Via } from '../daemon-types.ts';
import { recordOwnerEvent } from '../owner-event.ts';

export interface CutResult {
  agent: AgentRecord;
  cut: number;
}

/**
 * Cuts an agent off right now: aborts its requests (telling them `why`), denies its approvals, and removes
 * its grants when `removeGrants`.
 */
function cutOff(
  core: Core,
  approvals: ApprovalCenter,
  agentId: string,
  how: { why: string; removeGrants: boolean },
): { cut: number; approvals: number; grants: number } {
  const cut = core.inflight.cut(agentId, how.why);
  const denied = approvals.cancelAgent(agentId);
  const grants = how.removeGrants ? approvals.grants.deleteForAgent(agentId) : 0;
  return { cut, approvals: denied, grants };
}

export function revokeAgent(
  core: Core,
  approvals: ApprovalCenter,
  revoke: { id: string; reason: string; severity: Severity },
  via: Via,
): CutResult {
  const { id, reason, severity } = revoke;
  core.flush();
  const agent = core.agents.revoke(id, reason, severity, core.now());
  const effects = cutOff(core, approvals, id, { why: `Agent ${agent.name} was revoked`, removeGrants: true });
  // Its enrolled key and every session or token minted from it die in the same step.
  const keys = core.keys.revokeForAgent(id, core.now());
  const sessions = core.shortLived.endForAgent(id, 'agent revoked', core.now());
  try {
    recordOwnerEvent(
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
  core.flush();
  const agent = core.agents.setStatus(id, 'suspended', core.now());
  const effects = cutOff(core, approvals, id, {
    why: `Agent ${agent.name} was suspended`,
    removeGrants: false,
  });
  try {
    recordOwnerEvent(
      core,
      {
        action: 'agent.suspended',
        rule: reason ? `Suspended by the owner: ${reason}` : 'Suspended by the owner',
        facts: { via, cutRequests: effects.cut, deniedApprovals: effects.approvals },
        agent,
      },
      `${agent.name} is suspended`,
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
  core.flush();
  const { agent, token } = core.agents.rotate(id, core.now());
  // Requests made with the old credential are cut too: it is dead, and so is what it started. Sessions
  // and key-minted tokens end as well (a rotation says "something leaked"); the enrolled key stays.
  const effects = cutOff(core, approvals, id, {
    why: `The credential of ${agent.name} was rotated`,
    removeGrants: false,
  });
  const sessions = core.shortLived.endForAgent(id, 'agent credential rotated', core.now());
  try {
    recordOwnerEvent(
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
    );
  } finally {
    core.bus.emit({ name: 'agent.updated', data: core.agentView(agent) });
  }
  return { agent, token, cut: effects.cut };
}
