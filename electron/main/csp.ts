// The Content-Security-Policy sent with every response our renderer loads (docs/ARCHITECTURE.md,
// "Electron shell"). Pure.
import { STRICT_CSP } from '../../shared/csp.ts';

/**
 * The policy for this run. With the electron-vite dev server (unpackaged development only), React refresh
 * needs its inline preamble and the HMR websocket on that server's origin; nothing else is loosened.
 */
export function contentSecurityPolicy(devUrl?: string): string {
  if (!devUrl) return STRICT_CSP;
  let ws: string;
  try {
    const u = new URL(devUrl);
    ws = ` ${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}`;
  } catch {
    return STRICT_CSP;
  }
  return STRICT_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "connect-src 'self'",
    `connect-src 'self'${ws}`,
  );
}
