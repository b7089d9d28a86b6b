// Console sessions (headless mode). The login link carries a one-time code; exchanging it sets an
// HttpOnly, SameSite=Strict cookie AND hands the page a second secret in the redirect's URL fragment
// (never sent over the wire). Admin calls need both: browsers send 127.0.0.1 cookies to every port, so a
// cookie alone could be replayed by any local web server the owner's browser visits; the fragment secret
// lives only in this origin's sessionStorage. Only hashes are kept, in memory: a restart logs everyone out.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const CODE_TTL_MS = 10 * 60_000;
const SESSION_TTL_MS = 12 * 3600_000;
const MAX_ENTRIES = 64;
export const SESSION_COOKIE = 'akc_session';
export { CONSOLE_SESSION_HEADER as SESSION_HEADER } from '../../shared/contract.ts';

const h = (v: string): string => createHash('sha256').update(v).digest('hex');

interface Session {
  expires: number;
  proofHash: Buffer;
}

function prune<T>(map: Map<string, T>, expiresOf: (v: T) => number, now: number): void {
  for (const [k, v] of map) if (expiresOf(v) < now) map.delete(k);
  // Oldest first: Map keeps insertion order.
  while (map.size >= MAX_ENTRIES) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
}

export class ConsoleSessions {
  private readonly codes = new Map<string, number>();
  private readonly sessions = new Map<string, Session>();

  /** A new one-time login code, valid for 10 minutes. */
  mintCode(now: number): string {
    prune(this.codes, (e) => e, now);
    const code = randomBytes(32).toString('base64url');
    this.codes.set(h(code), now + CODE_TTL_MS);
    return code;
  }

  /** Exchanges a one-time code for a session cookie value and its page proof; null when the code is no good. */
  redeem(code: string, now: number): { cookie: string; proof: string } | null {
    const key = h(code);
    const expires = this.codes.get(key);
    this.codes.delete(key);
    if (expires === undefined || expires < now) return null;
    prune(this.sessions, (s) => s.expires, now);
    const cookie = randomBytes(32).toString('base64url');
    const proof = randomBytes(32).toString('base64url');
    this.sessions.set(h(cookie), {
      expires: now + SESSION_TTL_MS,
      proofHash: createHash('sha256').update(proof).digest(),
    });
    return { cookie, proof };
  }

  /** True when the request carries a live session cookie and that session's proof header. */
  valid(cookieHeader: string | undefined, proofHeader: string | undefined, now: number): boolean {
    if (!cookieHeader || !proofHeader) return false;
    const proof = createHash('sha256').update(proofHeader).digest();
    for (const part of cookieHeader.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name !== SESSION_COOKIE) continue;
      const session = this.sessions.get(h(rest.join('=')));
      if (session && session.expires > now && timingSafeEqual(session.proofHash, proof)) return true;
    }
    return false;
  }
}
