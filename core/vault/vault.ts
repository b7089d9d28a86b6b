// The vault: a random 256-bit key that encrypts master keys and secrets. Its source is the OS keychain or
// a passphrase (scrypt). States: uninitialized → locked ⇄ unlocked. There is never a plaintext,
// hard-coded or kernel-keyring fallback: when the keychain is missing the vault stays locked (docs/ARCHITECTURE.md, invariant 2).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Db } from '../storage/db.ts';
import { Meta } from '../storage/meta.ts';
import { AppError } from '../errors.ts';
import { KeychainError, type KeychainPort } from '../keychain/port.ts';
import { DEFAULT_SCRYPT, KdfParams, deriveKek } from './kdf.ts';
import { IntegrityError, open, seal } from './seal.ts';
import type { KeySource, VaultState } from '../../shared/models.ts';

const VERIFIER_PLAINTEXT = new TextEncoder().encode('agent-keychain vault verifier v1');

export interface VaultInit {
  keySource: KeySource;
  passphrase?: string;
}

export class Vault {
  private key: Uint8Array | null = null;
  private readonly meta: Meta;
  private readonly keychain: KeychainPort;
  /** Why the vault could not unlock by itself (keychain missing or locked), for the status view. */
  lastError: string | null = null;
  /** Called with keys derived from the vault key on unlock, and with null on lock. */
  onKeyChange: (derived: { auditHead: Uint8Array } | null) => void = () => undefined;

  constructor(db: Db, keychain: KeychainPort) {
    this.meta = new Meta(db);
    this.keychain = keychain;
  }

  private cachedSource: KeySource | null | undefined = undefined;

  /** Read once from the table and kept in memory: this process is the only writer. */
  get keySource(): KeySource | null {
    if (this.cachedSource === undefined) {
      const source = this.meta.get('vault.keySource');
      this.cachedSource = source === 'os-keychain' || source === 'passphrase' ? source : null;
    }
    return this.cachedSource;
  }

  get state(): VaultState {
    if (this.keySource === null) return 'uninitialized';
    return this.key ? 'unlocked' : 'locked';
  }

  async init(input: VaultInit): Promise<void> {
    if (this.keySource !== null) {
      throw new AppError(
        'conflict',
        'The vault is already initialized. Unlock it instead; nothing was changed.',
      );
    }
    const key = new Uint8Array(randomBytes(32));
    const verifier = seal(key, VERIFIER_PLAINTEXT, 'vault-verifier').toString('base64');
    if (input.keySource === 'os-keychain') {
      const vaultId = randomBytes(12).toString('hex');
      await this.keychainCall(() =>
        this.keychain.set(this.account(vaultId), Buffer.from(key).toString('base64')),
      );
      // Read it back: a keychain that accepts writes but cannot return them would lose the vault.
      const back = await this.keychainCall(() => this.keychain.get(this.account(vaultId)));
      if (back !== Buffer.from(key).toString('base64')) {
        throw new AppError(
          'keychain_unavailable',
          `The ${this.keychain.storeName} did not return the key it just stored. Nothing was initialized.`,
        );
      }
      this.meta.set('vault.id', vaultId);
      this.meta.set('vault.verifier', verifier);
      this.meta.set('vault.keySource', 'os-keychain');
      this.cachedSource = 'os-keychain';
    } else {
      const passphrase = input.passphrase ?? '';
      if (passphrase.length < 12)
        throw new AppError('bad_request', 'The passphrase must be at least 12 characters.', {
          path: 'passphrase',
        });
      const params: KdfParams = {
        alg: 'scrypt',
        ...DEFAULT_SCRYPT,
        salt: randomBytes(16).toString('base64'),
      };
      const kek = await deriveKek(passphrase, params);
      this.meta.set('vault.kdf', JSON.stringify(params));
      this.meta.set('vault.wrappedKey', seal(kek, key, 'vault-key').toString('base64'));
      this.meta.set('vault.verifier', verifier);
      this.meta.set('vault.keySource', 'passphrase');
      this.cachedSource = 'passphrase';
    }
    this.setKey(key);
  }

  /** Unlocks from the OS keychain (no passphrase) or with the passphrase. Wrong passphrase changes nothing. */
  async unlock(passphrase?: string): Promise<void> {
    const source = this.keySource;
    if (source === null)
      throw new AppError('conflict', 'The vault is not initialized yet. Initialize it first.');
    if (this.key) return;
    if (source === 'os-keychain') {
      const vaultId = this.meta.get('vault.id') ?? '';
      const stored = await this.keychainCall(() => this.keychain.get(this.account(vaultId)));
      if (stored === null) {
        const message =
          `The vault key is not in the ${this.keychain.storeName} (entry "agent-keychain / ${this.account(vaultId)}"). ` +
          'If this data directory came from another machine or user, its key stayed behind there. Nothing was changed.';
        this.lastError = message;
        throw new AppError('keychain_unavailable', message);
      }
      const key = new Uint8Array(Buffer.from(stored, 'base64'));
      this.checkVerifier(key, 'The key in the OS keychain does not match this vault.');
      this.setKey(key);
      return;
    }
    if (passphrase === undefined || passphrase.length === 0) {
      throw new AppError(
        'bad_request',
        'This vault is protected by a passphrase: send {"passphrase": "…"}.',
        { path: 'passphrase' },
      );
    }
    const params = KdfParams.parse(JSON.parse(this.meta.get('vault.kdf') ?? 'null'));
    const kek = await deriveKek(passphrase, params);
    let key: Uint8Array;
    try {
      key = open(
        kek,
        Buffer.from(this.meta.get('vault.wrappedKey') ?? '', 'base64'),
        'vault-key',
        'The wrapped vault key',
      );
    } catch (err) {
      if (err instanceof IntegrityError)
        throw new AppError(
          'wrong_passphrase',
          'Wrong passphrase. The vault stays locked; nothing was changed.',
        );
      throw err;
    }
    this.checkVerifier(key, 'The vault key does not match this vault.');
    this.setKey(key);
  }

  lock(): void {
    if (this.key) this.key.fill(0);
    this.key = null;
    for (const hook of this.lockHooks) hook();
    this.onKeyChange(null);
  }

  private readonly lockHooks = new Set<() => void>();

  /** Runs `hook` on every lock, right after the key is zeroed: whatever was opened with it wipes itself. */
  whenLocked(hook: () => void): void {
    this.lockHooks.add(hook);
  }

  /** Encrypts a value for one record; the vault must be unlocked. */
  sealString(ad: string, value: string): Buffer {
    return seal(this.requireKey(), new TextEncoder().encode(value), ad);
  }

  /** Decrypts a record's value. A changed ciphertext throws an integrity error, never returns garbage. */
  openString(ad: string, sealed: Uint8Array, what: string): string {
    try {
      return new TextDecoder().decode(open(this.requireKey(), sealed, ad, what));
    } catch (err) {
      if (err instanceof IntegrityError) throw new AppError('integrity_error', err.message);
      throw err;
    }
  }

  private requireKey(): Uint8Array {
    if (!this.key)
      throw new AppError('vault_locked', 'The vault is locked. Unlock it in Agent Keychain first.');
    return this.key;
  }

  private setKey(key: Uint8Array): void {
    this.key = key;
    this.lastError = null;
    this.onKeyChange({
      auditHead: hkdf(sha256, key, undefined, new TextEncoder().encode('agent-keychain/audit-head/v1'), 32),
    });
  }

  private checkVerifier(key: Uint8Array, message: string): void {
    const verifier = Buffer.from(this.meta.get('vault.verifier') ?? '', 'base64');
    let plain: Uint8Array;
    try {
      plain = open(key, verifier, 'vault-verifier', 'The vault verifier');
    } catch {
      throw new AppError('integrity_error', `${message} The vault stays locked; nothing was changed.`);
    }
    if (plain.length !== VERIFIER_PLAINTEXT.length || !timingSafeEqual(plain, VERIFIER_PLAINTEXT)) {
      throw new AppError('integrity_error', `${message} The vault stays locked; nothing was changed.`);
    }
  }

  private account(vaultId: string): string {
    return `vault-${vaultId}`;
  }

  private async keychainCall<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof KeychainError) {
        this.lastError = err.message;
        throw new AppError('keychain_unavailable', err.message);
      }
      throw err;
    }
  }
}
