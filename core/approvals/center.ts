// Held requests (README "Approvals"). A request whose rule needs the owner is held open and announced at once;
// it completes when the owner decides, when it times out (deny), or when its agent is revoked (deny).
//
// An approval is for one concrete request: each held request gets its own prompt, with its own caller process,
// and "approve once" releases exactly that request. Identical requests that arrive later wait for their own
// decision; nothing joins a prompt the owner is already looking at. A remembered grant is bound to the
// constraint of the request the owner saw (grant-scope.ts), and a respond-async retry grant to its digest.
import type { Connection } from '../procfs.ts';
import type { Core } from '../core.ts';
import type { AgentRecord } from '../agents/store.ts';
import type { RequestFacts } from '../../shared/facts.ts';
import type { ApprovalView, GrantView, ProcessInfo } from '../../shared/models.ts';
import type { RuleRef } from '../../shared/errors.ts';
import { describeAction } from '../../shared/summary.ts';
import { newId } from '../agents/credentials.ts';
import { lookupProcess } from './process.ts';
import { Grants, type GrantRecord } from './grants.ts';
import { ApprovalStore, type StoredStatus } from './store.ts';
import { constraintOf, grantLabel, retryConstraint } from './grant-scope.ts';
import { AppError } from '../errors.ts';
import { usageMeters } from '../policy/usage.ts';
import type { Via } from '../daemon-types.ts';

export type ApprovalOutcome = 'approved' | 'denied' | 'timeout' | 'cancelled';

interface Pending {
  view: ApprovalView;
  agentId: string;
  actionKey: string;
  facts: RequestFacts;
  /** Digest of the exact request held (method, path, query, billing headers, body). */
  digest: string;
  firstUse: boolean;
  waiter: ((outcome: ApprovalOutcome) => void) | null;
  timer: NodeJS.Timeout;
  /** respond-async approvals wait with no held connection. */
  detached: boolean;
}

export interface HoldRequest {
  agent: AgentRecord;
  facts: RequestFacts;
  digest: string;
  rule: RuleRef;
  reason: string;
  actionKey: string;
  requestId: string;
  /** The agent's connection, to find the process behind it (process.ts). */
  connection: Connection;
  detached: boolean;
}

export interface Decided {
  id: string;
  decision: 'approve' | 'deny';
  grant: GrantView | null;
  /** How many held requests this decision released (always the one request the owner saw). */
  merged: number;
  /** The request ids released by this decision. */
  released: string[];
}

/** Prompts one agent may have waiting at once; more are refused, never queued without bound. */
const MAX_PENDING_PER_AGENT = 64;
/** How long a respond-async retry grant lives after the owner approves. */
const RETRY_WINDOW_MS = 10 * 60_000;

const LOOKING_UP: ProcessInfo = {
  pid: null,
  command: null,
  parents: [],
  note: 'Looking up the calling process…',
};

export class ApprovalCenter {
  private readonly core: Core;
  readonly grants: Grants;
  private readonly store: ApprovalStore;
  private readonly pending = new Map<string, Pending>();
  /** Outcomes of detached (respond-async) approvals, for their status URL. */
  private readonly finished = new Map<string, { status: ApprovalOutcome; agentId: string }>();

  constructor(core: Core) {
    this.core = core;
    this.grants = new Grants(core.db);
    this.store = new ApprovalStore(core.db);
  }

  /** Pending approvals cannot outlive a restart: mark leftovers expired and audit each. */
  expireLeftovers(): number {
    const rows = this.store.pending();
    for (const r of rows) {
      const agent = this.core.agents.find(r.agent_id);
      this.core.atomically(() => {
        this.store.setStatus(r.id, 'expired', new Date().toISOString());
        this.core.record({
          actor: 'system',
          action: 'approval.expired',
          agentId: r.agent_id,
          agentName: agent?.name ?? null,
          decision: 'denied',
          reason: 'restart',
          rule: `Approval ${r.id} ("${r.summary}") was pending when Agent Keychain stopped.`,
          requestId: r.request_id,
        });
      });
    }
    return rows.length;
  }

  count(): number {
    return this.pending.size;
  }

  list(): ApprovalView[] {
    return [...this.pending.values()].map((p) => p.view);
  }

  /** Holds one request; the promise settles with the owner's decision, a timeout or a cancellation. */
  hold(req: HoldRequest): { id: string; outcome: Promise<ApprovalOutcome>; release: () => void } {
    let waiting = 0;
    for (const p of this.pending.values()) if (p.agentId === req.agent.id) waiting++;
    if (waiting >= MAX_PENDING_PER_AGENT) {
      throw new AppError(
        'rate_limited',
        `Agent ${req.agent.name} already has ${MAX_PENDING_PER_AGENT} requests waiting for approval.`,
        { retryAfter: 10 },
      );
    }
    let resolveFn: (o: ApprovalOutcome) => void = () => undefined;
    const outcome = new Promise<ApprovalOutcome>((resolve) => {
      resolveFn = resolve;
    });
    const p = this.create(req, resolveFn);
    const release = (): void => {
      // The agent hung up: its prompt is withdrawn (a detached one waits for its retry instead).
      if (p.waiter === null) return;
      p.waiter = null;
      // The held request ends now instead of waiting on a promise nobody will settle; it records why.
      resolveFn('cancelled');
      if (!p.detached) this.finish(p, 'cancelled');
    };
    return { id: p.view.id, outcome, release };
  }

  private create(req: HoldRequest, waiter: (o: ApprovalOutcome) => void): Pending {
    const now = this.core.now();
    const id = newId('apr_');
    const expiresAt = now + this.core.options.approvalTimeoutMs;
    const summary = describeAction(req.facts);
    const view: ApprovalView = {
      id,
      agentId: req.agent.id,
      agentName: req.agent.name,
      requestId: req.requestId,
      summary,
      reason: req.reason,
      rule: req.rule.scope,
      actionKind: req.facts.action,
      facts: req.facts,
      usage: usageMeters(this.core.policyAgent(req.agent), this.core.counters.reader(req.agent.id), now),
      process: LOOKING_UP,
      recent: this.core.audit.recent(req.agent.id, 5),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
      count: 1,
      // The very label "approve for N minutes" would give its grant (grant-scope.ts), shown under the button.
      covers: grantLabel(req.agent.name, req.actionKey, constraintOf(req.facts), false),
    };
    this.store.insert({
      id,
      agentId: req.agent.id,
      requestId: req.requestId,
      summary,
      rule: req.rule.scope,
      factsJson: JSON.stringify(req.facts),
      createdAt: view.createdAt,
      expiresAt: view.expiresAt,
    });
    const pending: Pending = {
      view,
      agentId: req.agent.id,
      actionKey: req.actionKey,
      facts: req.facts,
      digest: req.digest,
      firstUse: req.rule.limit === 'first-use',
      waiter: req.detached ? null : waiter,
      timer: setTimeout(() => this.finish(pending, 'timeout'), this.core.options.approvalTimeoutMs),
      detached: req.detached,
    };
    pending.timer.unref();
    this.pending.set(id, pending);
    this.core.bus.emit({ name: 'approval.requested', data: view });
    // The process lookup reads /proc and may take a moment: the prompt goes out first, then updates.
    void lookupProcess(req.connection).then((info) => {
      const current = this.pending.get(id);
      if (!current) return;
      current.view = { ...current.view, process: info };
      this.core.bus.emit({ name: 'approval.requested', data: current.view });
    });
    return pending;
  }

  /** The grant an approval leaves behind, if any: remembered, first-use, or a respond-async retry. */
  private grantFor(
    p: Pending,
    agent: AgentRecord,
    remember: { minutes?: number | undefined; uses?: number | undefined } | undefined,
    now: number,
  ): GrantRecord | null {
    // Every grant's label is generated from what it covers (the constraint), never written separately.
    const grant = (
      constraint: GrantRecord['constraint'],
      limits: { usesLeft: number | null; expiresAt: number | null },
      firstUse = false,
    ): GrantRecord =>
      this.grants.create(
        {
          agentId: agent.id,
          actionKey: p.actionKey,
          constraint,
          covers: grantLabel(agent.name, p.actionKey, constraint, firstUse),
          ...limits,
        },
        now,
      );
    const minutes = remember?.minutes;
    const uses = remember?.uses;
    if (minutes !== undefined || uses !== undefined) {
      // Remembered: bound to what the owner saw (the model, the recipient domains, at most this amount).
      return grant(constraintOf(p.facts), {
        usesLeft: uses ?? null,
        expiresAt: minutes === undefined ? null : now + minutes * 60_000,
      });
    }
    // "first-use": once approved, this agent × action is remembered until the agent's scopes change.
    if (p.firstUse) return grant(null, { usesLeft: null, expiresAt: null }, true);
    // respond-async: the agent re-sends the request; one use, soon, and only the very same request.
    if (p.detached)
      return grant(retryConstraint(p.digest), { usesLeft: 1, expiresAt: now + RETRY_WINDOW_MS });
    return null;
  }

  /** The owner's decision on one held request. Approve may remember the approval for minutes and/or uses. */
  decide(
    id: string,
    decision: 'approve' | 'deny',
    remember: { minutes?: number | undefined; uses?: number | undefined } | undefined,
    via: Via,
  ): Decided {
    const p = this.pending.get(id);
    if (!p)
      throw new AppError(
        'not_found',
        `No pending approval ${id}: it was already decided, timed out or withdrawn.`,
      );
    const now = this.core.now();
    const agent = this.core.agents.get(p.agentId);
    const grant = this.core.atomically(() => {
      const g = decision === 'approve' ? this.grantFor(p, agent, remember, now) : null;
      this.store.setStatus(id, decision === 'approve' ? 'approved' : 'denied', new Date(now).toISOString());
      this.core.record({
        actor: 'owner',
        action: 'approval.decided',
        agentId: agent.id,
        agentName: agent.name,
        decision: decision === 'approve' ? 'approved' : 'denied',
        reason: decision === 'approve' ? 'approved' : 'approval_denied',
        rule: g ? `${p.view.summary} · remembered: ${g.covers}` : p.view.summary,
        facts: { approvalId: id, via, released: [p.view.requestId], grantId: g ? g.id : null },
        requestId: p.view.requestId,
      });
      return g;
    });
    this.finish(p, decision === 'approve' ? 'approved' : 'denied', grant, false);
    return {
      id,
      decision,
      grant: grant ? this.grantView(grant) : null,
      merged: 1,
      released: [p.view.requestId],
    };
  }

  /** Denies every pending approval of an agent (revoke, suspend); returns how many. */
  cancelAgent(agentId: string): number {
    let n = 0;
    for (const p of [...this.pending.values()]) {
      if (p.agentId !== agentId) continue;
      n += 1;
      this.finish(p, 'cancelled');
    }
    return n;
  }

  /** Status of an approval for respond-async polling; only the agent that asked may see it. */
  statusFor(
    id: string,
    agentId: string,
  ): { id: string; status: 'pending' | ApprovalOutcome; expiresAt: string | null } {
    const p = this.pending.get(id);
    if (p && p.agentId === agentId) return { id, status: 'pending', expiresAt: p.view.expiresAt };
    const f = this.finished.get(id);
    if (f && f.agentId === agentId) return { id, status: f.status, expiresAt: null };
    throw new AppError('not_found', `No approval ${id} for this agent.`);
  }

  grantView(g: GrantRecord): GrantView {
    return {
      id: g.id,
      agentId: g.agentId,
      agentName: this.core.agents.find(g.agentId)?.name ?? g.agentId,
      actionKind: g.actionKey,
      covers: g.covers,
      usesLeft: g.usesLeft,
      expiresAt: g.expiresAt === null ? null : new Date(g.expiresAt).toISOString(),
      createdAt: new Date(g.createdAt).toISOString(),
    };
  }

  stop(): void {
    for (const p of [...this.pending.values()]) this.finish(p, 'cancelled');
  }

  private finish(p: Pending, outcome: ApprovalOutcome, grant: GrantRecord | null = null, store = true): void {
    if (!this.pending.delete(p.view.id)) return;
    clearTimeout(p.timer);
    if (store) {
      // Runs from timers and hang-ups too: a failing write must not throw out of a timer (it would take the
      // daemon down). The held request still ends denied; a leftover 'pending' row is expired at next start.
      try {
        this.store.setStatus(p.view.id, outcome satisfies StoredStatus, new Date().toISOString());
      } catch {
        // See above: the outcome in memory stands.
      }
    }
    if (p.detached) {
      this.finished.set(p.view.id, { status: outcome, agentId: p.agentId });
      if (this.finished.size > 1000) {
        const oldest = this.finished.keys().next().value;
        if (oldest !== undefined) this.finished.delete(oldest);
      }
    }
    if (outcome === 'timeout') {
      try {
        this.core.record({
          actor: 'system',
          action: 'approval.timeout',
          agentId: p.agentId,
          agentName: p.view.agentName,
          decision: 'timeout',
          reason: 'approval_timeout',
          rule: `${p.view.summary}: no decision by ${p.view.expiresAt}, so it was denied.`,
          facts: { approvalId: p.view.id },
          requestId: p.view.requestId,
        });
      } catch {
        // The held request still ends denied; its own entry reports the audit failure.
      }
    }
    const waiter = p.waiter;
    p.waiter = null;
    waiter?.(outcome);
    this.core.bus.emit({
      name: 'approval.decided',
      data: {
        id: p.view.id,
        decision: outcome === 'approved' ? 'approve' : outcome === 'denied' ? 'deny' : outcome,
        grant: grant ? this.grantView(grant) : null,
      },
    });
  }
}
