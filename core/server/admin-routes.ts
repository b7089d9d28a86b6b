// Admin routes: one per operation in the shared contract, plus the event stream and the audit export.
import { adminOps, type AdminOpName, AuditQuery } from '../../shared/contract.ts';
import type { Route, RouteCtx } from './routes.ts';
import { readJsonObject } from './body.ts';
import { sendJson, BASE_HEADERS } from './respond.ts';
import { dispatch, type AdminImpl } from '../admin/ops.ts';
import { parseInput } from './validate.ts';
import type { Core } from '../core.ts';
import { AppError } from '../errors.ts';
import type { ApprovalCenter } from '../approvals/center.ts';
import type { OwnerPlane } from '../owner/plane.ts';
import { runAsOwner, type OwnerCaller } from '../owner/context.ts';
import { requirePresenceFor } from '../owner/acts.ts';

const SSE_BACKLOG_LIMIT = 1024 * 1024;

function inputFor(ctx: RouteCtx, method: string, body: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = method === 'GET' ? Object.fromEntries(ctx.query) : { ...body };
  // Path parameters win over anything in the body: the URL names the record.
  for (const [k, v] of Object.entries(ctx.params)) input[k] = v;
  return input;
}

/** The owner behind an admin request; the server sets it before any admin handler runs. */
function callerOf(ctx: RouteCtx): OwnerCaller {
  if (ctx.owner === null) throw new AppError('unauthorized', 'Admin routes need an owner session.');
  return ctx.owner;
}

export function adminRoutes(
  core: Core,
  impl: AdminImpl,
  deps: { approvals: ApprovalCenter; owner: OwnerPlane },
): Route[] {
  const gate = { core, approvals: deps.approvals, owner: deps.owner };
  const routes: Route[] = (Object.keys(adminOps) as AdminOpName[]).map((name) => {
    const def = adminOps[name];
    return {
      method: def.method,
      path: def.path,
      auth: 'admin',
      consoleAllowed: true,
      handler: async (ctx: RouteCtx) => {
        const body = def.method === 'GET' || def.method === 'DELETE' ? {} : await readJsonObject(ctx.req);
        const caller = callerOf(ctx);
        const input = inputFor(ctx, def.method, body);
        // Sensitive acts from a CLI session wait here for fresh presence (a prompt or the passphrase).
        await requirePresenceFor(gate, caller, name, input, ctx.req);
        const output = await runAsOwner(caller, () => dispatch(impl, name, input, 'http'));
        if (name !== 'status' && !name.endsWith('List') && name !== 'agentGet')
          deps.owner.countAct(caller.sessionId);
        sendJson(ctx.res, name === 'agentCreate' ? 201 : 200, output);
      },
    };
  });

  routes.push({
    method: 'GET',
    path: '/admin/v1/events',
    auth: 'admin',
    consoleAllowed: true,
    handler: (ctx) => {
      const { res, req } = ctx;
      res.writeHead(200, {
        ...BASE_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        connection: 'keep-alive',
      });
      res.write(`: connected ${ctx.requestId}\n\n`);
      req.socket.setTimeout(0);
      req.socket.setNoDelay(true);
      // Frames arrive serialised once and joined per turn of the event loop (core/events/bus.ts).
      const write = (frames: string): void => {
        // A listener that cannot keep up is dropped: it must never hold memory or slow the core.
        if (res.writableLength > SSE_BACKLOG_LIMIT) {
          res.destroy();
          return;
        }
        res.write(frames);
      };
      const unsubscribe = core.bus.subscribeStream(write);
      // A signed-in console tab with its event stream open can show owner prompts.
      const detach = callerOf(ctx).kind === 'console' ? deps.owner.attachSurface('console tab') : null;
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      ping.unref();
      res.on('close', () => {
        clearInterval(ping);
        unsubscribe();
        detach?.();
      });
    },
  });

  routes.push({
    method: 'GET',
    path: '/admin/v1/audit/export',
    auth: 'admin',
    consoleAllowed: true,
    handler: async (ctx) => {
      const params = Object.fromEntries(ctx.query);
      await requirePresenceFor(gate, callerOf(ctx), 'auditExport', params, ctx.req);
      const format = params.format ?? 'jsonl';
      if (format !== 'jsonl' && format !== 'csv')
        throw new AppError('bad_request', 'format must be jsonl or csv.', { path: 'format' });
      delete params.format;
      const q = parseInput(AuditQuery.omit({ limit: true, cursor: true }), params);
      await runAsOwner(callerOf(ctx), () =>
        core.record({
          actor: 'owner',
          action: 'audit.exported',
          decision: 'event',
          reason: 'audit.exported',
          rule: `Audit exported as ${format}`,
          facts: { format, ...q },
        }),
      );
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      ctx.res.writeHead(200, {
        ...BASE_HEADERS,
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="agent-keychain-audit-${stamp}.${format}"`,
      });
      const lines = core.audit.exportLines(q, format)[Symbol.iterator]();
      // Streamed with backpressure: never the whole log in memory.
      const pump = (): void => {
        for (;;) {
          const next = lines.next();
          if (next.done === true) {
            ctx.res.end();
            return;
          }
          if (!ctx.res.write(next.value)) {
            ctx.res.once('drain', pump);
            return;
          }
        }
      };
      ctx.res.on('close', () => lines.return?.(undefined));
      pump();
    },
  });

  return routes;
}
