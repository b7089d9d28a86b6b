// Vault scope: which named secrets an agent may read, and for how long after its scopes were set.
import type { VaultScope } from '../../../shared/scopes.ts';
import { quote, listText, scopeDenied, type Deny } from '../outcome.ts';

/** Refusal for reading secret `name`, or null when vault.readOnly (and ttlSeconds) allow it. */
export function checkSecret(
  vault: VaultScope | undefined,
  name: string,
  scopesSetAt: number,
  now: number,
): Deny | null {
  // No vault scope: no secret is readable (deny by default).
  if (vault === undefined) {
    return scopeDenied(
      'vault',
      null,
      name,
      `Secret ${quote(name)} is refused: the vault scope is not set, so no secret may be read.`,
    );
  }
  // Only names listed in vault.readOnly, exact and case-sensitive.
  if (!vault.readOnly.includes(name)) {
    return scopeDenied(
      'vault.readOnly',
      vault.readOnly,
      name,
      `Secret ${quote(name)} is not in vault.readOnly (allowed: ${listText(vault.readOnly)}).`,
    );
  }
  // ttlSeconds: reading stops ttlSeconds after the scopes were set (the end instant itself is already refused).
  if (vault.ttlSeconds !== undefined && now >= scopesSetAt + vault.ttlSeconds * 1000) {
    const elapsed = Math.floor((now - scopesSetAt) / 1000);
    const ended = new Date(scopesSetAt + vault.ttlSeconds * 1000).toISOString();
    return scopeDenied(
      'vault.ttlSeconds',
      vault.ttlSeconds,
      elapsed,
      `Secret access ended at ${ended}: vault.ttlSeconds is ${vault.ttlSeconds} s after the scopes were set, and ${elapsed} s have passed.`,
    );
  }
  return null;
}
