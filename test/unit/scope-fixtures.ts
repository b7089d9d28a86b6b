// The OpenAI provider scope of the README's "Scopes" example, which the policy, scope-sentence and scope-form
// tests all start from. Without its approval rule: each test sets the one it checks.
import type { ProviderScope } from '../../shared/scopes.ts';

export const readmeOpenai: ProviderScope = {
  models: ['gpt-4o-mini'],
  methods: ['POST'],
  paths: ['/chat/completions'],
  rateLimit: { requests: 60, per: 'minute' },
  budget: { usd: 5, per: 'day' },
};
