// The decision step shared by the proxy and secret release: policy → (approval) → audit commit.
// Nothing proceeds until its allow entry is committed; if the audit cannot be written the caller gets
// audit_unavailable and no counter moves (fail-closed, docs/ARCHITECTURE.md "Invariants").
import { callerOf } from '../audit/caller.ts';
import { connectionOf } from '../procfs.ts';
import type { Core } from '../core.ts';
import type { ApprovalCenter } from '../approvals/center.ts';
import type { AgentRecord } from '../agents/store.ts';
import type { RequestFacts } from '../../shared/facts.ts';
import type { RouteCtx } from './routes.ts';
import type { CounterEffect, PolicyDecision } from '../policy/types.ts';
import type { RuleRef } from '../../shared/errors.ts';
import { decide } from '../policy/engine.ts';
import { AppError } from '../errors.ts';
import { AlreadyResponded, sendJson } from './respond.ts';

export interface Where {
  provider: string | null;
  path: string;
  /**
   * Digest of the exact request (method, path, query, billing headers, body), computed only when needed: for
   * a held request, and when the agent has a grant bound to one request (a respond-async retry).
   */
  digest: () => string;
}

export interface Authorized {
  effects: CounterEffect[];
  /** Writes the outcome entry (status, latency, cost) for this request id. Never throws. */
  finish(
    reason: string,
    status: number,
    extra?: { costUsd?: number | null; facts?: Record<string, unknown> },
  ): void;
}

export function ruleText(rule: RuleRef): string {
  const parts = [rule.scope];
  if (rule.limit !== undefined)
    parts.push(`limit=${Array.isArray(rule.limit) ? rule.limit.join('|') : String(rule.limit)}`);
  if (rule.value !== undefined)
    parts.push(`value=${Array.isArray(rule.value) ? rule.value.join('|') : String(rule.value)}`);
  return parts.join(' ');
}

/** What a decision is about: the agent's request, its facts and where it goes. */
export interface DecisionRequest {
  ctx: RouteCtx;
  agent: AgentRecord;
  facts: RequestFacts;
  where: Where;
}

export async function authorize(
  core: Core,
  approvals: ApprovalCenter,
  request: DecisionRequest,
): Promise<Authorized> {
  const { ctx, agent, facts, where } = request;
  const method = ctx.req.method ?? 'GET';
  const base = {
    actor: 'agent' as const,
    agentId: agent.id,
    agentName: agent.name,
    action: facts.action,
    provider: where.provider,
    method,
    path: where.path,
    facts: facts as unknown as Record<string, unknown>,
    requestId: ctx.requestId,
    // The calling process, when already resolved for this connection (never a /proc scan per request).
    caller: callerOf(ctx.req.socket),
  };
  const latency = (): number => Math.round((performance.now() - ctx.started) * 100) / 100;

  const refuse = (
    code: AppError['code'],
    message: string,
    decision: 'deny' | 'timeout',
    rule: RuleRef | null,
    retryAfter?: number,
  ): never => {
    // A denial is audited with the rule that denied it; if even that cannot be written, say so instead.
    core.record({
      ...base,
      decision,
      reason: code,
      rule: rule ? `${ruleText(rule)}: ${message}` : message,
      latencyMs: latency(),
      status: null,
    });
    throw new AppError(code, message, {
      ...(rule ? { rule } : {}),
      ...(retryAfter !== undefined ? { retryAfter } : {}),
    });
  };

  // While locked, nothing is forwarded and no secret can be opened.
  if (core.vault.state !== 'unlocked') {
    refuse(
      'vault_locked',
      'The vault is locked: the owner must unlock Agent Keychain before agents can use it.',
      'deny',
      null,
    );
  }

  // Always the current record: scopes or status may change while a request waits.
  const decideNow = (approved: boolean): PolicyDecision => {
    const grants = approvals.grants.forAgent(agent.id, core.now());
    return decide({
      agent: core.policyAgent(core.agents.find(agent.id) ?? agent),
      facts,
      counters: core.counters.reader(agent.id),
      grants,
      now: core.now(),
      approved,
      // Hashing the body is only worth it when a grant is bound to one exact request.
      ...(grants.some((g) => g.constraint?.digest !== undefined) ? { digest: where.digest() } : {}),
    });
  };

  let decision = decideNow(false);
  let approvedByOwner = false;

  if (decision.outcome === 'approval') {
    const held = decision;
    const detached = /\brespond-async\b/i.test(String(ctx.req.headers.prefer ?? ''));
    let hold: ReturnType<ApprovalCenter['hold']>;
    try {
      hold = approvals.hold({
        agent,
        facts,
        digest: where.digest(),
        rule: held.rule,
        reason: held.reason,
        actionKey: held.actionKey,
        requestId: ctx.requestId,
        connection: connectionOf(ctx.req.socket),
        detached,
      });
    } catch (err) {
      // Too many distinct prompts waiting for this agent: refused, never queued without bound.
      if (err instanceof AppError) refuse(err.code, err.message, 'deny', held.rule, err.retryAfter);
      throw err;
    }
    try {
      core.record({
        ...base,
        decision: 'pending',
        reason: 'approval_required',
        rule: `${ruleText(held.rule)}: ${held.reason}`,
        status: detached ? 202 : null,
      });
    } catch (err) {
      hold.release();
      throw err;
    }
    if (detached) {
      sendJson(ctx.res, 202, {
        approval: { id: hold.id, status: 'pending', statusUrl: `/v1/approvals/${hold.id}` },
        message:
          'Waiting for the owner. Poll the status URL; once it says "approved", send the same request again.',
      });
      throw new AlreadyResponded();
    }
    const onClose = (): void => hold.release();
    ctx.res.on('close', onClose);
    const outcome = await hold.outcome;
    ctx.res.off('close', onClose);
    if (ctx.res.destroyed) {
      // The caller exited or hung up: the request ends here, on the record, so it never reads "waiting"
      // (not while the daemon is shutting down: its database is closing).
      if (outcome === 'cancelled' && core.db.open)
        core.record({
          ...base,
          decision: 'deny',
          reason: 'caller_exited',
          rule: `${ruleText(held.rule)}: the caller hung up while waiting for approval; nothing was sent`,
          latencyMs: latency(),
          status: null,
        });
      throw new AppError('approval_denied', 'The agent hung up while waiting for approval.');
    }
    // Re-read the agent: it may have been revoked or suspended while the request waited.
    const current = core.agents.find(agent.id) ?? agent;
    const status = core.agents.statusOf(current, core.now());
    if (status !== 'active') {
      const code = status === 'revoked' ? 'revoked' : status === 'expired' ? 'expired' : 'suspended';
      refuse(code, `Agent ${agent.name} is ${status}; the held request was refused.`, 'deny', null);
    }
    if (outcome === 'timeout') {
      refuse(
        'approval_timeout',
        `Nobody approved "${held.reason}" in time, so the request was denied.`,
        'timeout',
        held.rule,
      );
    }
    if (outcome !== 'approved') {
      refuse('approval_denied', 'The owner denied this request.', 'deny', held.rule);
    }
    approvedByOwner = true;
    // Limits may have moved while the request waited: decide again, with the approval satisfied.
    decision = decideNow(true);
  }

  if (decision.outcome === 'deny') {
    refuse(decision.code, decision.message, 'deny', decision.rule, decision.retryAfterSeconds);
  }
  if (decision.outcome !== 'allow') {
    refuse('approval_denied', 'The request still needs approval.', 'deny', decision.rule);
  }
  const allow = decision as Extract<PolicyDecision, { outcome: 'allow' }>;

  // No await between the decision above and this call: commitGrouped runs its function at once, so the
  // counter bumps and the grant use are taken in the same synchronous step as the decision (one use can never
  // be spent by two racing requests); only the wait for the commit is asynchronous.
  await core.commitGrouped(() => {
    core.counters.apply(agent.id, allow.effects);
    if (allow.grantId) approvals.grants.take(agent.id, allow.grantId);
    core.record({
      ...base,
      decision: approvedByOwner ? 'approved' : 'allow',
      reason: allow.grantId ? 'grant' : approvedByOwner ? 'approved' : 'allowed',
      rule: allow.grantId ? `${allow.rule} (remembered approval ${allow.grantId})` : allow.rule,
    });
  });

  let finished = false;
  return {
    effects: allow.effects,
    finish: (reason, status, extra = {}) => {
      if (finished) return;
      finished = true;
      // Nothing waits on the outcome: it rides with the next group commit (core/storage/transactions.ts).
      core
        .recordLater({
          ...base,
          caller: callerOf(ctx.req.socket),
          action: `${facts.action}.result`,
          facts: extra.facts ?? null,
          decision: status >= 200 && status < 400 ? 'allow' : 'error',
          reason,
          status,
          latencyMs: latency(),
          costUsd: extra.costUsd ?? null,
        })
        .catch(() => {
          // The decision entry is already committed; an outcome that cannot be written is lost, not fatal.
        });
    },
  };
}
