// What the email and payments rules check first, the same way: the scope must be set (deny by default), and
// its `provider`, when set, must name the provider of this call.
import type { ProxyFacts } from '../../../shared/facts.ts';
import { quote, scopeDenied, type Deny } from '../outcome.ts';

const UNSET = {
  email: 'Sending email is refused: the email scope is not set.',
  payments: 'Payments are refused: the payments scope is not set.',
} as const;

/** The email or payments scope when it is set and not pinned to another provider; otherwise the refusal. */
export function kindScope<S extends { provider?: string | undefined }>(
  name: 'email' | 'payments',
  scope: S | undefined,
  facts: ProxyFacts,
): S | Deny {
  if (scope === undefined) {
    return scopeDenied(name, null, name === 'email' ? facts.providerId : facts.action, UNSET[name]);
  }
  // `provider` pins the scope to one provider account.
  if (scope.provider !== undefined && scope.provider !== facts.providerId) {
    return scopeDenied(
      `${name}.provider`,
      scope.provider,
      facts.providerId,
      `Provider ${quote(facts.providerId)} is not ${name}.provider (allowed: ${scope.provider}).`,
    );
  }
  return scope;
}
