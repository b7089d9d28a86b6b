// Issue 2: the daemon, its data directory, the vault with the real OS keychain and with a passphrase,
// and what never reaches the disk in clear.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ownerTokenFile, runHeadless, runHeadlessToExit, withoutDbus } from '../helpers/child.ts';
import { fakeProvider, raw, startTestDaemon, TEST_PASSPHRASE } from '../helpers/daemon.ts';
import { hasKeyring, keyringSkipReason } from '../helpers/env.ts';
import { AgentKeychain, AgentKeychainError } from '../../client/index.ts';
import { AppError } from '../../core/errors.ts';
import { rejection } from '../helpers/rejection.ts';

const mode = (p: string): number => statSync(p).mode & 0o777;
const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'akc-f-')), 'data');

if (!hasKeyring) console.log(`[skip] OS-keychain tests: ${keyringSkipReason}`);

const failure = (p: Promise<unknown>): Promise<AgentKeychainError> => rejection(p, AgentKeychainError);

describe('headless start', () => {
  it('writes only daemon.json (url, pid, version) 0600 in a 0700 data directory, no owner credential, and stops cleanly on SIGTERM', async () => {
    const dir = fresh();
    const child = await runHeadless({ ...process.env, AKC_DATA_DIR: dir, AKC_PORT: '0' });
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'daemon.json'))).toBe(0o600);
    expect(mode(join(dir, 'keychain.db'))).toBe(0o600);
    expect(readdirSync(dir)).not.toContain('admin-token');
    const info = JSON.parse(readFileSync(join(dir, 'daemon.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(info).sort()).toEqual(['pid', 'url', 'version']);
    expect(info.url).toBe(child.url);
    expect(info.pid).toBe(child.proc.pid);
    expect(info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(child.stdout()).toContain('/console/login?code=');
    expect(child.stdout()).not.toContain('admin-token');

    // A second start on the same directory says where the first runs and leaves it alone…
    const second = await runHeadlessToExit({ ...process.env, AKC_DATA_DIR: dir, AKC_PORT: '0' });
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(
      `already running for ${dir} (pid ${String(child.proc.pid)}, ${child.url})`,
    );
    // …and mints no login link for whoever ran it: nothing is open that could ask the owner.
    expect(second.stdout).not.toContain('/console/login?code=');
    expect(second.stderr).toContain('No new login link: Nothing is open that can show the owner a prompt');

    child.proc.kill('SIGTERM');
    expect(await child.exit).toBe(0);
    expect(readdirSync(dir)).not.toContain('daemon.json');
  });
});

describe('vault with a passphrase', () => {
  it('stays locked after a restart until unlocked; a wrong passphrase changes nothing; the provider key survives', async () => {
    const dir = fresh();
    let t = await startTestDaemon({ dir, init: false });
    await t.admin.vault.init({ keySource: 'passphrase', passphrase: TEST_PASSPHRASE });
    await t.admin.providers.put('openai', { kind: 'openai', key: 'sk-test-passphrase-vault-key-0001' });
    await t.stop();

    t = await startTestDaemon({ dir, init: false });
    expect((await t.admin.vault.status()).vault).toBe('locked');
    const wrong = await failure(t.admin.vault.unlock('not the passphrase at all'));
    expect(wrong.code).toBe('wrong_passphrase');
    expect(wrong.status).toBe(403);
    expect((await t.admin.vault.status()).vault).toBe('locked');
    const locked = await failure(
      t.admin.providers.put('x', { kind: 'openai', key: 'sk-should-not-be-stored' }),
    );
    expect(locked.code).toBe('vault_locked');
    expect((await t.admin.vault.unlock(TEST_PASSPHRASE)).vault).toBe('unlocked');
    expect(t.daemon.core.providers.masterKey('openai')).toBe('sk-test-passphrase-vault-key-0001');
    expect((await t.admin.providers.list()).map((p) => p.id)).toEqual(['openai']);
    await t.stop();
  });

  it('unlocks unattended from AKC_PASSPHRASE_FILE only when the file is private', async () => {
    const dir = fresh();
    let t = await startTestDaemon({ dir, init: false });
    await t.admin.vault.init({ keySource: 'passphrase', passphrase: TEST_PASSPHRASE });
    await t.stop();
    const file = join(mkdtempSync(join(tmpdir(), 'akc-pp-')), 'pass');
    writeFileSync(file, `${TEST_PASSPHRASE}\n`, { mode: 0o644 });
    t = await startTestDaemon({ dir, init: false, passphraseFile: file });
    const status = await t.admin.vault.status();
    expect(status.vault).toBe('locked');
    expect(status.vaultError).toContain('chmod 600');
    await t.stop();
    writeFileSync(file, `${TEST_PASSPHRASE}\n`, { mode: 0o600 });
    const { chmodSync } = await import('node:fs');
    chmodSync(file, 0o600);
    t = await startTestDaemon({ dir, init: false, passphraseFile: file });
    expect((await t.admin.vault.status()).vault).toBe('unlocked');
    await t.stop();
  });
});

describe.skipIf(!hasKeyring)('vault in the OS keychain (real Secret Service)', () => {
  it('unlocks by itself after a restart and keeps the provider key', async () => {
    const dir = fresh();
    let t = await startTestDaemon({ dir, init: false });
    const status = await t.admin.vault.init({ keySource: 'os-keychain' });
    expect(status).toMatchObject({ vault: 'unlocked', keySource: 'os-keychain' });
    const up = await fakeProvider(t, 'anthropic', 'sk-ant-keychain-vault-key-0002');
    const { token } = await t.admin.agents.create({
      name: 'after-restart',
      scopes: { providers: { anthropic: {} } },
    });
    await t.stop();
    t = await startTestDaemon({ dir, init: false });
    expect((await t.admin.vault.status()).vault).toBe('unlocked');
    // End to end: after the restart the provider still receives its master key through the proxy.
    const r = await raw(t.url, {
      method: 'GET',
      path: '/v1/proxy/anthropic/v1/models',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(200);
    expect(up.received.at(-1)?.headers['x-api-key']).toBe('sk-ant-keychain-vault-key-0002');
    await t.stop();
    await up.close();
  });

  it('outside a D-Bus session: a keychain vault stays locked with an actionable error', async () => {
    const dir = fresh();
    const t = await startTestDaemon({ dir, init: false });
    await t.admin.vault.init({ keySource: 'os-keychain' });
    await t.stop();

    const owner = ownerTokenFile();
    const child = await runHeadless(
      withoutDbus({ ...process.env, AKC_DATA_DIR: dir, AKC_PORT: '0', ...owner.env }),
    );
    const admin = new AgentKeychain({ baseUrl: child.url, adminToken: owner.read() });
    const status = await admin.vault.status();
    expect(status.vault).toBe('locked');
    expect(status.vaultError).toContain('No OS keychain found');
    expect(status.vaultError).toContain('passphrase');
    const retry = await failure(admin.vault.unlock());
    expect(retry.code).toBe('keychain_unavailable');
    expect(retry.status).toBe(503);
    child.proc.kill('SIGTERM');
    await child.exit;
  });
});

describe('no OS keychain at all', () => {
  it('outside any D-Bus session, init with the OS keychain refuses with an actionable error and changes nothing', async () => {
    const dir2 = fresh();
    const owner = ownerTokenFile();
    const child2 = await runHeadless(
      withoutDbus({ ...process.env, AKC_DATA_DIR: dir2, AKC_PORT: '0', ...owner.env }),
    );
    const admin2 = new AgentKeychain({ baseUrl: child2.url, adminToken: owner.read() });
    const init = await failure(admin2.vault.init({ keySource: 'os-keychain' }));
    expect(init.code).toBe('keychain_unavailable');
    expect(init.message).toContain('No OS keychain found');
    expect((await admin2.vault.status()).vault).toBe('uninitialized');
    child2.proc.kill('SIGTERM');
    await child2.exit;
  });
});

describe('secrets at rest', () => {
  it('no file in the data directory holds a master key or secret in clear, and a flipped byte is an integrity error', async () => {
    const t = await startTestDaemon();
    const key = 'sk-live-VERY-DISTINCT-master-key-7f3a9c1e';
    const secret = 'crm-secret-VALUE-distinct-55aa0c';
    await t.admin.providers.put('openai', { kind: 'openai', key });
    await t.admin.secrets.put('crm_api_key', secret);
    expect((await t.admin.providers.list())[0]?.keyHint).toBe('••••9c1e');
    expect(JSON.stringify(await t.admin.secrets.list())).not.toContain(secret);
    t.daemon.core.db.pragma('wal_checkpoint(PASSIVE)');
    for (const file of readdirSync(t.dir)) {
      const bytes = readFileSync(join(t.dir, file));
      expect(bytes.includes(Buffer.from(key)), `${file} holds the master key`).toBe(false);
      expect(bytes.includes(Buffer.from(secret)), `${file} holds the secret`).toBe(false);
      expect(bytes.includes(Buffer.from(key.slice(0, 20))), `${file} holds part of the master key`).toBe(
        false,
      );
    }
    // Flip one byte of the stored ciphertext with a second connection: reading fails, never returns garbage.
    const other = new Database(join(t.dir, 'keychain.db'));
    const row = other
      .prepare<[], { key_sealed: Buffer }>("SELECT key_sealed FROM providers WHERE id = 'openai'")
      .get();
    if (!row) throw new Error('no row');
    const flipped = Buffer.from(row.key_sealed);
    flipped[30] = (flipped[30] ?? 0) ^ 0x01;
    other.prepare("UPDATE providers SET key_sealed = ? WHERE id = 'openai'").run(flipped);
    other.close();
    let thrown: unknown;
    try {
      t.daemon.core.providers.masterKey('openai');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe('integrity_error');
    expect((thrown as AppError).message).not.toContain(key);
    // A ciphertext moved to another record fails too (associated data binds it to its row).
    await t.admin.providers.put('other', { kind: 'openai', key: 'sk-another-key-for-swap-test-01' });
    const db = t.daemon.core.db;
    const good = db
      .prepare<[], { key_sealed: Buffer }>("SELECT key_sealed FROM providers WHERE id = 'other'")
      .get();
    db.prepare("UPDATE providers SET key_sealed = ? WHERE id = 'openai'").run(
      good?.key_sealed ?? Buffer.alloc(0),
    );
    expect(() => t.daemon.core.providers.masterKey('openai')).toThrow(/integrity check/);
    await t.stop();
  });

  it('locking drops the key: nothing can be stored or read until unlocked', async () => {
    const t = await startTestDaemon();
    await t.admin.secrets.put('s1', 'value-of-secret-one-123');
    expect((await t.admin.vault.lock()).vault).toBe('locked');
    const err = await failure(t.admin.secrets.put('s2', 'value-two-should-not-land'));
    expect(err.code).toBe('vault_locked');
    expect((await t.admin.secrets.list()).map((s) => s.name)).toEqual(['s1']);
    expect(() => t.daemon.core.secrets.value('s1')).toThrow(/locked/);
    await t.stop();
  });
});

describe('storage', () => {
  it('refuses a database written by a newer version and changes nothing', async () => {
    const dir = fresh();
    const t = await startTestDaemon({ dir });
    await t.stop();
    const db = new Database(join(dir, 'keychain.db'));
    db.pragma('user_version = 999');
    db.close();
    const before = readFileSync(join(dir, 'keychain.db'));
    await expect(startTestDaemon({ dir, init: false })).rejects.toThrow(/newer Agent Keychain \(schema 999/);
    expect(readFileSync(join(dir, 'keychain.db')).equals(before)).toBe(true);
    const check = new Database(join(dir, 'keychain.db'));
    expect(check.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(check.pragma('user_version', { simple: true })).toBe(999);
    check.close();
  });
});
