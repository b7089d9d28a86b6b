// The one test of whether a remembered approval (a grant) still counts, for the policy engine, the grant
// store and the console alike.

/**
 * Not expired (expiresAt, epoch ms, is exclusive; null: no end) and uses left (null: unlimited).
 */
export function grantLive(g: { expiresAt: number | null; usesLeft: number | null }, now: number): boolean {
  return (g.expiresAt === null || g.expiresAt > now) && (g.usesLeft === null || g.usesLeft > 0);
}
