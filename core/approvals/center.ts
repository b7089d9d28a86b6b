// Held requests (DESIGN §5). A request whose rule needs the owner is held open and announced at once;
// it completes when the owner decides, when it times out (deny), or when its agent is revoked (deny).
// Identical pending requests of one agent merge into one prompt, answered together.
import type { Core } from '../core.ts';
import type { AgentRecord } from '../agents/store.ts';
import type { RequestFacts } from '../../shared/facts.ts';
import type { ApprovalView, GrantView, ProcessInfo } from '../../shared/models.ts';
import type { RuleRef } from '../../shared/errors.ts';
import { describeAction } from '../../shared/summary.ts';
import { newId } from '../agents/credentials.ts';
import { lookupProcess } from './process.ts';
import { Grants, type GrantRecord } from './grants.ts';
import { AppError } from '../errors.ts';
import { usageMeters } from '../policy/usage.ts';

export type ApprovalOutcome = 'approved' | 'denied' | 'timeout' | 'cancelled';

interface Pending {
  view: ApprovalView;
  agentId: string;
  actionKey: string;
  mergeKey: string;
  firstUse: boolean;
  waiters: Set<(outcome: ApprovalOutcome) => void>;
  timer: NodeJS.Timeout;
  /** respond-async approvals wait with no held connection. */
  detached: boolean;
}

export interface HoldRequest {
  agent: AgentRecord;
  facts: RequestFacts;
  rule: RuleRef;
  reason: string;
  actionKey: string;
  requestId: string;
  clientPort: number | undefined;
  serverPort: number;
  detached: boolean;
}

/** Distinct prompts one agent may have waiting at once; identical requests merge and do not count. */
const MAX_PENDING_PER_AGENT = 20;

const LOOKING_UP: ProcessInfo = {
  pid: null,
  command: null,
  parents: [],
  note: 'Looking up the calling process…',
};

export function actionLabel(actionKey: string): string {
  const [action, target] = actionKey.split(':');
  switch (action) {
    case 'email.send':
      return `send email via ${target ?? ''}`;
    case 'payment.create':
      return `make payments via ${target ?? ''}`;
    case 'card.create':
      return `create cards via ${target ?? ''}`;
    case 'secret.read':
      return `read secret ${target ?? ''}`;
    default:
      return `call ${target ?? ''}`;
  }
}

export class ApprovalCenter {
  private readonly core: Core;
  readonly grants: Grants;
  private readonly pending = new Map<string, Pending>();
  /** Outcomes of detached (respond-async) approvals, for their status URL. */
  private readonly finished = new Map<string, { status: ApprovalOutcome; agentId: string; at: number }>();

  constructor(core: Core) {
    this.core = core;
    this.grants = new Grants(core.db);
  }

  /** Pending approvals cannot outlive a restart: mark leftovers expired and audit each. */
  expireLeftovers(): number {
    const rows = this.core.db
      .prepare<[], { id: string; agent_id: string; request_id: string; summary: string }>(
        "SELECT id, agent_id, request_id, summary FROM approvals WHERE status = 'pending'",
      )
      .all();
    for (const r of rows) {
      this.core.db
        .prepare("UPDATE approvals SET status = 'expired', decided_at = ? WHERE id = ?")
        .run(new Date().toISOString(), r.id);
      const agent = this.core.agents.find(r.agent_id);
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
    }
    return rows.length;
  }

  count(): number {
    return this.pending.size;
  }

  list(): ApprovalView[] {
    return [...this.pending.values()].map((p) => p.view);
  }

  /** Holds a request; the promise settles with the owner's decision, a timeout or a cancellation. */
  hold(req: HoldRequest): { id: string; outcome: Promise<ApprovalOutcome>; release: () => void } {
    const mergeKey = `${req.agent.id}\u0000${req.detached ? 'async' : 'held'}\u0000${JSON.stringify(req.facts)}`;
    let pending = [...this.pending.values()].find((p) => p.mergeKey === mergeKey);
    if (
      !pending &&
      [...this.pending.values()].filter((p) => p.agentId === req.agent.id).length >= MAX_PENDING_PER_AGENT
    ) {
      throw new AppError(
        'rate_limited',
        `Agent ${req.agent.name} already has ${MAX_PENDING_PER_AGENT} different requests waiting for approval.`,
        { retryAfter: 10 },
      );
    }
    if (pending) {
      pending.view = { ...pending.view, count: pending.view.count + 1 };
      this.core.bus.emit('approval.requested', pending.view);
    } else {
      pending = this.create(req, mergeKey);
    }
    const p = pending;
    let resolveFn: (o: ApprovalOutcome) => void = () => undefined;
    const outcome = new Promise<ApprovalOutcome>((resolve) => {
      resolveFn = resolve;
    });
    p.waiters.add(resolveFn);
    const release = (): void => {
      // The agent hung up: drop its wait; a prompt nobody waits for any more is withdrawn.
      if (!p.waiters.delete(resolveFn)) return;
      // The held request ends now instead of waiting on a promise nobody will settle; it records why.
      resolveFn('cancelled');
      if (p.waiters.size === 0 && !p.detached && this.pending.has(p.view.id)) this.finish(p, 'cancelled');
      else if (p.view.count > 1) {
        p.view = { ...p.view, count: p.view.count - 1 };
        this.core.bus.emit('approval.requested', p.view);
      }
    };
    return { id: p.view.id, outcome, release };
  }

  private create(req: HoldRequest, mergeKey: string): Pending {
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
    };
    this.core.db
      .prepare(
        "INSERT INTO approvals (id, agent_id, request_id, summary, rule, facts_json, status, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
      )
      .run(
        id,
        req.agent.id,
        req.requestId,
        summary,
        req.rule.scope,
        JSON.stringify(req.facts),
        view.createdAt,
        view.expiresAt,
      );
    const pending: Pending = {
      view,
      agentId: req.agent.id,
      actionKey: req.actionKey,
      mergeKey,
      firstUse: req.rule.limit === 'first-use',
      waiters: new Set(),
      timer: setTimeout(() => this.finish(pending, 'timeout'), this.core.options.approvalTimeoutMs),
      detached: req.detached,
    };
    pending.timer.unref();
    this.pending.set(id, pending);
    this.core.bus.emit('approval.requested', view);
    // The process lookup reads /proc and may take a moment: the prompt goes out first, then updates.
    void lookupProcess(req.clientPort, req.serverPort).then((info) => {
      const current = this.pending.get(id);
      if (!current) return;
      current.view = { ...current.view, process: info };
      this.core.bus.emit('approval.requested', current.view);
    });
    return pending;
  }

  /** The owner's decision. Approve may remember the approval for minutes and/or uses. */
  decide(
    id: string,
    decision: 'approve' | 'deny',
    remember: { minutes?: number | undefined; uses?: number | undefined } | undefined,
    via: string,
  ): { id: string; decision: 'approve' | 'deny'; grant: GrantView | null; merged: number } {
    const p = this.pending.get(id);
    if (!p)
      throw new AppError(
        'not_found',
        `No pending approval ${id}: it was already decided, timed out or withdrawn.`,
      );
    const now = this.core.now();
    let grant: GrantRecord | null = null;
    const agent = this.core.agents.get(p.agentId);
    this.core.atomically(() => {
      if (decision === 'approve') {
        const minutes = remember?.minutes;
        const uses = remember?.uses;
        const label = `${agent.name} · ${actionLabel(p.actionKey)}`;
        if (minutes !== undefined || uses !== undefined) {
          grant = this.grants.create(
            {
              agentId: agent.id,
              actionKey: p.actionKey,
              covers: label,
              usesLeft: uses ?? null,
              expiresAt: minutes === undefined ? null : now + minutes * 60_000,
            },
            now,
          );
        } else if (p.firstUse) {
          // "first-use": once approved, this agent × action is remembered until the agent's scopes change.
          grant = this.grants.create(
            {
              agentId: agent.id,
              actionKey: p.actionKey,
              covers: `${label} · first use approved`,
              usesLeft: null,
              expiresAt: null,
            },
            now,
          );
        } else if (p.detached) {
          // respond-async: the agent re-sends the request; one use, soon.
          grant = this.grants.create(
            {
              agentId: agent.id,
              actionKey: p.actionKey,
              covers: `${label} · one approved retry`,
              usesLeft: 1,
              expiresAt: now + 10 * 60_000,
            },
            now,
          );
        }
      }
      this.core.record({
        actor: 'owner',
        action: 'approval.decided',
        agentId: agent.id,
        agentName: agent.name,
        decision: decision === 'approve' ? 'approved' : 'denied',
        reason: decision === 'approve' ? 'approved' : 'approval_denied',
        rule: grant ? `${p.view.summary} · remembered: ${grant.covers}` : p.view.summary,
        facts: { approvalId: id, via, merged: p.view.count, grantId: grant ? grant.id : null },
        requestId: p.view.requestId,
      });
    });
    const merged = p.view.count;
    this.finish(p, decision === 'approve' ? 'approved' : 'denied', grant);
    return { id, decision, grant: grant ? this.grantView(grant) : null, merged };
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

  private finish(p: Pending, outcome: ApprovalOutcome, grant: GrantRecord | null = null): void {
    if (!this.pending.delete(p.view.id)) return;
    clearTimeout(p.timer);
    const status = outcome === 'approved' ? 'approved' : outcome;
    this.core.db
      .prepare('UPDATE approvals SET status = ?, decided_at = ? WHERE id = ?')
      .run(status, new Date().toISOString(), p.view.id);
    if (p.detached) {
      this.finished.set(p.view.id, { status: outcome, agentId: p.agentId, at: this.core.now() });
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
          rule: `${p.view.summary}: no decision within ${Math.round(this.core.options.approvalTimeoutMs / 1000)} s, so it was denied.`,
          facts: { approvalId: p.view.id, merged: p.view.count },
          requestId: p.view.requestId,
        });
      } catch {
        // The held requests still end denied; their own entries report the audit failure.
      }
    }
    for (const waiter of p.waiters) waiter(outcome);
    p.waiters.clear();
    this.core.bus.emit('approval.decided', {
      id: p.view.id,
      decision: outcome === 'approved' ? 'approve' : outcome === 'denied' ? 'deny' : outcome,
      grant: grant ? this.grantView(grant) : null,
    });
  }
}
