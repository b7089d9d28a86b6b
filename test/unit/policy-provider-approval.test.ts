// Policy engine: provider approval rules ({above} on the estimated cost, first-use, always).
import { describe } from 'vitest';
import { llm } from './policy-fixtures.ts';
import { table } from './policy-table.ts';

describe('provider scopes: approval', () => {
  table([
    {
      name: 'provider approval {above: 50} cents: $0.50 → allow',
      scopes: { providers: { openai: { approval: { above: 50 } } } },
      facts: llm({ estimatedUsd: 0.5 }),
      expect: { outcome: 'allow' },
    },
    {
      name: 'provider approval {above: 50} cents: $0.51 → approval',
      scopes: { providers: { openai: { approval: { above: 50 } } } },
      facts: llm({ estimatedUsd: 0.51 }),
      expect: {
        outcome: 'approval',
        scope: 'providers.openai.approval',
        limit: 50,
        value: 51,
        reason: 'Estimated cost over $0.50',
      },
    },
    {
      name: 'provider approval {above}: a read with no estimate counts as $0',
      scopes: { providers: { openai: { approval: { above: 0 } } } },
      facts: llm({ method: 'GET', path: '/files', model: undefined }),
      expect: { outcome: 'allow' },
    },
    {
      name: 'provider approval {above}: a call that may cost with no estimate has nothing to compare → held',
      scopes: { providers: { openai: { approval: { above: 0 } } } },
      facts: llm({ path: '/batches', model: undefined }),
      expect: { outcome: 'approval' },
    },
    {
      name: 'provider first-use → approval',
      scopes: { providers: { openai: { approval: 'first-use' } } },
      facts: llm(),
      expect: {
        outcome: 'approval',
        value: 'llm.request:openai',
        reason: 'First use of openai needs approval',
      },
    },
    {
      name: 'provider always → approval carries effects',
      scopes: { providers: { openai: { approval: 'always', rateLimit: { requests: 5, per: 'minute' } } } },
      facts: llm(),
      expect: {
        outcome: 'approval',
        reason: 'Calls to openai always need approval',
        effects: [{ key: 'rate:openai', count: 1, reserveMicro: 0 }],
      },
    },
    {
      name: 'budget is checked before approval',
      scopes: { providers: { openai: { approval: 'always', budget: { usd: 1, per: 'day' } } } },
      facts: llm({ estimatedUsd: 2 }),
      expect: { outcome: 'deny', code: 'budget_exceeded', scope: 'providers.openai.budget' },
    },
  ]);
});
