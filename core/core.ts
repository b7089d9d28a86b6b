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
import { AgentStore, type AgentRecord } from './agents/store.ts';
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

  constructor(db: Db, keychain: KeychainPort, options: CoreOptions) {
    this.db = db;
    this.options = options;
    this.prices = options.prices ?? DEFAULT_PRICES;
    this.vault = new Vault(db, keychain);
    this.audit = new AuditLog(db, (entry: AuditEntry) => this.bus.emit('audit.appended', entry));
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
    try {
      return this.db.transaction(fn)();
    } catch (err) {
      this.agents.reload();
      this.providers.reload();
      // A storage failure (locked, read-only, full disk) means the audit entry could not be committed.
      if (!(err instanceof AppError) && err instanceof Error && 'code' in err && String(err.code).startsWith('SQLITE_')) {
        throw auditUnavailable(err);
      }
      throw err;
    }
  }

  policyAgent(agent: AgentRecord): PolicyAgent {
    return {
      id: agent.id,
      name: agent.name,
      status: agent.status,
      expiresAt: agent.expiresAt,
      scopes: agent.scopes,
      scopesSetAt: agent.scopesSetAt,
    };
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
