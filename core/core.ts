// The core's services wired together: storage, vault, audit, agents, counters, providers, events.
// Electron-free; the daemon (HTTP) and the Electron main process both drive the same instance.
import type { Db } from './storage/db.ts';
import type { KeychainPort } from './keychain/port.ts';
import { Vault } from './vault/vault.ts';
import { ProviderStore, SecretStore } from './vault/records.ts';
import { AuditLog } from './audit/log.ts';
import type { AuditInput } from './audit/types.ts';
import { auditUnavailable } from './audit/unavailable.ts';
import { AppError } from './errors.ts';
import { AgentStore, toPolicyAgent, type AgentRecord } from './agents/store.ts';
import { Counters } from './storage/counters.ts';
import { EventBus } from './events/bus.ts';
import { Inflight } from './agents/inflight.ts';
import { usageMeters } from './policy/usage.ts';
import { describeScopes } from './agents/summary.ts';
import type { AgentView, AuditEntry, Status } from '../shared/models.ts';
import type { PolicyAgent } from './policy/types.ts';
import { DEFAULT_PRICES } from './providers/registry.ts';
import type { PriceTable } from './providers/types.ts';

export const VERSION = '0.1.0';

export interface CoreOptions {
  approvalTimeoutMs: number;
  prices?: PriceTable;
}

export class Core {
  readonly db: Db;
  readonly vault: Vault;
  readonly audit: AuditLog;
  readonly agents: AgentStore;
  readonly providers: ProviderStore;
  readonly secrets: SecretStore;
  readonly counters: Counters;
  readonly bus = new EventBus();
  readonly inflight = new Inflight();
  readonly options: CoreOptions;
  readonly prices: PriceTable;
  url = '';
  /** Set at start while the vault is uninitialized: whether the OS keychain answers (first-run setup). */
  keychainCheck: { available: boolean; problem: string | null } | undefined;
  private readonly keychainPort: KeychainPort;

  constructor(db: Db, keychain: KeychainPort, options: CoreOptions) {
    this.db = db;
    this.options = options;
    this.prices = options.prices ?? DEFAULT_PRICES;
    this.vault = new Vault(db, keychain);
    this.keychainPort = keychain;
    this.audit = new AuditLog(db, (entry: AuditEntry) => this.bus.emit('audit.appended', entry));
    // Every rollback below calls audit.untrustTip(), so appends inside our transactions keep their tip.
    this.audit.outerRollbacksReported = true;
    this.agents = new AgentStore(db);
    this.providers = new ProviderStore(db, this.vault);
    this.secrets = new SecretStore(db, this.vault);
    this.counters = new Counters(db);
    // The audit head key is derived from the vault key at unlock and kept after lock: it can only seal
    // the chain head, never decrypt anything, and keeps the head sealed while the vault is locked.
    this.vault.onKeyChange = (derived) => {
      if (derived) this.audit.setHeadKey(derived.auditHead);
    };
  }

  /** Asks the OS keychain for an item that does not exist: a missing or locked keychain answers with an error. */
  async checkKeychain(): Promise<void> {
    try {
      await this.keychainPort.get('agent-keychain-probe');
      this.keychainCheck = { available: true, problem: null };
    } catch (err) {
      this.keychainCheck = { available: false, problem: err instanceof Error ? err.message : String(err) };
    }
  }

  now(): number {
    return Date.now();
  }

  /** Appends to the audit log; throws AppError('audit_unavailable') when it cannot be written. */
  record(input: AuditInput): AuditEntry {
    return this.audit.append(input);
  }

  /**
   * Runs a change and its audit entry in one transaction: if the audit cannot be written, the change is
   * rolled back too (fail-closed), and the in-memory indexes are re-read from the table.
   */
  atomically<T>(fn: () => T): T {
    // Owner actions never share a commit with agent requests: close the open group first.
    this.flush();
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      throw this.afterRollback(err, true);
    }
  }

  /**
   * After a rolled-back transaction: the tables are the truth again, so in-memory state is re-read (all of
   * it, or only what a single savepoint can touch). A storage failure (locked, read-only, full disk) means
   * the audit entry could not be committed: that is audit_unavailable.
   */
  private afterRollback(err: unknown, everything: boolean): unknown {
    if (everything) {
      this.agents.reload();
      this.providers.reload();
    }
    this.counters.invalidate();
    this.audit.untrustTip();
    const storage =
      !(err instanceof AppError) &&
      err instanceof Error &&
      'code' in err &&
      String(err.code).startsWith('SQLITE_');
    return storage ? auditUnavailable(err) : err;
  }

  private group: { waiters: { resolve: () => void; reject: (err: unknown) => void }[] } | null = null;

  /**
   * Group commit for the request path: runs fn (counter bumps + the decision's audit entry) in a
   * savepoint of the transaction open for this turn of the event loop, and resolves only once that
   * transaction has committed. Concurrent requests share one commit, which is what lets the audit keep
   * up under load; each caller still proceeds only after its own entry is committed (fail-closed).
   * Decisions stay atomic: they run synchronously on the one connection and see every earlier bump.
   */
  async commitGrouped<T>(fn: () => T): Promise<T> {
    if (this.group === null) {
      try {
        this.db.exec('BEGIN IMMEDIATE');
      } catch (err) {
        throw err instanceof AppError ? err : auditUnavailable(err);
      }
      this.group = { waiters: [] };
      this.audit.deferSeal = true;
      setImmediate(() => this.flush());
    }
    const group = this.group;
    let result: T;
    try {
      result = this.db.transaction(fn)();
    } catch (err) {
      // Only this unit's savepoint was rolled back; the rest of the group carries on.
      throw this.afterRollback(err, false);
    }
    await new Promise<void>((resolve, reject) => group.waiters.push({ resolve, reject }));
    return result;
  }

  /** Commits the open group now. If the commit fails, every request in it is refused. */
  flush(): void {
    const group = this.group;
    if (group === null) return;
    this.group = null;
    this.audit.deferSeal = false;
    try {
      // One seal of the chain head per group, committed with the entries.
      this.audit.sealPending();
      this.db.exec('COMMIT');
    } catch (err) {
      this.audit.dropPendingSeal();
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // Already rolled back by SQLite.
      }
      const failure = this.afterRollback(err, true);
      for (const w of group.waiters) w.reject(failure);
      return;
    }
    for (const w of group.waiters) w.resolve();
  }

  /**
   * The last check before anything leaves for an agent: the request was not cut, and the credential that
   * authenticated it is still this agent's current one, and the agent is active.
   */
  stillLive(agent: AgentRecord, controller: AbortController): boolean {
    const current = this.agents.find(agent.id);
    return (
      !controller.signal.aborted &&
      current !== undefined &&
      current.tokenHash.equals(agent.tokenHash) &&
      this.agents.statusOf(current, this.now()) === 'active'
    );
  }

  policyAgent(agent: AgentRecord): PolicyAgent {
    return toPolicyAgent(agent);
  }

  agentView(agent: AgentRecord): AgentView {
    const now = this.now();
    const iso = (v: number | null): string | null => (v === null ? null : new Date(v).toISOString());
    return {
      id: agent.id,
      name: agent.name,
      status: this.agents.statusOf(agent, now),
      scopes: agent.scopes,
      scopeSummary: describeScopes(agent.scopes),
      credentialId: agent.credentialId,
      expiresAt: iso(agent.expiresAt),
      createdAt: new Date(agent.createdAt).toISOString(),
      updatedAt: new Date(agent.updatedAt).toISOString(),
      lastSeenAt: iso(agent.lastSeenAt),
      revokedAt: iso(agent.revokedAt),
      revokeReason: agent.revokeReason,
      revokeSeverity: agent.revokeSeverity,
      usage: usageMeters(this.policyAgent(agent), this.counters.reader(agent.id), now),
    };
  }

  status(pendingApprovals: number): Status {
    const agents = this.agents.list();
    const now = this.now();
    return {
      vault: this.vault.state,
      keySource: this.vault.keySource,
      vaultError: this.vault.state === 'locked' ? this.vault.lastError : null,
      version: VERSION,
      url: this.url,
      ...(this.vault.state === 'uninitialized' && this.keychainCheck ? { keychain: this.keychainCheck } : {}),
      counts: {
        agents: agents.length,
        activeAgents: agents.filter((a) => this.agents.statusOf(a, now) === 'active').length,
        providers: this.providers.list().length,
        secrets: this.secrets.count(),
        pendingApprovals,
        auditEntries: this.audit.count(),
      },
    };
  }
}
