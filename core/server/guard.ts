// Checks that run before any routing (docs/ARCHITECTURE.md, invariant 3): the Host must name this loopback port (stops DNS
// rebinding), and a browser request (Origin or Referer) is refused unless it is the console's own origin.
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const h = host.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
}

/** The console's own origins: the loopback names this server answers to. */
export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
}

export type BrowserContext = 'none' | 'own' | 'foreign';

/**
 * Classifies a request by its Origin and Referer. "own" only when every browser header present points at
 * this server; anything else is "foreign". Requests without either header are "none" (CLI, SDKs).
 */
export function browserContext(
  origin: string | undefined,
  referer: string | undefined,
  port: number,
): BrowserContext {
  if (origin === undefined && referer === undefined) return 'none';
  const own = ownOrigins(port);
  if (origin !== undefined && !own.includes(origin.toLowerCase())) return 'foreign';
  if (referer !== undefined) {
    let refOrigin: string;
    try {
      refOrigin = new URL(referer).origin.toLowerCase();
    } catch {
      return 'foreign';
    }
    if (!own.includes(refOrigin)) return 'foreign';
  }
  return 'own';
}
