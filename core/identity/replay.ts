// One-time identifiers (jti) remembered until the assertion or proof that carried them expires, so a
// replay inside its validity window is refused. In memory: after a daemon restart every short-lived
// credential is void anyway, and an assertion lives at most 60 s.
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  private lastSweep = 0;

  /** Remembers the id until `until`; false when it was already used. */
  use(id: string, until: number, now: number): boolean {
    this.sweep(now);
    const known = this.seen.get(id);
    if (known !== undefined && known > now) return false;
    this.seen.set(id, until);
    return true;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 10_000) return;
    this.lastSweep = now;
    for (const [id, until] of this.seen) if (until <= now) this.seen.delete(id);
  }
}
