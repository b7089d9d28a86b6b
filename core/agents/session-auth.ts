// Authentication of short-lived agent credentials (session credentials from `akc run`, tokens from
// POST /v1/token). Grants nothing by itself: it says which agent is calling, and refuses a session
// credential presented from outside the process tree it was minted for, and a key-bound token presented
// without a proof by its key.
import type { RouteCtx } from '../server/routes.ts';
import type { Core } from '../core.ts';
import type { AgentRecord, AuthResult } from './store.ts';
import { hashTokenHex } from './credentials.ts';
import { allDescendFrom, peerProcesses } from './session-peer.ts';
import { PROOF_HEADER, verifyProof } from '../identity/proof.ts';
import { AppError } from '../errors.ts';

export type ShortLivedAuth =
  { ok: true; agent: AgentRecord } | (Extract<AuthResult, { ok: false }> & { misuse?: boolean });

/**
 * Returns null when the token is no short-lived credential at all (the caller's own "unknown credential"
 * answer stands). The agent handed back for a success is a copy whose tokenHash is this credential's, so
 * the last liveness check before forwarding (Core.stillLive) sees the session end too.
 */
export async function authenticateShortLived(
  core: Core,
  ctx: RouteCtx,
  token: string,
  now: number,
): Promise<ShortLivedAuth | null> {
  const found = core.shortLived.lookup(hashTokenHex(token), now);
  if (found === undefined) return null;
  if (found === 'expired')
    return { ok: false, code: 'expired', message: 'This short-lived credential has expired; get a new one.' };
  const cred = found;
  const agent = core.agents.find(cred.agentId);
  if (!agent) return { ok: false, code: 'invalid_token', message: 'The credential belongs to no agent.' };
  const status = core.agents.statusOf(agent, now);
  if (status !== 'active') {
    const code = status === 'revoked' ? 'revoked' : status === 'expired' ? 'expired' : 'suspended';
    return {
      ok: false,
      code,
      message: `Agent ${agent.name} is ${status}; its credentials do not work.`,
      agent,
    };
  }
  if (cred.binding !== null) {
    // Honoured only for connections held by the launched process tree: a copy of the token used by any
    // other process (another agent, a shell, a leaked transcript) is refused.
    const peer = await peerProcesses(ctx.req.socket);
    if (!allDescendFrom(peer, cred.binding.launcherPid)) {
      const who = peer.holders.map((h) => h.pid).join(', ') || 'unknown';
      return {
        ok: false,
        code: 'invalid_token',
        misuse: true,
        message: `Session credential used outside its process: ${cred.id} belongs to the process tree of akc run (pid ${cred.binding.launcherPid}); this connection comes from pid ${who}.`,
        agent,
      };
    }
  }
  if (cred.jkt !== null) {
    const proof = ctx.req.headers[PROOF_HEADER];
    try {
      await verifyProof(
        typeof proof === 'string' ? proof : undefined,
        {
          method: (ctx.req.method ?? 'GET').toUpperCase(),
          url: `http://${ctx.req.headers.host ?? ''}${(ctx.req.url ?? '/').split('?')[0] ?? '/'}`,
          jkt: cred.jkt,
          token,
        },
        now,
      );
    } catch (err) {
      if (err instanceof AppError) return { ok: false, code: 'invalid_token', message: err.message, agent };
      throw err;
    }
  }
  // Cut with the credential: ending the session destroys this response.
  cred.open.add(ctx.res);
  ctx.res.once('close', () => cred.open.delete(ctx.res));
  core.agents.touch(agent, now);
  return { ok: true, agent: { ...agent, tokenHash: Buffer.from(cred.hashHex, 'hex') } };
}
