// The loopback HTTP server: one route table, and every check before routing (docs/ARCHITECTURE.md, invariants 3–5):
// Host allowlist (421) → Origin/Referer (403) → route (404/405) → credential for the route's kind → handler.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Core } from '../core.ts';
import { AppError } from '../errors.ts';
import { browserContext, hostAllowed } from './guard.ts';
import { AlreadyResponded, renderErrorsWith, sendError } from './respond.ts';
import {
  compile,
  hasAgent,
  match,
  sortRoutes,
  type CompiledRoute,
  type Route,
  type RouteCtx,
} from './routes.ts';
import { ConsoleSessions, SESSION_HEADER } from './sessions.ts';
import { AuthThrottle } from './auth-throttle.ts';
import { ADMIN_PREFIX, AGENT_PREFIX } from '../agents/credentials.ts';
import { OWNER_SESSION_PREFIX, type OwnerPlane } from '../owner/plane.ts';
import { authenticateShortLived } from '../agents/session-auth.ts';
import { describeInternal } from '../failure.ts';

export interface ServerDeps {
  core: Core;
  /** Owner credentials: CLI sessions bound to a shell, in-process tokens (see core/owner/plane.ts). */
  owner: OwnerPlane;
  sessions: ConsoleSessions;
  routes: Route[];
  port: () => number;
}

const ID_BYTES = 12;
let idPool = Buffer.alloc(0);
let idAt = 0;

/** `req_` + 12 random bytes (base64url), cut from a pool refilled 256 ids at a time. */
export function newRequestId(): string {
  if (idAt + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * 256);
    idAt = 0;
  }
  const id = idPool.toString('base64url', idAt, idAt + ID_BYTES);
  idAt += ID_BYTES;
  return `req_${id}`;
}

function bearer(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    // "DPoP" is the scheme of key-bound tokens (RFC 9449); the proof itself is checked with the token.
    const m = /^(?:Bearer|DPoP)\s+(\S+)\s*$/i.exec(auth);
    return m?.[1] ?? null;
  }
  const key = req.headers['x-api-key'];
  return typeof key === 'string' && key.length > 0 ? key.trim() : null;
}

export class LoopbackServer {
  readonly server: Server;
  private readonly deps: ServerDeps;
  private readonly routes: CompiledRoute[];
  private readonly throttle = new AuthThrottle();

  constructor(deps: ServerDeps) {
    this.deps = deps;
    this.routes = sortRoutes(deps.routes.map(compile));
    this.server = createServer(
      {
        maxHeaderSize: 16 * 1024,
        headersTimeout: 10_000,
        requestTimeout: 60_000,
        keepAliveTimeout: 5_000,
      },
      (req, res) => {
        void this.handle(req, res);
      },
    );
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable)
        socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    res.setHeader('x-akc-request-id', requestId);
    const started = performance.now();
    const port = this.deps.port();
    try {
      // DNS-rebinding defence: only our own loopback names, with our port.
      if (!hostAllowed(req.headers.host, port)) {
        throw new AppError(
          'misdirected_host',
          `This server answers only to 127.0.0.1:${port}, localhost:${port} or [::1]:${port}.`,
        );
      }
      const rawUrl = req.url ?? '/';
      if (!rawUrl.startsWith('/'))
        throw new AppError('bad_request', 'The request target must be a path.', { path: 'url' });
      const q = rawUrl.indexOf('?');
      const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
      let query: URLSearchParams | undefined;
      const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
      const referer = typeof req.headers.referer === 'string' ? req.headers.referer : undefined;
      const browser = browserContext(origin, referer, port);
      // A web page elsewhere must never reach this server, not even to learn an error.
      if (browser === 'foreign') {
        throw new AppError(
          'forbidden_origin',
          'Requests from web pages are refused. Call this API from a local program, without Origin or Referer headers.',
        );
      }
      const found = match(this.routes, req.method ?? 'GET', path);
      if (found === null)
        throw new AppError('not_found', `No route ${req.method ?? 'GET'} ${path.slice(0, 200)}.`);
      if ('allowed' in found) {
        res.setHeader('allow', [...new Set(found.allowed)].join(', '));
        throw new AppError(
          'method_not_allowed',
          `${req.method ?? 'GET'} is not allowed on ${path.slice(0, 200)}.`,
        );
      }
      const { route, params } = found;
      const render = route.errorRenderer?.(params);
      if (render !== undefined) renderErrorsWith(res, render);
      const ctx: RouteCtx = {
        req,
        res,
        requestId,
        params,
        // Parsed on first use: the proxy reads the raw query string and never needs this.
        get query(): URLSearchParams {
          query ??= new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : '');
          return query;
        },
        started,
        browser,
        agent: null,
        owner: null,
        via: 'http',
      };
      // The console's own origin is accepted only on console pages and on admin routes with a session.
      if (browser === 'own' && !route.consoleAllowed) {
        throw new AppError(
          'forbidden_origin',
          'Browser requests are accepted only from the console on its own routes.',
        );
      }
      if (route.auth === 'agent') {
        await this.checkAgent(ctx, path);
        // The one place an agent route's credential is asserted; its handler gets a non-null agent.
        if (!hasAgent(ctx)) throw new AppError('invalid_token', 'No agent credential.');
        await route.handler(ctx);
      } else {
        if (route.auth === 'admin') this.checkAdmin(ctx);
        await route.handler(ctx);
      }
    } catch (err) {
      if (err instanceof AppError && err.code === 'payload_too_large') {
        // Answer, then drain what the client is still sending so it can read the answer; the
        // connection closes afterwards and requestTimeout bounds the drain.
        res.setHeader('connection', 'close');
        req.resume();
      }
      this.fail(res, err, requestId);
    }
  }

  /**
   * Admin routes: a console session (cookie + proof from the console's own origin), or an owner
   * credential: a CLI owner session, honoured only from the shell it is bound to, or an in-process token.
   * No file, environment variable or command line holds one by default (README "Threat model").
   */
  private checkAdmin(ctx: RouteCtx): void {
    const now = Date.now();
    const token = bearer(ctx.req);
    if (token !== null) {
      if (token.startsWith(AGENT_PREFIX)) {
        this.authFailure(
          ctx,
          'invalid_token',
          'Agent credentials work only on /v1 routes, never on /admin.',
          now,
        );
      }
      const result = this.deps.owner.authenticate(ctx.req, token);
      if (result.ok) {
        ctx.owner = result.caller;
        return;
      }
      this.authFailure(ctx, 'unauthorized', result.message, now);
    }
    const proof = ctx.req.headers[SESSION_HEADER];
    if (
      this.deps.sessions.valid(ctx.req.headers.cookie, typeof proof === 'string' ? proof : undefined, now)
    ) {
      // A signed-in console tab is the owner present, like the desktop window.
      ctx.owner = { kind: 'console', sessionId: null, presence: true, pid: null };
      return;
    }
    this.authFailure(
      ctx,
      'unauthorized',
      'Admin routes need an owner session: run `akc login` (the owner allows it in the app or the console), or open the console.',
      now,
    );
  }

  private async checkAgent(ctx: RouteCtx, path: string): Promise<void> {
    const now = Date.now();
    const token = bearer(ctx.req);
    if (token === null) {
      this.authFailure(
        ctx,
        'invalid_token',
        'Send your agent credential as "Authorization: Bearer akc_…" or "x-api-key: akc_…".',
        now,
        path,
      );
    }
    if (token.startsWith(ADMIN_PREFIX) || token.startsWith(OWNER_SESSION_PREFIX)) {
      this.authFailure(
        ctx,
        'invalid_token',
        'Owner credentials work only on /admin routes, never on agent routes.',
        now,
        path,
      );
    }
    const result = this.deps.core.agents.authenticate(token, now);
    if (!result.ok && result.code === 'invalid_token' && result.agent === undefined) {
      // Not a long-lived credential: maybe a session credential (akc run) or a key-minted token.
      const short = await authenticateShortLived(this.deps.core, ctx, token, now);
      if (short !== null) {
        if (!short.ok) this.authFailure(ctx, short.code, short.message, now, path, short.agent);
        ctx.agent = short.agent;
        return;
      }
    }
    if (!result.ok) {
      this.authFailure(ctx, result.code, result.message, now, path, result.agent);
    }
    ctx.agent = result.agent;
    this.deps.core.agents.touch(result.agent, now);
  }

  /** Every failed authentication is audited, until the throttle says the caller is flooding. */
  private authFailure(
    ctx: RouteCtx,
    code: 'invalid_token' | 'unauthorized' | 'revoked' | 'expired' | 'suspended',
    message: string,
    now: number,
    path?: string,
    agent?: { id: string; name: string },
  ): never {
    const audited = this.throttle.fail(now);
    if (!audited) {
      throw new AppError('rate_limited', 'Too many failed authentications; slow down.', {
        retryAfter: this.throttle.retryAfterSeconds(now),
      });
    }
    try {
      this.deps.core.record({
        actor: 'agent',
        action: 'auth.failed',
        agentId: agent?.id ?? null,
        agentName: agent?.name ?? null,
        method: ctx.req.method ?? null,
        path: (path ?? ctx.req.url ?? '').split('?')[0]?.slice(0, 300) ?? null,
        decision: 'deny',
        reason: code,
        rule: message,
        status: code === 'suspended' ? 403 : 401,
        requestId: ctx.requestId,
      });
    } catch {
      // The request is refused either way.
    }
    throw new AppError(code, message);
  }

  private fail(res: ServerResponse, err: unknown, requestId: string): void {
    if (err instanceof AlreadyResponded) return;
    if (err instanceof AppError) {
      sendError(res, err, requestId);
      return;
    }
    // Unexpected (core/failure.ts): log where it happened, never the message, and answer without details.
    process.stderr.write(`agent-keychain: internal error on ${requestId}: ${describeInternal(err)}\n`);
    sendError(
      res,
      new AppError(
        'internal_error',
        `Something went wrong inside Agent Keychain. Quote request id ${requestId} when reporting it.`,
      ),
      requestId,
    );
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      // Loopback only, never 0.0.0.0 (docs/ARCHITECTURE.md, invariant 3).
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /** Connections accepted by the daemon's own listener (it binds the port before the core exists). */
  private readonly adopted = new Set<Socket>();

  /** Serves a connection another listener accepted; close() ends it like the server's own. */
  adopt(socket: Socket): void {
    this.adopted.add(socket);
    socket.once('close', () => this.adopted.delete(socket));
    this.server.emit('connection', socket);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      // A server that never listened tracks no connections of its own: end the adopted ones (open
      // event streams and keep-alive sockets must not outlive the daemon).
      for (const socket of this.adopted) socket.destroy();
      this.adopted.clear();
    });
  }
}
