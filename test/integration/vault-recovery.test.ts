// The recovery code: shown once at setup, never stored; it opens the vault when the OS keychain entry is gone
// (new machine, keyring reset) or the passphrase is forgotten, and the vault key can then be put in a new
// source. Real daemon, real SQLite, the real Secret Service where the session has one, the real openai SDK.
import { afterAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestDaemon, TEST_PASSPHRASE, type TestDaemon } from '../helpers/daemon.ts';
import { chatHandler, startUpstream, type FakeUpstream } from '../helpers/upstream.ts';
import { hasKeyring } from '../helpers/env.ts';
import { OsKeychain } from '../../core/keychain/os-keychain.ts';

const MASTER_KEY = 'sk-recovery-MASTER-key-5c1e0f7a';

if (!hasKeyring)
  console.log(
    '[note] vault recovery: no Secret Service here, so the forgotten-passphrase path is tested instead',
  );

/** One chat call as the agent through the daemon's proxy; the upstream must receive the master key. */
async function chatGetsMasterKey(t: TestDaemon, up: FakeUpstream, token: string): Promise<void> {
  const client = new OpenAI({ baseURL: `${t.url}/v1/proxy/openai`, apiKey: token, maxRetries: 0 });
  await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'hi' }],
    max_completion_tokens: 5,
  });
  expect(up.received.at(-1)?.headers.authorization).toBe(`Bearer ${MASTER_KEY}`);
}

describe('recovery code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'akc-recover-'));
  let up: FakeUpstream | undefined;
  let t: TestDaemon | undefined;
  afterAll(async () => {
    await t?.stop();
    await up?.close();
  });

  it('is shown once at setup and stored nowhere in clear', async () => {
    up = await startUpstream(chatHandler({ model: 'gpt-4o-mini' }));
    t = await startTestDaemon({ dir, init: false });
    const out = await t.admin.vault.init(
      hasKeyring ? { keySource: 'os-keychain' } : { keySource: 'passphrase', passphrase: TEST_PASSPHRASE },
    );
    const code = out.recoveryCode ?? '';
    expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(out.recoverable).toBe(true);
    // Not in the status, the audit, or any file of the data directory (the database included).
    expect(JSON.stringify(await t.admin.vault.status())).not.toContain(code);
    expect(JSON.stringify(await t.admin.audit.list({}))).not.toContain(code);
    for (const f of readdirSync(dir)) {
      try {
        const bytes = readFileSync(join(dir, f));
        expect(bytes.includes(Buffer.from(code)), f).toBe(false);
        expect(bytes.includes(Buffer.from(code.replace(/-/g, ''))), f).toBe(false);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
      }
    }
    await t.admin.providers.put('openai', { kind: 'openai', baseUrl: up.url, key: MASTER_KEY });
    const { token } = await t.admin.agents.create({
      name: 'recover-bot',
      scopes: { providers: { openai: { models: ['gpt-4o-mini'] } } },
    });
    const vaultId = t.daemon.core.db
      .prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'vault.id'")
      .get()?.value;
    await t.stop();
    t = undefined;

    // The key source is lost: the keychain item is deleted (or the passphrase forgotten).
    if (hasKeyring) await new OsKeychain().delete(`vault-${vaultId ?? ''}`);
    t = await startTestDaemon({ dir, init: false });
    const locked = await t.admin.vault.status();
    expect(locked.vault).toBe('locked');
    if (hasKeyring) expect(locked.vaultError).toContain('not in the');

    // A wrong code changes nothing, and the failed attempt is on the record.
    const wrong = await t.admin.vault
      .recover('0000-0000-0000-0000-0000-0000-0000-0000')
      .catch((e: unknown) => e);
    expect((wrong as Error).message).toContain('Wrong recovery code');
    expect((await t.admin.vault.status()).vault).toBe('locked');
    const failed = (await t.admin.audit.list({ action: 'vault.recover_failed' })).entries;
    expect(failed).toHaveLength(1);
    expect(JSON.stringify(failed)).not.toContain('0000-0000');

    // The right code opens it, typed loosely (lower case, spaces instead of dashes).
    const opened = await t.admin.vault.recover(code.toLowerCase().replace(/-/g, ' '));
    expect(opened.vault).toBe('unlocked');
    await chatGetsMasterKey(t, up, token);

    // Then a new key source: the vault opens from it after a restart, and the provider still gets its key.
    await t.admin.vault.keySource(
      hasKeyring
        ? { keySource: 'os-keychain' }
        : { keySource: 'passphrase', passphrase: 'a brand new passphrase 42' },
    );
    expect((await t.admin.audit.list({ action: 'vault.key_source_changed' })).entries).toHaveLength(1);
    await t.stop();
    t = await startTestDaemon({ dir, init: false });
    if (!hasKeyring) {
      const old = await t.admin.vault.unlock(TEST_PASSPHRASE).catch((e: unknown) => e);
      expect((old as Error).message).toContain('Wrong passphrase');
      await t.admin.vault.unlock('a brand new passphrase 42');
    }
    expect((await t.admin.vault.status()).vault).toBe('unlocked');
    await chatGetsMasterKey(t, up, token);
  });

  it('a failed passphrase unlock is audited, without the passphrase tried', async () => {
    const p = await startTestDaemon({ init: false });
    try {
      await p.admin.vault.init({ keySource: 'passphrase', passphrase: TEST_PASSPHRASE });
      await p.admin.vault.lock();
      const err = await p.admin.vault.unlock('not the passphrase at all').catch((e: unknown) => e);
      expect((err as Error).message).toContain('Wrong passphrase');
      const failed = (await p.admin.audit.list({ action: 'vault.unlock_failed' })).entries;
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ decision: 'deny', reason: 'wrong_passphrase', actor: 'owner' });
      expect(JSON.stringify(failed)).not.toContain('not the passphrase');
      expect((await p.admin.vault.status()).vault).toBe('locked');
    } finally {
      await p.stop();
    }
  });
});
