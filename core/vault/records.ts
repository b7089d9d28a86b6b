// Provider master keys and named secrets, sealed by the vault. Listings return hints only (last 4
// characters); a clear value is handed only to the call that uses it. Opened master keys stay in this
// process's memory while the vault is unlocked (zeroed on lock); secrets are opened per read.
import type Database from 'better-sqlite3';
import type { Db } from '../storage/db.ts';
import type { Vault } from './vault.ts';
import type { ProviderKind } from '../../shared/facts.ts';
import { AppError } from '../errors.ts';
import { keyForms, type KeyForms } from '../providers/redact.ts';

export interface ProviderRecord {
  id: string;
  kind: ProviderKind;
  baseUrl: string;
  keyHint: string;
  authHeader: string | null;
  authPrefix: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SecretRecord {
  name: string;
  hint: string;
  createdAt: string;
  updatedAt: string;
}

/** Last 4 characters, and only when the value is long enough that 4 characters reveal little. */
export function hintOf(value: string): string {
  return value.length >= 12 ? `••••${value.slice(-4)}` : '••••';
}

interface ProviderRow {
  id: string;
  kind: ProviderKind;
  base_url: string;
  key_hint: string;
  auth_header: string | null;
  auth_prefix: string | null;
  created_at: string;
  updated_at: string;
}

export class ProviderStore {
  private readonly db: Db;
  private readonly vault: Vault;
  private readonly cache = new Map<string, ProviderRecord>();

  /**
   * Master keys already opened while the vault is unlocked, as bytes so that they can be zeroed: opening
   * the sealed key on every proxied call (a query and an XChaCha20-Poly1305 open) was ~5 % of its CPU.
   * Wiped on lock (Vault.whenLocked), on any change of the provider, and after a rollback.
   */
  private readonly opened = new Map<string, Buffer>();
  /** The forms of each opened key that answers are scrubbed of (redact.ts), made once and lent to each call. */
  private readonly forms = new Map<string, LentForms>();

  constructor(db: Db, vault: Vault) {
    this.db = db;
    this.vault = vault;
    vault.whenLocked(() => this.forgetKeys());
    this.reload();
  }

  /** Zeroes and drops every opened master key (forms still lent to a call are zeroed when it ends). */
  forgetKeys(): void {
    for (const id of [...this.opened.keys(), ...this.forms.keys()]) this.forgetKey(id);
  }

  private forgetKey(id: string): void {
    this.opened.get(id)?.fill(0);
    this.opened.delete(id);
    const lent = this.forms.get(id);
    this.forms.delete(id);
    if (lent !== undefined) {
      lent.forgotten = true;
      if (lent.calls === 0) zeroForms(lent.forms);
    }
  }

  /** Re-reads the table (after a rolled-back transaction, the table is the truth). */
  reload(): void {
    this.forgetKeys();
    this.cache.clear();
    const rows = this.db
      .prepare<[], ProviderRow>(
        'SELECT id, kind, base_url, key_hint, auth_header, auth_prefix, created_at, updated_at FROM providers',
      )
      .all();
    for (const r of rows) this.cache.set(r.id, toProvider(r));
  }

  list(): ProviderRecord[] {
    return [...this.cache.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  find(id: string): ProviderRecord | undefined {
    return this.cache.get(id);
  }

  put(
    input: {
      id: string;
      kind: ProviderKind;
      baseUrl: string;
      key: string;
      authHeader: string | null;
      authPrefix: string | null;
    },
    now: string,
  ): ProviderRecord {
    const existing = this.cache.get(input.id);
    const record: ProviderRecord = {
      id: input.id,
      kind: input.kind,
      baseUrl: input.baseUrl,
      keyHint: hintOf(input.key),
      authHeader: input.authHeader,
      authPrefix: input.authPrefix,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    const sealed = this.vault.sealString(keyBinding(record), input.key);
    this.db
      .prepare(
        `INSERT INTO providers (id, kind, base_url, key_sealed, key_hint, auth_header, auth_prefix, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, base_url = excluded.base_url, key_sealed = excluded.key_sealed,
           key_hint = excluded.key_hint, auth_header = excluded.auth_header, auth_prefix = excluded.auth_prefix,
           updated_at = excluded.updated_at`,
      )
      .run(
        record.id,
        record.kind,
        record.baseUrl,
        sealed,
        record.keyHint,
        record.authHeader,
        record.authPrefix,
        record.createdAt,
        record.updatedAt,
      );
    this.forgetKey(record.id);
    this.cache.set(record.id, record);
    return record;
  }

  /**
   * Changes where a provider is reached (base URL, auth header) and keeps its key: opened for the endpoint
   * it was bound to and sealed again for the new one (so the vault must be unlocked).
   */
  updateEndpoint(
    id: string,
    input: { baseUrl: string; authHeader: string | null; authPrefix: string | null },
    now: string,
  ): ProviderRecord {
    const existing = this.cache.get(id);
    if (!existing) throw new AppError('not_found', `No provider with id ${id}.`);
    const key = this.masterKey(id);
    const record: ProviderRecord = { ...existing, ...input, updatedAt: now };
    const sealed = this.vault.sealString(keyBinding(record), key);
    this.db
      .prepare(
        'UPDATE providers SET base_url = ?, auth_header = ?, auth_prefix = ?, key_sealed = ?, updated_at = ? WHERE id = ?',
      )
      .run(record.baseUrl, record.authHeader, record.authPrefix, sealed, record.updatedAt, id);
    this.forgetKey(id);
    this.cache.set(id, record);
    return record;
  }

  delete(id: string): void {
    if (!this.cache.has(id)) throw new AppError('not_found', `No provider with id ${id}.`);
    this.db.prepare('DELETE FROM providers WHERE id = ?').run(id);
    this.forgetKey(id);
    this.cache.delete(id);
  }

  /** The master key in clear, for the one upstream call that needs it. Never log or return it. */
  masterKey(id: string): string {
    // Locked means locked: an opened key is never used while the vault is locked (lock also wipes it).
    if (this.vault.state !== 'unlocked') {
      this.forgetKeys();
      throw new AppError('vault_locked', 'The vault is locked. Unlock it in Agent Keychain first.');
    }
    const opened = this.opened.get(id);
    if (opened !== undefined) return opened.toString('utf8');
    this.selectSealed ??= this.db.prepare<[string], { key_sealed: Buffer }>(
      'SELECT key_sealed FROM providers WHERE id = ?',
    );
    const row = this.selectSealed.get(id);
    const record = this.cache.get(id);
    if (!row || !record)
      throw new AppError(
        'provider_not_configured',
        `No provider "${id}" is configured. Add it under Providers & Secrets.`,
      );
    const clear = this.openSealed(record, row.key_sealed);
    // Its own zeroed allocation (never a slice of Node's shared pool), so that wiping it wipes only it.
    const bytes = Buffer.alloc(Buffer.byteLength(clear, 'utf8'));
    bytes.write(clear, 'utf8');
    this.opened.set(id, bytes);
    return clear;
  }

  /**
   * The master key for one upstream call and the forms its answer is scrubbed of, taken together: the answer
   * is scrubbed of the key that was sent, even if the key is replaced, or the vault locked, before it ends.
   * The forms are lent, never zeroed under the call: `release()` once nothing more can reach the agent.
   */
  openForCall(id: string): KeyForCall {
    const key = this.masterKey(id);
    // The record the key was opened for (both are dropped together on any change or re-read).
    const provider = this.cache.get(id);
    if (provider === undefined)
      throw new AppError('provider_not_configured', `No provider "${id}" is configured.`);
    // Made with the opened key and dropped with it (forgetKey), so these are the forms of `key`.
    let lent = this.forms.get(id);
    if (lent === undefined) {
      lent = { forms: keyForms(key), calls: 0, forgotten: false };
      this.forms.set(id, lent);
    }
    const held = lent;
    held.calls += 1;
    let released = false;
    return {
      key,
      provider,
      forms: held.forms,
      release: () => {
        if (released) return;
        released = true;
        held.calls -= 1;
        if (held.forgotten && held.calls === 0) zeroForms(held.forms);
      },
    };
  }

  /**
   * Opens a stored key for the endpoint the provider has now. A key sealed by a version before the binding
   * opens under its id alone once, and is sealed again for its endpoint at once (see upgradeSealedKeys).
   */
  private openSealed(record: ProviderRecord, sealed: Buffer): string {
    const what = `The stored key of provider ${record.id}`;
    try {
      return this.vault.openString(keyBinding(record), sealed, what);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'integrity_error') throw err;
    }
    let clear: string;
    try {
      clear = this.vault.openString(`provider:${record.id}`, sealed, what);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'integrity_error') throw err;
      // Checks where the key may go: a base URL or header changed in the file behind the owner's back.
      throw new AppError(
        'integrity_error',
        `The stored key of provider ${record.id} failed its integrity check: its settings (kind, base URL, auth header) were changed outside Agent Keychain, or the key is damaged. Nothing was sent. Check the provider and set its key again under Providers & Secrets.`,
      );
    }
    this.db
      .prepare('UPDATE providers SET key_sealed = ? WHERE id = ?')
      .run(this.vault.sealString(keyBinding(record), clear), record.id);
    return clear;
  }

  /**
   * Seals every key stored by a version before the endpoint binding for its endpoint, at unlock, so that
   * the window in which such a row could be redirected ends at the first unlock after the upgrade. A key
   * that does not open is left for the call that needs it to report.
   */
  upgradeSealedKeys(): void {
    for (const id of this.cache.keys()) {
      try {
        this.masterKey(id);
      } catch {
        // Reported where it is used (integrity_error, nothing sent).
      }
    }
  }

  private selectSealed: Database.Statement<[string], { key_sealed: Buffer }> | undefined;
}

/**
 * What a provider's sealed key is bound to (the AEAD's associated data): its id, and where and how it is
 * sent. A row whose kind, base URL or auth header was rewritten outside Agent Keychain no longer opens, so
 * a same-user program cannot redirect the master key to itself by editing the database.
 */
function keyBinding(p: ProviderRecord): string {
  return `provider-key-v2:${JSON.stringify(endpointOf(p))}`;
}

/** Where and how a provider's key is sent. */
function endpointOf(p: ProviderRecord): (string | null)[] {
  return [p.id, p.kind, p.baseUrl, p.authHeader, p.authPrefix];
}

/** The same endpoint: a request prepared for `a` may carry a key opened for `b`. */
export function sameEndpoint(a: ProviderRecord, b: ProviderRecord): boolean {
  // Field by field, the fields of endpointOf (checked on every proxied call, so no arrays are made).
  return (
    a === b ||
    (a.id === b.id &&
      a.kind === b.kind &&
      a.baseUrl === b.baseUrl &&
      a.authHeader === b.authHeader &&
      a.authPrefix === b.authPrefix)
  );
}

/** A master key opened for one upstream call (see ProviderStore.openForCall). Never log or return it. */
export interface KeyForCall {
  key: string;
  /** The provider as the key was opened for it: where and how the key may be sent (keyBinding). */
  provider: ProviderRecord;
  forms: KeyForms;
  release: () => void;
}

interface LentForms {
  forms: KeyForms;
  /** Calls still holding these forms. */
  calls: number;
  /** The key was forgotten: zeroed once the last call holding them ends. */
  forgotten: boolean;
}

function zeroForms(forms: KeyForms): void {
  for (const form of forms.bytes) form.fill(0);
  for (const form of forms.lower) form.fill(0);
}

function toProvider(r: ProviderRow): ProviderRecord {
  return {
    id: r.id,
    kind: r.kind,
    baseUrl: r.base_url,
    keyHint: r.key_hint,
    authHeader: r.auth_header,
    authPrefix: r.auth_prefix,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class SecretStore {
  private readonly db: Db;
  private readonly vault: Vault;

  constructor(db: Db, vault: Vault) {
    this.db = db;
    this.vault = vault;
  }

  list(): SecretRecord[] {
    return this.db
      .prepare<[], { name: string; hint: string; created_at: string; updated_at: string }>(
        'SELECT name, hint, created_at, updated_at FROM secrets ORDER BY name',
      )
      .all()
      .map((r) => ({ name: r.name, hint: r.hint, createdAt: r.created_at, updatedAt: r.updated_at }));
  }

  count(): number {
    return this.db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM secrets').get()?.n ?? 0;
  }

  put(name: string, value: string, now: string): SecretRecord {
    const sealed = this.vault.sealString(`secret:${name}`, value);
    const hint = hintOf(value);
    this.db
      .prepare(
        `INSERT INTO secrets (name, value_sealed, hint, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET value_sealed = excluded.value_sealed, hint = excluded.hint, updated_at = excluded.updated_at`,
      )
      .run(name, sealed, hint, now, now);
    const row = this.db
      .prepare<[string], { created_at: string }>('SELECT created_at FROM secrets WHERE name = ?')
      .get(name);
    return { name, hint, createdAt: row?.created_at ?? now, updatedAt: now };
  }

  delete(name: string): void {
    const result = this.db.prepare('DELETE FROM secrets WHERE name = ?').run(name);
    if (result.changes === 0) throw new AppError('not_found', `No secret named ${name}.`);
  }

  /** The secret in clear, for the one release that a vault scope allows. */
  value(name: string): string {
    const row = this.db
      .prepare<[string], { value_sealed: Buffer }>('SELECT value_sealed FROM secrets WHERE name = ?')
      .get(name);
    if (!row) throw new AppError('not_found', `No secret named ${name} is stored.`);
    return this.vault.openString(`secret:${name}`, row.value_sealed, `The stored secret ${name}`);
  }
}
