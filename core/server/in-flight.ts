// The sequence every agent request that releases something runs (the proxy, secret release): registered in
// flight while it is decided, so a revoke, suspend or rotate meanwhile cuts it; authorized (policy,
// approval, the allow entry committed); then, right before anything is released, still the same live
// credential and not cut — otherwise its outcome is audited as "cut" (499) and nothing leaves.
import type { Core } from '../core.ts';
import type { ApprovalCenter } from '../approvals/center.ts';
import type { RequestFacts } from '../../shared/facts.ts';
import { AppError } from '../errors.ts';
import { authorize, type Authorized, type Where } from './authorize.ts';
import type { AgentCtx } from './routes.ts';

/** Runs `work` registered in flight for the calling agent; the registration ends however `work` ends. */
export async function inFlight<T>(
  core: Core,
  ctx: AgentCtx,
  work: (controller: AbortController) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const release = core.inflight.register(ctx.agent.id, controller);
  try {
    return await work(controller);
  } finally {
    release();
  }
}

/**
 * Access check: authorizes the request, then refuses it with `revoked` unless the agent is still live and
 * its in-flight registration was not cut while it was decided. `withdrawn` says what was not released.
 */
export async function authorizeLive(
  core: Core,
  approvals: ApprovalCenter,
  live: {
    ctx: AgentCtx;
    /** The request's in-flight registration (inFlight): a revoke aborts it. */
    controller: AbortController;
    facts: RequestFacts;
    where: Where;
    /** What was not released if the agent was cut meanwhile, for the refusal's message. */
    withdrawn: string;
  },
): Promise<Authorized> {
  const { ctx, controller, withdrawn } = live;
  const allowed = await authorize(core, approvals, {
    ctx,
    agent: ctx.agent,
    facts: live.facts,
    where: live.where,
  });
  if (!core.stillLive(ctx.agent, controller)) {
    allowed.finish('cut', 499);
    throw new AppError('revoked', `This agent’s access was withdrawn before ${withdrawn}.`);
  }
  return allowed;
}
