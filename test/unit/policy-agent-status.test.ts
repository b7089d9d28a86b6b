// Policy engine: agent status and expiry come before every scope (README "Scopes").
import { describe } from 'vitest';
import { NOW, secret } from './policy-fixtures.ts';
import { table, vault } from './policy-table.ts';

describe('agent status and expiry', () => {
  table([
    {
      name: 'active agent is allowed',
      scopes: vault,
      facts: secret('crm_api_key'),
      expect: { outcome: 'allow', rule: 'vault' },
    },
    {
      name: 'revoked → revoked',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { status: 'revoked' } },
      expect: { outcome: 'deny', code: 'revoked', scope: 'agent.status', value: 'revoked' },
    },
    {
      name: 'suspended → suspended',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { status: 'suspended' } },
      expect: { outcome: 'deny', code: 'suspended', scope: 'agent.status', value: 'suspended' },
    },
    {
      name: 'status is checked before expiry',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { status: 'revoked', expiresAt: NOW - 1 } },
      expect: { outcome: 'deny', code: 'revoked', scope: 'agent.status' },
    },
    {
      name: 'suspended is checked before scopes (even a refused request says suspended)',
      scopes: {},
      facts: secret('nope'),
      opts: { agent: { status: 'suspended' } },
      expect: { outcome: 'deny', code: 'suspended', scope: 'agent.status' },
    },
    {
      name: 'expiresAt == now → expired',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { expiresAt: NOW } },
      expect: {
        outcome: 'deny',
        code: 'expired',
        scope: 'agent.expiresAt',
        limit: new Date(NOW).toISOString(),
      },
    },
    {
      name: 'expiresAt one ms in the future → allowed',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { expiresAt: NOW + 1 } },
      expect: { outcome: 'allow' },
    },
    {
      name: 'expiry is checked before scopes',
      scopes: {},
      facts: secret('x'),
      opts: { agent: { expiresAt: NOW - 1000 } },
      expect: { outcome: 'deny', code: 'expired', scope: 'agent.expiresAt' },
    },
  ]);
});
