// The browser console (headless mode): the built renderer, served from our own origin, and the login
// link that turns a one-time code into an HttpOnly, SameSite=Strict session cookie.
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { Route, RouteCtx } from './routes.ts';
import { BASE_HEADERS, sendJson } from './respond.ts';
import { AppError } from '../errors.ts';
import { SESSION_COOKIE, type ConsoleSessions } from './sessions.ts';
import { STRICT_CSP } from '../../shared/csp.ts';
import { consoleBuildingPage, linkExpiredPage } from './console-page.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

async function serveFile(ctx: RouteCtx, root: string | undefined, relPath: string): Promise<void> {
  if (!root) {
    sendJson(ctx.res, 404, {
      error: {
        code: 'not_found',
        message: 'The console is not built. Run "npm run build" (npm start does it for you).',
        requestId: ctx.requestId,
      },
    });
    return;
  }
  const base = resolve(root);
  const file = resolve(join(base, relPath));
  // Only files inside the console folder; no traversal out of it.
  if (file !== base && !file.startsWith(base + sep)) throw new AppError('not_found', 'No such file.');
  let body: Buffer;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    body = await readFile(file);
  } catch {
    if (relPath === 'index.html') {
      // First start: `npm start` builds the console in the background while the daemon already serves.
      ctx.res.writeHead(503, {
        ...BASE_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': STRICT_CSP,
        'retry-after': '3',
      });
      ctx.res.end(consoleBuildingPage());
      return;
    }
    throw new AppError('not_found', 'No such file.');
  }
  ctx.res.writeHead(200, {
    ...BASE_HEADERS,
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    'content-security-policy': STRICT_CSP,
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  });
  ctx.res.end(body);
}

export function consoleRoutes(consoleDir: string | undefined, sessions: ConsoleSessions): Route[] {
  return [
    {
      method: 'GET',
      path: '/',
      auth: 'none',
      consoleAllowed: true,
      handler: (ctx) => serveFile(ctx, consoleDir, 'index.html'),
    },
    {
      method: 'GET',
      path: '/assets/*',
      auth: 'none',
      consoleAllowed: true,
      handler: (ctx) => {
        const rest = ctx.params.rest ?? '';
        if (!/^\/[A-Za-z0-9._-]+$/.test(rest)) throw new AppError('not_found', 'No such file.');
        return serveFile(ctx, consoleDir, `assets${rest}`);
      },
    },
    {
      method: 'GET',
      path: '/favicon.ico',
      auth: 'none',
      consoleAllowed: true,
      handler: (ctx) => {
        ctx.res.writeHead(204, BASE_HEADERS);
        ctx.res.end();
      },
    },
    {
      method: 'GET',
      path: '/console/login',
      auth: 'none',
      consoleAllowed: true,
      handler: (ctx) => {
        const code = ctx.query.get('code') ?? '';
        const session = sessions.redeem(code, Date.now());
        if (!session) {
          ctx.res.writeHead(401, {
            ...BASE_HEADERS,
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': STRICT_CSP,
          });
          ctx.res.end(linkExpiredPage());
          return;
        }
        ctx.res.writeHead(303, {
          ...BASE_HEADERS,
          // The proof travels in the fragment: the browser keeps it, no server or log ever sees it.
          location: `/#session=${session.proof}`,
          'set-cookie': `${SESSION_COOKIE}=${session.cookie}; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200`,
        });
        ctx.res.end();
      },
    },
  ];
}
