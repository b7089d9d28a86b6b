// Agent routes (agent credential only): whoami, secret release, respond-async approval status.
// The proxy lives in proxy.ts.
import type { Route } from './routes.ts';
import type { Core } from '../core.ts';
import type { ApprovalCenter } from '../approvals/center.ts';
import { sendJson } from './respond.ts';
import { AppError } from '../errors.ts';
import { ERROR_STATUS } from '../../shared/errors.ts';
import { agentOps, type AgentOpOutput } from '../../shared/contract.ts';
import { parseInput } from './validate.ts';
import { authorizeLive, inFlight } from './in-flight.ts';
import { tokenRoute } from '../identity/token-route.ts';
import { sessionRoute } from '../agents/session-control.ts';
import { auditSessionEnds } from '../agents/session-ops.ts';

export function agentRoutes(core: Core, approvals: ApprovalCenter): Route[] {
  auditSessionEnds(core);
  return [
    // Key-based identity: short-lived credentials and akc run sessions (no bearer credential needed).
    tokenRoute(core),
    sessionRoute(core),
    {
      method: 'GET',
      path: '/v1/whoami',
      auth: 'agent',
      consoleAllowed: false,
      handler: (ctx) => {
        const view = core.agentView(ctx.agent);
        // Typed from the contract: a field it does not name fails to compile (shared/contract.ts agentOps).
        const body: AgentOpOutput<'whoami'> = {
          id: view.id,
          name: view.name,
          status: view.status,
          scopes: view.scopes,
          scopeSummary: view.scopeSummary,
          expiresAt: view.expiresAt,
          credentialId: view.credentialId,
          usage: view.usage,
        };
        sendJson(ctx.res, 200, body);
      },
    },
    {
      method: 'GET',
      path: '/v1/secrets/:name',
      auth: 'agent',
      consoleAllowed: false,
      handler: async (ctx) => {
        const agent = ctx.agent;
        const { name } = parseInput(agentOps.secretGet.input, { name: ctx.params.name });
        const facts = { type: 'secret' as const, action: 'secret.read' as const, name };
        // In flight while it is decided: a revoke meanwhile means nothing is released (in-flight.ts).
        const allowed = await inFlight(core, ctx, (controller) =>
          authorizeLive(core, approvals, {
            ctx,
            controller,
            facts,
            where: {
              provider: null,
              path: `/v1/secrets/${name}`,
              // A secret read has no body: the name is the whole request.
              digest: () => `secret.read:${name}`,
            },
            withdrawn: 'the secret was released',
          }),
        );
        // Released only after the allow entry is committed (authorize audits first).
        let value: string;
        try {
          value = core.secrets.value(name);
        } catch (err) {
          // Audited with the status the agent gets: the error's own (404 for a missing secret), 500 otherwise.
          const code = err instanceof AppError ? err.code : 'internal_error';
          allowed.finish(code, ERROR_STATUS[code]);
          throw err;
        }
        const ttl = agent.scopes.vault?.ttlSeconds;
        const expiresAt = ttl === undefined ? null : new Date(agent.scopesSetAt + ttl * 1000).toISOString();
        allowed.finish('released', 200);
        const body: AgentOpOutput<'secretGet'> = { name, value, expiresAt };
        sendJson(ctx.res, 200, body);
      },
    },
    {
      method: 'GET',
      path: '/v1/approvals/:id',
      auth: 'agent',
      consoleAllowed: false,
      handler: (ctx) => {
        const { id } = parseInput(agentOps.approvalStatus.input, { id: ctx.params.id });
        const body: AgentOpOutput<'approvalStatus'> = approvals.statusFor(id, ctx.agent.id);
        sendJson(ctx.res, 200, body);
      },
    },
  ];
}
