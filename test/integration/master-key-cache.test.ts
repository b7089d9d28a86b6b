// Opened master keys are kept in memory only while the vault is unlocked: a changed key is used at once,
// lock wipes the opened bytes and nothing is forwarded while locked, unlock opens the key again.
import { describe, expect, it } from 'vitest';
import { agentPost, startTestDaemon, TEST_PASSPHRASE } from '../helpers/daemon.ts';
import { startUpstream } from '../helpers/upstream.ts';

const KEY_1 = 'k-cache-provider-key-0001';
const KEY_2 = 'k-cache-provider-key-0002';

describe('opened master keys', () => {
  it('follow key changes, are zeroed on lock and are never used while locked', async () => {
    const up = await startUpstream();
    const t = await startTestDaemon({ init: false });
    try {
      await t.admin.vault.init({ keySource: 'passphrase', passphrase: TEST_PASSPHRASE });
      await t.admin.providers.put('api', { kind: 'http', baseUrl: up.url, key: KEY_1 });
      const { token } = await t.admin.agents.create({
        name: 'cache-bot',
        scopes: { providers: { api: {} } },
      });
      const call = () => agentPost(t.url, token, '/v1/proxy/api/x', '{}');
      const sentKey = (): string => JSON.stringify(up.received.at(-1)?.headers ?? {});

      expect((await call()).status).toBe(200);
      expect((await call()).status).toBe(200);
      expect(sentKey()).toContain(KEY_1);

      // A new key replaces the opened one at once.
      await t.admin.providers.put('api', { kind: 'http', baseUrl: up.url, key: KEY_2 });
      expect((await call()).status).toBe(200);
      expect(sentKey()).toContain(KEY_2);
      expect(sentKey()).not.toContain(KEY_1);

      // The opened bytes are this store's own; lock zeroes them and nothing is forwarded while locked.
      const opened = (t.daemon.core.providers as unknown as { opened: Map<string, Buffer> }).opened;
      const bytes = opened.get('api');
      expect(bytes?.toString('utf8')).toBe(KEY_2);
      await t.admin.vault.lock();
      expect(bytes?.every((b) => b === 0)).toBe(true);
      expect(opened.size).toBe(0);
      const before = up.received.length;
      const locked = await call();
      expect(locked.status).toBe(503);
      expect(locked.body).not.toContain(KEY_2);
      expect(() => t.daemon.core.providers.masterKey('api')).toThrow(/locked/);
      expect(up.received).toHaveLength(before);

      await t.admin.vault.unlock(TEST_PASSPHRASE);
      expect((await call()).status).toBe(200);
      expect(sentKey()).toContain(KEY_2);

      // A deleted provider's key is gone too.
      await t.admin.providers.delete('api');
      expect(opened.has('api')).toBe(false);
      expect(() => t.daemon.core.providers.masterKey('api')).toThrow(/No provider/);
    } finally {
      await t.stop();
      await up.close();
    }
  });
});
