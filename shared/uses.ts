// Which agents' scopes name a provider or a secret ("Used by" on Providers & Secrets). Browser-safe, so the
// console derives it from the agents it already holds and the core answers the same for the list operations.
import type { Scopes } from './scopes.ts';

/** True when these scopes let an agent reach the provider (by id, or the email/payments default for its kind). */
export function usesProvider(scopes: Scopes, providerId: string, kind: string): boolean {
  if (scopes.providers?.[providerId]) return true;
  if (kind === 'resend' && scopes.email && (scopes.email.provider ?? providerId) === providerId) return true;
  if (kind === 'stripe' && scopes.payments && (scopes.payments.provider ?? providerId) === providerId)
    return true;
  return false;
}

/** True when these scopes let an agent read the named secret. */
export function usesSecret(scopes: Scopes, name: string): boolean {
  return scopes.vault?.readOnly.includes(name) ?? false;
}
