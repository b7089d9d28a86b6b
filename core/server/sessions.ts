// Console sessions (headless mode). The login link carries a one-time code; exchanging it sets an
// HttpOnly, SameSite=Strict cookie. Only hashes are kept, in memory: a restart logs everyone out.
import { createHash, randomBytes } from 'node:crypto';

const CODE_TTL_MS = 10 * 60_000;
const SESSION_TTL_MS = 12 * 3600_000;
export const SESSION_COOKIE = 'akc_session';

const h = (v: string): string => createHash('sha256').update(v).digest('hex');

export class ConsoleSessions {
  private readonly codes = new Map<string, number>();
  private readonly sessions = new Map<string, number>();

  /** A new one-time login code, valid for 10 minutes. */
  mintCode(now: number): string {
    const code = randomBytes(32).toString('base64url');
    this.codes.set(h(code), now + CODE_TTL_MS);
    return code;
  }

  /** Exchanges a one-time code for a session id; null when the code is unknown, used or stale. */
  redeem(code: string, now: number): string | null {
    const key = h(code);
    const expires = this.codes.get(key);
    this.codes.delete(key);
    if (expires === undefined || expires < now) return null;
    const session = randomBytes(32).toString('base64url');
    this.sessions.set(h(session), now + SESSION_TTL_MS);
    return session;
  }

  /** True when the cookie header carries a live console session. */
  valid(cookieHeader: string | undefined, now: number): boolean {
    if (!cookieHeader) return false;
    for (const part of cookieHeader.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name !== SESSION_COOKIE) continue;
      const expires = this.sessions.get(h(rest.join('=')));
      if (expires !== undefined && expires > now) return true;
    }
    return false;
  }
}
