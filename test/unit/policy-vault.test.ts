// Policy engine: the vault scope (which secrets an agent may read, for how long, with what approval).
import { describe } from 'vitest';
import { DAY_MS } from '../../core/policy/windows.ts';
import { NOW, secret } from './policy-fixtures.ts';
import { table, grant, openai, vault, refused } from './policy-table.ts';

describe('vault scope', () => {
  table([
    {
      name: 'listed secret → allow with no counters',
      scopes: vault,
      facts: secret('crm_api_key'),
      expect: { outcome: 'allow', rule: 'vault', effects: [] },
    },
    {
      name: 'no vault scope → deny "vault"',
      scopes: openai,
      facts: secret('crm_api_key'),
      expect: refused('vault', { value: 'crm_api_key' }),
    },
    {
      name: 'unlisted secret → vault.readOnly',
      scopes: vault,
      facts: secret('db_password'),
      expect: refused('vault.readOnly', {
        limit: ['crm_api_key'],
        value: 'db_password',
        message: 'Secret "db_password" is not in vault.readOnly (allowed: crm_api_key).',
      }),
    },
    {
      name: 'names are case-sensitive',
      scopes: vault,
      facts: secret('CRM_API_KEY'),
      expect: refused('vault.readOnly'),
    },
    {
      name: 'ttl: one ms before the end → allowed',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { scopesSetAt: NOW - 3600_000 + 1 } },
      expect: { outcome: 'allow' },
    },
    {
      name: 'ttl: at the end → vault.ttlSeconds',
      scopes: vault,
      facts: secret('crm_api_key'),
      opts: { agent: { scopesSetAt: NOW - 3600_000 } },
      expect: refused('vault.ttlSeconds', { limit: 3600, value: 3600 }),
    },
    {
      name: 'no ttl → no time limit',
      scopes: { vault: { readOnly: ['crm_api_key'] } },
      facts: secret('crm_api_key'),
      opts: { agent: { scopesSetAt: NOW - 400 * DAY_MS } },
      expect: { outcome: 'allow' },
    },
    {
      name: 'vault approval always → approval',
      scopes: { vault: { readOnly: ['crm_api_key'], approval: 'always' } },
      facts: secret('crm_api_key'),
      expect: {
        outcome: 'approval',
        scope: 'vault.approval',
        limit: 'always',
        value: 'secret.read:crm_api_key',
        reason: 'Reading secrets always needs approval',
      },
    },
    {
      name: 'vault first-use without a grant → approval',
      scopes: { vault: { readOnly: ['crm_api_key'], approval: 'first-use' } },
      facts: secret('crm_api_key'),
      expect: { outcome: 'approval', reason: 'First read of secret crm_api_key needs approval' },
    },
    {
      name: 'vault first-use with a grant → allow with grantId',
      scopes: { vault: { readOnly: ['crm_api_key'], approval: 'first-use' } },
      facts: secret('crm_api_key'),
      opts: { grants: [grant('secret.read:crm_api_key')] },
      expect: { outcome: 'allow', grantId: 'grt_1' },
    },
    {
      name: 'vault {above} has no amount → held',
      scopes: { vault: { readOnly: ['crm_api_key'], approval: { above: 100 } } },
      facts: secret('crm_api_key'),
      expect: { outcome: 'approval', scope: 'vault.approval', limit: 100, value: null },
    },
    {
      name: 'ttl is checked before approval',
      scopes: { vault: { readOnly: ['crm_api_key'], ttlSeconds: 60, approval: 'always' } },
      facts: secret('crm_api_key'),
      opts: { agent: { scopesSetAt: NOW - 61_000 } },
      expect: refused('vault.ttlSeconds'),
    },
  ]);
});
