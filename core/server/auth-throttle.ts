// Failed authentication is rate limited (docs/ARCHITECTURE.md, invariant 4): past 50 failures in 10 seconds, further failures
// are answered with 429 and no longer audited one by one. Valid credentials are never throttled.
const WINDOW_MS = 10_000;
const MAX_FAILURES = 50;

export class AuthThrottle {
  private windowStart = 0;
  private failures = 0;
  private suppressed = 0;

  /** Counts a failure; returns false when the caller should be throttled (and not audited). */
  fail(now: number): boolean {
    if (now - this.windowStart >= WINDOW_MS) {
      this.windowStart = now;
      this.failures = 0;
      this.suppressed = 0;
    }
    this.failures += 1;
    if (this.failures > MAX_FAILURES) {
      this.suppressed += 1;
      return false;
    }
    return true;
  }

  retryAfterSeconds(now: number): number {
    return Math.max(1, Math.ceil((this.windowStart + WINDOW_MS - now) / 1000));
  }
}
