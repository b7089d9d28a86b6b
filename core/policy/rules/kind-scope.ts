// What the email and payments rules check first, the same way: the scope must be set (deny by default), and
// its `provider`, when set, must name the provider of this call.
import type { ProxyFacts } from '../../../shared/facts.ts';
import type { RuleRef } from '../../../shared/errors.ts';
import { quote, scopeDenied, type Deny } from '../outcome.ts';

export function kindScopeDenied(
  name: 'email' | 'payments',
  scope: { provider?: string | undefined } | undefined,
  facts: ProxyFacts,
  unset: { value: RuleRef['value']; message: string },
): Deny | null {
  if (scope === undefined) return scopeDenied(name, null, unset.value, unset.message);
  // `provider` pins the scope to one provider account.
  if (scope.provider !== undefined && scope.provider !== facts.providerId) {
    return scopeDenied(
      `${name}.provider`,
      scope.provider,
      facts.providerId,
      `Provider ${quote(facts.providerId)} is not ${name}.provider (allowed: ${scope.provider}).`,
    );
  }
  return null;
}
