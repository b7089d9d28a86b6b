// The route table type and a small matcher. Every route declares its auth kind; the server runs the
// host, origin and auth checks for it before the handler sees the request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AgentRecord } from '../agents/store.ts';
import type { BrowserContext } from './guard.ts';
import type { OwnerCaller } from '../owner/context.ts';
import { AppError } from '../errors.ts';
import type { ErrorRenderer } from './respond.ts';

export interface RouteCtx {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  params: Record<string, string>;
  query: URLSearchParams;
  started: number;
  browser: BrowserContext;
  /** Set by the server once an agent credential checked out (agent routes only; see AgentCtx). */
  agent: AgentRecord | null;
  /** Set for admin routes once the owner credential checked out: who acts as the owner, and how. */
  owner: OwnerCaller | null;
  /** "http" for the admin bearer token or console session. */
  via: 'http';
}

/** The context of an agent route: the server has checked the credential, so the agent is always there. */
export type AgentCtx = RouteCtx & { agent: AgentRecord };

/** Access check: true once the server's agent authentication set the calling agent. */
export function hasAgent(ctx: RouteCtx): ctx is AgentCtx {
  return ctx.agent !== null;
}

interface RouteBase {
  method: string;
  path: string;
  /** The console's own origin may call this route (console pages and admin routes with a session). */
  consoleAllowed: boolean;
  /** Errors on this route in another format (proxy routes answer in the provider's own error shape). */
  errorRenderer?: (params: Record<string, string>) => ErrorRenderer | undefined;
}

/** A route's handler is typed by its auth kind: agent routes get a non-null agent, others none. */
export type Route =
  | (RouteBase & { auth: 'agent'; handler: (ctx: AgentCtx) => Promise<void> | void })
  | (RouteBase & { auth: 'admin' | 'none'; handler: (ctx: RouteCtx) => Promise<void> | void });

export type CompiledRoute = Route & {
  regex: RegExp;
  keys: string[];
  literal: boolean;
  /** Every path this route matches starts with this (its literal segments before the first parameter). */
  prefix: string;
};

export function compile(route: Route): CompiledRoute {
  const keys: string[] = [];
  let source = '^';
  let prefix = '';
  for (const seg of route.path.split('/').slice(1)) {
    if (seg === '*') {
      keys.push('rest');
      source += '(/.*)?';
    } else if (seg.startsWith(':')) {
      if (keys.length === 0) prefix += '/';
      keys.push(seg.slice(1));
      source += '/([^/]+)';
    } else {
      if (keys.length === 0) prefix += `/${seg}`;
      source += `/${seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
    }
  }
  return { ...route, regex: new RegExp(`${source}$`), keys, literal: keys.length === 0, prefix };
}

export type Match = { route: CompiledRoute; params: Record<string, string> } | { allowed: string[] } | null;

export function match(routes: readonly CompiledRoute[], method: string, path: string): Match {
  const allowed: string[] = [];
  for (const route of routes) {
    // A cheap necessary condition first: most routes are ruled out without running their pattern.
    if (!path.startsWith(route.prefix)) continue;
    const m = route.regex.exec(path);
    if (!m) continue;
    if (route.method !== '*' && route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    const params: Record<string, string> = {};
    for (let i = 0; i < route.keys.length; i += 1) {
      const raw = m[i + 1] ?? '';
      const key = route.keys[i] ?? '';
      if (key === 'rest') {
        params[key] = raw;
        continue;
      }
      try {
        params[key] = decodeURIComponent(raw);
      } catch {
        throw new AppError('bad_request', `The path segment for "${key}" is not valid percent-encoding.`, {
          path: key,
        });
      }
    }
    return { route, params };
  }
  return allowed.length > 0 ? { allowed } : null;
}

/** Literal routes first, so "/agents/revoke-all" wins over "/agents/:id". */
export function sortRoutes(routes: CompiledRoute[]): CompiledRoute[] {
  return [...routes].sort((a, b) => Number(b.literal) - Number(a.literal));
}
