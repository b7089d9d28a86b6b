// Agents and their credentials. The table is the truth; an in-memory index by credential hash makes
// authentication a hash + map lookup (no query on the hot path). This process is the only writer.
import { diffScopes } from '../../shared/scope-diff.ts';
import type { Db } from '../storage/db.ts';
import { Scopes } from '../../shared/scopes.ts';
import type { Severity } from '../../shared/models.ts';
import {
  AGENT_PREFIX,
  credentialHint,
  hashToken,
  hashTokenHex,
  isWellFormed,
  mintToken,
  newId,
} from './credentials.ts';
import { AppError } from '../errors.ts';
import type { PolicyAgent } from '../policy/types.ts';

export interface AgentRecord {
  id: string;
  name: string;
  status: 'active' | 'suspended' | 'revoked';
  scopes: Scopes;
  scopesSetAt: number;
  tokenHash: Buffer;
  credentialId: string;
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
  revokeReason: string | null;
  revokeSeverity: Severity | null;
}

interface Row {
  id: string;
  name: string;
  status: string;
  scopes_json: string;
  scopes_set_at: string;
  token_hash: Buffer;
  credential_id: string;
  expires_at: string | null;
  created_at: string;
  updated_at: string;
  last_seen_at: string | null;
  revoked_at: string | null;
  revoke_reason: string | null;
  revoke_severity: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const ms = (s: string | null): number | null => (s === null ? null : Date.parse(s));

function fromRow(r: Row): AgentRecord {
  const status = r.status === 'suspended' || r.status === 'revoked' ? r.status : 'active';
  const severity =
    r.revoke_severity === 'low' || r.revoke_severity === 'medium' || r.revoke_severity === 'high'
      ? r.revoke_severity
      : null;
  // Scopes are re-validated on load: a row edited outside the app cannot widen an agent's rights silently.
  // Parsed on first use, not at start: with 10,000 agents, validating every scope set up front is most of
  // the start-up time, and an agent that never calls needs none of it.
  let scopes: Scopes | undefined;
  return {
    id: r.id,
    name: r.name,
    status,
    get scopes(): Scopes {
      if (scopes === undefined) {
        let parsed: ReturnType<typeof Scopes.safeParse> | null = null;
        try {
          parsed = Scopes.safeParse(JSON.parse(r.scopes_json));
        } catch {
          // Not JSON: edited outside the app; the agent gets no rights rather than a crash at start.
        }
        scopes = parsed?.success ? parsed.data : {};
      }
      return scopes;
    },
    set scopes(value: Scopes) {
      scopes = value;
    },
    scopesSetAt: Date.parse(r.scopes_set_at),
    tokenHash: r.token_hash,
    credentialId: r.credential_id,
    expiresAt: ms(r.expires_at),
    createdAt: Date.parse(r.created_at),
    updatedAt: Date.parse(r.updated_at),
    lastSeenAt: ms(r.last_seen_at),
    revokedAt: ms(r.revoked_at),
    revokeReason: r.revoke_reason,
    revokeSeverity: severity,
  };
}

/** What the policy engine sees of an agent. */
export function toPolicyAgent(agent: AgentRecord): PolicyAgent {
  return {
    id: agent.id,
    name: agent.name,
    status: agent.status,
    expiresAt: agent.expiresAt,
    scopes: agent.scopes,
    scopesSetAt: agent.scopesSetAt,
  };
}

export type AuthResult =
  | { ok: true; agent: AgentRecord }
  | {
      ok: false;
      code: 'invalid_token' | 'revoked' | 'expired' | 'suspended';
      message: string;
      agent?: AgentRecord;
    };

/** How far behind the in-memory last-seen time an agent's stored one may be. */
const SEEN_STORE_LAG_MS = 60_000;
/** Rows written per periodic flush of last-seen times (every 5 s): bounds the pause of the event loop. */
const SEEN_BATCH = 1000;

/** What a cut-off changes in an agent's row. */
type CutFields = Pick<
  AgentRecord,
  'status' | 'revokedAt' | 'revokeReason' | 'revokeSeverity' | 'tokenHash' | 'credentialId' | 'updatedAt'
>;

function cutFields(a: AgentRecord): CutFields {
  return {
    status: a.status,
    revokedAt: a.revokedAt,
    revokeReason: a.revokeReason,
    revokeSeverity: a.revokeSeverity,
    tokenHash: a.tokenHash,
    credentialId: a.credentialId,
    updatedAt: a.updatedAt,
  };
}

export class AgentStore {
  private readonly db: Db;
  private readonly byId = new Map<string, AgentRecord>();
  private readonly byHash = new Map<string, AgentRecord>();
  private readonly dirtySeen = new Set<string>();
  /** The last-seen time each agent's row holds (ms), to write a row only when it is a minute behind. */
  private readonly storedSeen = new Map<string, number>();
  /**
   * Cut-offs (revoke, suspend, rotate) in force in memory whose row is not committed yet: what they changed,
   * laid over the table's row at every reload until saveCut/saveUnsaved has written it outside a transaction.
   */
  private readonly unsaved = new Map<string, CutFields>();
  private readonly upsert;
  private readonly touchStmt;

  constructor(db: Db) {
    this.db = db;
    this.reload();
    this.upsert = db.prepare(
      `INSERT INTO agents (id, name, status, scopes_json, scopes_set_at, token_hash, credential_id, expires_at,
         created_at, updated_at, last_seen_at, revoked_at, revoke_reason, revoke_severity)
       VALUES (@id, @name, @status, @scopes_json, @scopes_set_at, @token_hash, @credential_id, @expires_at,
         @created_at, @updated_at, @last_seen_at, @revoked_at, @revoke_reason, @revoke_severity)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, status = excluded.status, scopes_json = excluded.scopes_json,
         scopes_set_at = excluded.scopes_set_at, token_hash = excluded.token_hash, credential_id = excluded.credential_id,
         expires_at = excluded.expires_at, updated_at = excluded.updated_at, last_seen_at = excluded.last_seen_at,
         revoked_at = excluded.revoked_at, revoke_reason = excluded.revoke_reason, revoke_severity = excluded.revoke_severity`,
    );
    this.touchStmt = db.prepare<[string, string]>('UPDATE agents SET last_seen_at = ? WHERE id = ?');
  }

  /** Re-reads every agent from the table (after a rolled-back transaction, the table is the truth). */
  reload(): void {
    this.byId.clear();
    this.byHash.clear();
    this.storedSeen.clear();
    for (const row of this.db.prepare<[], Row>('SELECT * FROM agents').all()) {
      const agent = fromRow(row);
      this.index(agent);
      if (agent.lastSeenAt !== null) this.storedSeen.set(agent.id, agent.lastSeenAt);
    }
    // A cut-off not written yet stays in force: the table is behind, not the truth, for those agents.
    for (const [id, cut] of this.unsaved) {
      const agent = this.byId.get(id);
      if (agent !== undefined) this.index({ ...agent, ...cut });
    }
  }

  list(): AgentRecord[] {
    return [...this.byId.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  get(id: string): AgentRecord {
    const agent = this.byId.get(id);
    if (!agent) throw new AppError('not_found', `No agent with id ${id}.`);
    return agent;
  }

  find(id: string): AgentRecord | undefined {
    return this.byId.get(id);
  }

  /** Effective status: an agent past its expiry is "expired" without any action. */
  statusOf(agent: AgentRecord, now: number): 'active' | 'suspended' | 'revoked' | 'expired' {
    if (agent.status !== 'active') return agent.status;
    return agent.expiresAt !== null && agent.expiresAt <= now ? 'expired' : 'active';
  }

  /**
   * Authenticates an agent credential. Grants nothing by itself: it only says which agent is calling and
   * whether its credential is still good. Malformed tokens are refused before any lookup.
   */
  authenticate(token: string, now: number): AuthResult {
    if (!isWellFormed(token, AGENT_PREFIX)) {
      return {
        ok: false,
        code: 'invalid_token',
        message: 'The credential is not a valid Agent Keychain agent credential.',
      };
    }
    const agent = this.byHash.get(hashTokenHex(token));
    if (!agent)
      return {
        ok: false,
        code: 'invalid_token',
        message: 'Unknown credential: it was never issued or has been rotated.',
      };
    const status = this.statusOf(agent, now);
    if (status === 'revoked')
      return {
        ok: false,
        code: 'revoked',
        message: `Agent ${agent.name} was revoked; its credential no longer works.`,
        agent,
      };
    if (status === 'expired')
      return {
        ok: false,
        code: 'expired',
        message: `Agent ${agent.name} expired at ${iso(agent.expiresAt) ?? ''}.`,
        agent,
      };
    if (status === 'suspended')
      return {
        ok: false,
        code: 'suspended',
        message: `Agent ${agent.name} is suspended by its owner.`,
        agent,
      };
    return { ok: true, agent };
  }

  create(
    name: string,
    scopes: Scopes,
    expiresAt: number | null,
    now: number,
  ): { agent: AgentRecord; token: string } {
    const token = mintToken(AGENT_PREFIX);
    const agent: AgentRecord = {
      id: newId('agt_'),
      name,
      status: 'active',
      scopes,
      scopesSetAt: now,
      tokenHash: hashToken(token),
      credentialId: credentialHint(token, AGENT_PREFIX),
      expiresAt,
      createdAt: now,
      updatedAt: now,
      lastSeenAt: null,
      revokedAt: null,
      revokeReason: null,
      revokeSeverity: null,
    };
    this.save(agent);
    return { agent, token };
  }

  update(
    id: string,
    patch: { name?: string; scopes?: Scopes; expiresAt?: number | null },
    now: number,
  ): AgentRecord {
    const agent = { ...this.get(id) };
    if (agent.status === 'revoked')
      throw new AppError('conflict', `Agent ${agent.name} is revoked; create a new agent instead.`);
    if (patch.name !== undefined) agent.name = patch.name;
    if (patch.scopes !== undefined) {
      // scopesSetAt starts vault.ttlSeconds' clock. Only an edit that widens the vault scope restarts it: an
      // edit elsewhere, or one that narrows the vault scope (a shorter ttlSeconds), must never reopen an
      // expired secret or move its end later.
      if (diffScopes({ vault: agent.scopes.vault }, { vault: patch.scopes.vault }).widens)
        agent.scopesSetAt = now;
      agent.scopes = patch.scopes;
    }
    if (patch.expiresAt !== undefined) agent.expiresAt = patch.expiresAt;
    agent.updatedAt = now;
    this.save(agent);
    return agent;
  }

  /** Suspending is a cut-off (in memory now, written by saveCut); resuming is written first. */
  setStatus(id: string, status: 'active' | 'suspended', now: number): AgentRecord {
    const agent = { ...this.get(id) };
    if (agent.status === 'revoked')
      throw new AppError(
        'conflict',
        `Agent ${agent.name} is revoked; it cannot be ${status === 'active' ? 'resumed' : 'suspended'}.`,
      );
    agent.status = status;
    agent.updatedAt = now;
    if (status === 'suspended') return this.cutOff(agent);
    // Never past a cut the table does not have yet: the retry would write the cut back over the resume.
    if (this.unsaved.has(id))
      throw new AppError(
        'conflict',
        `The last suspend of ${agent.name} is not written to the database yet (it was busy). Try again in a few seconds.`,
      );
    this.save(agent);
    return agent;
  }

  /** A new credential; the old hash leaves the index in the same step, so the old token dies at once. */
  rotate(id: string, now: number): { agent: AgentRecord; token: string } {
    const agent = { ...this.get(id) };
    if (agent.status === 'revoked')
      throw new AppError('conflict', `Agent ${agent.name} is revoked; create a new agent instead.`);
    const token = mintToken(AGENT_PREFIX);
    agent.tokenHash = hashToken(token);
    agent.credentialId = credentialHint(token, AGENT_PREFIX);
    agent.updatedAt = now;
    return { agent: this.cutOff(agent), token };
  }

  revoke(id: string, reason: string, severity: Severity, now: number): AgentRecord {
    const agent = { ...this.get(id) };
    if (agent.status === 'revoked') return agent;
    agent.status = 'revoked';
    agent.revokedAt = now;
    agent.revokeReason = reason;
    agent.revokeSeverity = severity;
    agent.updatedAt = now;
    return this.cutOff(agent);
  }

  /** Last-seen times are kept in memory and written in batches, not once per request. */
  touch(agent: AgentRecord, now: number): void {
    agent.lastSeenAt = now;
    this.dirtySeen.add(agent.id);
  }

  /**
   * Writes last-seen times to the agents table. Shown in minutes, a stored time may lag by up to
   * SEEN_STORE_LAG_MS (a crash loses at most that): with thousands of busy agents, writing every row every
   * few seconds was a scattered UPDATE per request or so, and a long pause of the event loop. At most
   * SEEN_BATCH rows per call, unless `all` (a stop), which writes every one still behind.
   */
  flushLastSeen(all = false): void {
    const due: { id: string; seen: number }[] = [];
    for (const id of this.dirtySeen) {
      const seen = this.byId.get(id)?.lastSeenAt ?? null;
      if (seen === null) {
        this.dirtySeen.delete(id);
        continue;
      }
      if (!all) {
        if (due.length === SEEN_BATCH) break;
        if (seen - (this.storedSeen.get(id) ?? 0) < SEEN_STORE_LAG_MS) continue;
      }
      due.push({ id, seen });
    }
    if (due.length === 0) return;
    this.db.transaction(() => {
      for (const { id, seen } of due) this.touchStmt.run(new Date(seen).toISOString(), id);
    })();
    for (const { id, seen } of due) {
      this.storedSeen.set(id, seen);
      this.dirtySeen.delete(id);
    }
  }

  /**
   * A change that takes access away, in force in memory at once: nothing (not even a database another
   * program holds locked) delays it. Written by saveCut, and kept over reloads until it is.
   */
  private cutOff(agent: AgentRecord): AgentRecord {
    this.index(agent);
    this.unsaved.set(agent.id, cutFields(agent));
    return agent;
  }

  /**
   * Writes a cut-off; false when the database refused it (it stays in force and is retried by saveUnsaved).
   * Call it outside any transaction (Core.flush first): only an autocommitted write is kept for good.
   */
  saveCut(id: string): boolean {
    const agent = this.byId.get(id);
    if (agent === undefined || !this.unsaved.has(id)) return true;
    try {
      this.persist(agent);
    } catch {
      return false;
    }
    if (!this.db.inTransaction) this.unsaved.delete(id);
    return !this.unsaved.has(id);
  }

  /** How many cut-offs are in force but not written yet. */
  get unsavedCount(): number {
    return this.unsaved.size;
  }

  /** Writes the cut-offs not written yet; throws (and keeps the rest) if the database still refuses. */
  saveUnsaved(): void {
    for (const id of [...this.unsaved.keys()]) {
      const agent = this.byId.get(id);
      if (agent !== undefined) this.persist(agent);
      if (!this.db.inTransaction) this.unsaved.delete(id);
    }
  }

  /** Writes the whole row from memory (a cut-off not written yet goes with it, and stays listed). */
  private save(agent: AgentRecord): void {
    this.persist(agent);
    this.index(agent);
  }

  private persist(agent: AgentRecord): void {
    this.upsert.run({
      id: agent.id,
      name: agent.name,
      status: agent.status,
      scopes_json: JSON.stringify(agent.scopes),
      scopes_set_at: new Date(agent.scopesSetAt).toISOString(),
      token_hash: agent.tokenHash,
      credential_id: agent.credentialId,
      expires_at: iso(agent.expiresAt),
      created_at: new Date(agent.createdAt).toISOString(),
      updated_at: new Date(agent.updatedAt).toISOString(),
      last_seen_at: iso(agent.lastSeenAt),
      revoked_at: iso(agent.revokedAt),
      revoke_reason: agent.revokeReason,
      revoke_severity: agent.revokeSeverity,
    });
    if (agent.lastSeenAt !== null) this.storedSeen.set(agent.id, agent.lastSeenAt);
  }

  private index(agent: AgentRecord): void {
    const old = this.byId.get(agent.id);
    if (old) this.byHash.delete(old.tokenHash.toString('hex'));
    this.byId.set(agent.id, agent);
    this.byHash.set(agent.tokenHash.toString('hex'), agent);
  }
}
