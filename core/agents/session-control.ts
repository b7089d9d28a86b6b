// POST /v1/sessions: the control connection of `akc run`. The launcher proves which agent it launches
// for with an assertion signed by the agent's enrolled key; the daemon finds the launcher's pid from the
// connection itself (never from anything the caller says), mints a session credential honoured only for
// that process's descendants, and streams it back as NDJSON. While the connection stays open the session
// is renewed; when it closes (child exited, `akc run` killed) the session ends at once.
import type { Route } from '../server/routes.ts';
import type { Core } from '../core.ts';
import { readJsonObject } from '../server/body.ts';
import { parseInput } from '../server/validate.ts';
import { BASE_HEADERS } from '../server/respond.ts';
import { AppError } from '../errors.ts';
import { SessionRequest, type SessionLine, type SessionView } from '../../shared/identity.ts';
import { verifyAssertion } from '../identity/assertion.ts';
import { auditRefusal } from '../identity/refusal.ts';
import { peerProcesses } from './session-peer.ts';
import { sessionEnv } from './session-env.ts';
import type { ShortLivedCredential } from './session-tokens.ts';

export const DEFAULT_SESSION_SECONDS = 15 * 60;

export function sessionView(core: Core, cred: ShortLivedCredential): SessionView {
  return {
    id: cred.id,
    agentId: cred.agentId,
    agentName: core.agents.find(cred.agentId)?.name ?? cred.agentId,
    pid: cred.binding?.launcherPid ?? null,
    command: cred.command,
    credentialId: cred.hint,
    startedAt: new Date(cred.createdAt).toISOString(),
    expiresAt: new Date(cred.expiresAt).toISOString(),
  };
}

/** The launcher process: the one process holding the control connection, as /proc says. */
async function launcherOf(core: Core, ctx: Parameters<Route['handler']>[0]): Promise<{ pid: number } | null> {
  if (process.platform !== 'linux') return null; // Best effort elsewhere: no binding (README).
  const peer = await peerProcesses(ctx.req.socket);
  const holder = peer.holders.length === 1 ? peer.holders[0] : undefined;
  if (!holder)
    throw new AppError(
      'invalid_token',
      `The launching process could not be identified (${peer.note ?? 'several processes share the connection'}); no session was created.`,
    );
  // No akc run inside akc run: a launcher inside a live session's tree would widen that tree's reach.
  for (const cred of core.shortLived.sessions(Date.now())) {
    const root = cred.binding?.launcherPid;
    if (root !== undefined && holder.ancestors.includes(root))
      throw new AppError(
        'conflict',
        `akc run cannot be started inside another akc run session (${cred.id}); run it from a normal shell.`,
      );
  }
  return { pid: holder.pid };
}

export function sessionRoute(core: Core): Route {
  return {
    method: 'POST',
    path: '/v1/sessions',
    auth: 'none',
    consoleAllowed: false,
    handler: async (ctx) => {
      const now = Date.now();
      let input: SessionRequest | undefined;
      let cred: ShortLivedCredential;
      let token: string;
      let ttlMs: number;
      try {
        input = parseInput(SessionRequest, await readJsonObject(ctx.req));
        const { agent, key } = await verifyAssertion(core, input.assertion, now);
        const launcher = await launcherOf(core, ctx);
        ttlMs = (input.ttlSeconds ?? DEFAULT_SESSION_SECONDS) * 1000;
        ({ cred, token } = core.shortLived.mint({
          kind: 'session',
          agentId: agent.id,
          ttlMs,
          now,
          kid: key.kid,
          binding: launcher ? { launcherPid: launcher.pid } : null,
          command: input.command ?? null,
        }));
        try {
          core.record({
            actor: 'agent',
            action: 'session.started',
            agentId: agent.id,
            agentName: agent.name,
            decision: 'allow',
            reason: 'session.started',
            rule: `Session ${cred.id} (${cred.hint}) for akc run pid ${launcher?.pid ?? 'unknown'}: ${cred.command ?? ''}`.slice(
              0,
              500,
            ),
            facts: {
              sessionId: cred.id,
              kid: key.kid,
              pid: launcher?.pid ?? null,
              command: cred.command,
              ttlSeconds: ttlMs / 1000,
            },
            requestId: ctx.requestId,
          });
        } catch (err) {
          // Fail-closed: a session whose start cannot be audited never reaches the launcher.
          core.shortLived.end(cred.id, 'audit unavailable', now);
          throw err;
        }
      } catch (err) {
        throw auditRefusal(core, ctx, { action: 'session.refused', err, now, assertion: input?.assertion });
      }

      const { req, res } = ctx;
      const agent = core.agents.get(cred.agentId);
      req.socket.setTimeout(0);
      req.socket.setNoDelay(true);
      res.writeHead(200, { ...BASE_HEADERS, 'content-type': 'application/x-ndjson; charset=utf-8' });
      const send = (line: SessionLine): void => {
        res.write(`${JSON.stringify(line)}\n`);
      };
      send({ type: 'session', session: sessionView(core, cred), token, env: sessionEnv(core, agent, token) });
      core.bus.emit({ name: 'agent.updated', data: core.agentView(agent) });

      // Renewed while the launcher holds the connection: a third of the TTL before it would run out.
      const renew = setInterval(
        () => {
          const renewed = core.shortLived.renew(cred.id, ttlMs, Date.now());
          if (!renewed) {
            res.end();
            return;
          }
          send({ type: 'renewed', expiresAt: new Date(renewed.expiresAt).toISOString() });
        },
        Math.max(1000, Math.floor(ttlMs / 3)),
      );
      renew.unref();
      // The connection closing (child exited, akc run killed, daemon stopping) ends the session now.
      // The launcher's FIN ("end") is handled in the same turn that it arrives, before our own FIN goes
      // out: a launcher that waits for the connection to close knows the session is over.
      const over = (): void => {
        clearInterval(renew);
        if (cred.ended) return;
        core.shortLived.end(cred.id, 'control connection closed', Date.now());
      };
      req.socket.once('end', over);
      req.socket.once('close', over);
      res.once('close', over);
    },
  };
}
