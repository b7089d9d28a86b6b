// The core's services wired together: storage, vault, audit, agents, counters, providers, events.
// Electron-free; the daemon (HTTP) and the Electron main process both drive the same instance.
import type { Db } from './storage/db.ts';
import type { KeychainPort } from './keychain/port.ts';
import { Vault } from './vault/vault.ts';
import { ProviderStore, SecretStore } from './vault/records.ts';
import { AuditLog } from './audit/log.ts';
import type { AuditInput } from './audit/types.ts';
import { KeychainAnchor } from './audit/anchor.ts';
import { entryJson } from './audit/hash.ts';
import { Meta } from './storage/meta.ts';
import { Transactions, type Unit } from './storage/transactions.ts';
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
import { ownerFacts } from './owner/context.ts';
import { AgentKeys } from './identity/keys.ts';
import { ShortLivedCredentials } from './agents/session-tokens.ts';

export const VERSION = '0.1.0';

export interface CoreOptions {
  /** The loopback URL this core is served on (known once the port is bound, before the core exists). */
  url: string;
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
  /** Enrolled Ed25519 agent keys (POST /v1/token, akc run). */
  readonly keys: AgentKeys;
  /** Session credentials (akc run) and key-minted tokens: in memory, short-lived. */
  readonly shortLived = new ShortLivedCredentials();
  readonly options: CoreOptions;
  readonly prices: PriceTable;
  readonly url: string;
  /** Set at start while the vault is uninitialized: whether the OS keychain answers (first-run setup). */
  keychainCheck: { available: boolean; problem: string | null } | undefined;
  private readonly keychainPort: KeychainPort;

  /** The one owner of the transaction boundary (see core/storage/transactions.ts). */
  readonly transactions: Transactions;

  constructor(db: Db, keychain: KeychainPort, options: CoreOptions) {
    this.db = db;
    this.options = options;
    this.url = options.url;
    this.prices = options.prices ?? DEFAULT_PRICES;
    this.vault = new Vault(db, keychain);
    this.keychainPort = keychain;
    this.audit = new AuditLog(db, {
      listener: (entry: AuditEntry, text: string | null) =>
        this.bus.emit(
          { name: 'audit.appended', data: entry },
          text === null ? undefined : () => entryJson(text, entry.hash),
        ),
      onIntegrityFailure: (state) => {
        // Loud: an entry of its own (heard by every listener) and the status banner. Deferred, because
        // the failure can be found while the log is still being opened.
        setImmediate(() => {
          try {
            this.record({
              actor: 'system',
              action: 'audit.integrity_failed',
              decision: 'error',
              reason: state.reason,
              rule: state.problem,
            });
          } catch {
            // The failure stays in the status and in verify even if it cannot be written down.
          }
        });
      },
    });
    this.transactions = new Transactions(db, this.audit, (scope) => {
      // The tables are the truth again: re-read in-memory state (all of it, or what a savepoint touches).
      if (scope === 'transaction') {
        this.agents.reload();
        this.providers.reload();
        this.keys.reload();
      }
      this.counters.invalidate();
    });
    this.agents = new AgentStore(db);
    this.providers = new ProviderStore(db, this.vault);
    this.secrets = new SecretStore(db, this.vault);
    this.counters = new Counters(db);
    this.keys = new AgentKeys(db);
    // The audit key is derived from the vault key at unlock and kept after lock: it can only MAC the chain
    // and seal anchors, never decrypt anything, so entries written while locked stay keyed.
    const meta = new Meta(db);
    this.vault.onKeyChange = (derived) => {
      if (derived === null) return;
      const vaultId = meta.get('vault.id');
      const keychainAnchor =
        this.vault.keySource === 'os-keychain' && vaultId !== null
          ? new KeychainAnchor(keychain, `vault-${vaultId}-audit-head`)
          : null;
      void this.audit.useKey(derived.auditHead, keychainAnchor);
      // Keys stored before the endpoint binding are bound now (core/vault/records.ts keyBinding).
      this.providers.upgradeSealedKeys();
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

  /**
   * Appends to the audit log; throws AppError('audit_unavailable') when it cannot be written. Inside a
   * unit of work (atomically, commitGrouped) the entry joins that unit's transaction.
   */
  record(input: AuditInput): AuditEntry {
    return this.transactions.record(stampOwner(input));
  }

  /**
   * An entry nothing waits on (a request's outcome, written after the answer left): it rides with the next
   * group commit, or is written within OUTCOME_COMMIT_DELAY_MS (core/storage/transactions.ts). Resolves
   * once committed; rejects with audit_unavailable when it cannot be written.
   */
  recordLater(input: AuditInput): Promise<void> {
    return this.transactions.later(stampOwner(input));
  }

  /**
   * Runs a change and its audit entry as one unit in one transaction: if the audit cannot be written, the
   * change is rolled back too (fail-closed), and the in-memory indexes are re-read from the tables.
   */
  atomically<T>(fn: (unit: Unit) => T): T {
    return this.transactions.run(fn);
  }

  /**
   * Group commit for the request path: fn (the decision's counter effects, grant use and audit entry) runs
   * as one unit in the group transaction (shared by two turns of the event loop), and the promise resolves
   * only once that transaction has committed (fail-closed: nothing is forwarded before its entry is committed).
   */
  commitGrouped<T>(fn: (unit: Unit) => T): Promise<T> {
    return this.transactions.grouped(fn);
  }

  /** Commits the open group now. If the commit fails, every request in it is refused. */
  flush(): void {
    this.transactions.flush();
  }

  /** A clean stop: commits what is open and writes the audit anchors, marked clean. Then close the db. */
  async close(): Promise<void> {
    this.transactions.flush();
    await this.audit.close();
  }

  /**
   * The last check before anything leaves for an agent: the request was not cut, and the credential that
   * authenticated it is still this agent's current one, and the agent is active.
   */
  stillLive(agent: AgentRecord, controller: AbortController): boolean {
    const current = this.agents.find(agent.id);
    const now = this.now();
    return (
      !controller.signal.aborted &&
      current !== undefined &&
      // The agent's long-lived credential, or a short-lived one (session, key-minted token) still live.
      (current.tokenHash.equals(agent.tokenHash) ||
        this.shortLived.live(agent.tokenHash.toString('hex'), agent.id, now)) &&
      this.agents.statusOf(current, now) === 'active'
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
    this.flush(); // the count includes outcome entries held for the next group commit
    const agents = this.agents.list();
    const now = this.now();
    return {
      vault: this.vault.state,
      keySource: this.vault.keySource,
      vaultError: this.vault.state === 'locked' ? this.vault.lastError : null,
      version: VERSION,
      url: this.url,
      ...(this.vault.state === 'uninitialized' && this.keychainCheck ? { keychain: this.keychainCheck } : {}),
      ...(this.vault.state === 'uninitialized' ? {} : { recoverable: this.vault.recoverable }),
      counts: {
        agents: agents.length,
        activeAgents: agents.filter((a) => this.agents.statusOf(a, now) === 'active').length,
        providers: this.providers.list().length,
        secrets: this.secrets.count(),
        pendingApprovals,
        auditEntries: this.audit.count(),
      },
      auditIntegrity: (() => {
        const integrity = this.audit.integrity();
        return { ok: integrity.ok, reason: integrity.reason, problem: integrity.problem };
      })(),
    };
  }
}

/** An owner act names the owner session (and how the owner was present) it came from. */
function stampOwner(input: AuditInput): AuditInput {
  const owner = input.actor === 'owner' ? ownerFacts() : null;
  return owner === null ? input : { ...input, facts: { ...input.facts, ...owner } };
}
