// Admin routes: one per operation in the shared contract, plus the event stream and the audit export.
import { adminOps, type AdminOpName, AuditQuery } from '../../shared/contract.ts';
import type { Route, RouteCtx } from './routes.ts';
import { readJsonObject } from './body.ts';
import { sendJson, BASE_HEADERS } from './respond.ts';
import { dispatch, type AdminImpl } from '../admin/ops.ts';
import { parseInput } from './validate.ts';
import type { Core } from '../core.ts';
import { AppError } from '../errors.ts';
import type { ConsoleSessions } from './sessions.ts';

const SSE_BACKLOG_LIMIT = 1024 * 1024;

function inputFor(ctx: RouteCtx, method: string, body: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = method === 'GET' ? Object.fromEntries(ctx.query) : { ...body };
  // Path parameters win over anything in the body: the URL names the record.
  for (const [k, v] of Object.entries(ctx.params)) input[k] = v;
  return input;
}

export function adminRoutes(core: Core, impl: AdminImpl, sessions: ConsoleSessions): Route[] {
  const routes: Route[] = (Object.keys(adminOps) as AdminOpName[]).map((name) => {
    const def = adminOps[name];
    return {
      method: def.method,
      path: def.path,
      auth: 'admin',
      consoleAllowed: true,
      handler: async (ctx: RouteCtx) => {
        const body = def.method === 'GET' || def.method === 'DELETE' ? {} : await readJsonObject(ctx.req);
        const output = await dispatch(impl, name, inputFor(ctx, def.method, body), 'http');
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
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      ping.unref();
      res.on('close', () => {
        clearInterval(ping);
        unsubscribe();
      });
    },
  });

  routes.push({
    method: 'GET',
    path: '/admin/v1/audit/export',
    auth: 'admin',
    consoleAllowed: true,
    handler: (ctx) => {
      const params = Object.fromEntries(ctx.query);
      const format = params.format ?? 'jsonl';
      if (format !== 'jsonl' && format !== 'csv')
        throw new AppError('bad_request', 'format must be jsonl or csv.', { path: 'format' });
      delete params.format;
      const q = parseInput(AuditQuery.omit({ limit: true, cursor: true }), params);
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

  routes.push({
    method: 'POST',
    path: '/admin/v1/console/link',
    auth: 'admin',
    consoleAllowed: false,
    handler: (ctx) => {
      sendJson(ctx.res, 200, { url: `${core.url}/console/login?code=${sessions.mintCode(Date.now())}` });
    },
  });

  return routes;
}
