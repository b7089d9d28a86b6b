// Refusals on the identity routes (POST /v1/token, POST /v1/sessions): audited with the reason, like any
// failed authentication, until the caller floods (then 429 and no longer one entry per attempt).
import type { Core } from '../core.ts';
import type { RouteCtx } from '../server/routes.ts';
import { AppError } from '../errors.ts';
import { AuthThrottle } from '../server/auth-throttle.ts';
import { ERROR_STATUS } from '../../shared/errors.ts';
import { claimedAgent } from './assertion.ts';

const throttle = new AuthThrottle();

/** What was refused: the audit action, the error, and the assertion the caller sent (if it got that far). */
export interface Refused {
  action: 'token.refused' | 'session.refused';
  err: unknown;
  now: number;
  assertion: string | undefined;
}

/**
 * The error to throw for a refused identity request, audited under the agent its assertion claims (the
 * claim is only a label here: the assertion was not verified, or failed to be).
 */
export function auditRefusal(core: Core, ctx: RouteCtx, refused: Refused): unknown {
  const { action, err, now } = refused;
  if (!(err instanceof AppError)) return err;
  const agent = refused.assertion === undefined ? undefined : claimedAgent(core, refused.assertion);
  if (!throttle.fail(now))
    return new AppError('rate_limited', 'Too many refused requests; slow down.', {
      retryAfter: throttle.retryAfterSeconds(now),
    });
  try {
    core.record({
      actor: 'agent',
      action,
      agentId: agent?.id ?? null,
      agentName: agent?.name ?? null,
      method: ctx.req.method ?? null,
      path: (ctx.req.url ?? '').split('?')[0]?.slice(0, 300) ?? null,
      decision: 'deny',
      reason: err.code,
      rule: err.message,
      status: ERROR_STATUS[err.code],
      requestId: ctx.requestId,
    });
  } catch {
    // Refused either way.
  }
  return err;
}
