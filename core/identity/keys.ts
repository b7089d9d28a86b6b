// Enrolled agent keys: Ed25519 public keys registered by the owner, looked up by their thumbprint (kid).
// Only public keys are stored. A key of a revoked agent, or one replaced by a newer enrolment, is void.
import type { Db } from '../storage/db.ts';
import { AppError } from '../errors.ts';
import { Ed25519PublicJwk } from '../../shared/identity.ts';
import { thumbprint } from './jwk.ts';

export interface AgentKey {
  kid: string;
  agentId: string;
  jwk: Ed25519PublicJwk;
  createdAt: number;
  revokedAt: number | null;
}

interface Row {
  kid: string;
  agent_id: string;
  public_jwk: string;
  created_at: string;
  revoked_at: string | null;
}

function fromRow(r: Row): AgentKey | null {
  // Re-validated on load: a row edited outside the app that is not an Ed25519 public key is ignored.
  const jwk = Ed25519PublicJwk.safeParse(JSON.parse(r.public_jwk));
  if (!jwk.success) return null;
  return {
    kid: r.kid,
    agentId: r.agent_id,
    jwk: jwk.data,
    createdAt: Date.parse(r.created_at),
    revokedAt: r.revoked_at === null ? null : Date.parse(r.revoked_at),
  };
}

export class AgentKeys {
  private readonly db: Db;
  private readonly byKid = new Map<string, AgentKey>();

  constructor(db: Db) {
    this.db = db;
    this.reload();
  }

  reload(): void {
    this.byKid.clear();
    for (const row of this.db.prepare<[], Row>('SELECT * FROM agent_keys').all()) {
      const key = fromRow(row);
      if (key) this.byKid.set(key.kid, key);
    }
  }

  /** The key with this kid, whatever its state (callers check revokedAt). */
  find(kid: string): AgentKey | undefined {
    return this.byKid.get(kid);
  }

  /** The agent's current key, if it has one. */
  current(agentId: string): AgentKey | undefined {
    let best: AgentKey | undefined;
    for (const k of this.byKid.values()) {
      if (k.agentId !== agentId || k.revokedAt !== null) continue;
      if (!best || k.createdAt >= best.createdAt) best = k;
    }
    return best;
  }

  /**
   * Registers a public key for an agent. An agent has one live key: enrolling again voids the previous
   * one (and what the caller cuts with it). The same key cannot be enrolled for two agents.
   */
  async enroll(agentId: string, jwk: Ed25519PublicJwk, now: number): Promise<AgentKey> {
    const kid = await thumbprint(jwk);
    const existing = this.byKid.get(kid);
    if (existing)
      throw new AppError(
        'conflict',
        existing.agentId === agentId && existing.revokedAt === null
          ? 'This key is already enrolled for this agent.'
          : 'This key was enrolled before; generate a new key pair.',
      );
    this.revokeForAgent(agentId, now);
    const key: AgentKey = { kid, agentId, jwk, createdAt: now, revokedAt: null };
    this.db
      .prepare('INSERT INTO agent_keys (kid, agent_id, public_jwk, created_at) VALUES (?, ?, ?, ?)')
      .run(kid, agentId, JSON.stringify(jwk), new Date(now).toISOString());
    this.byKid.set(kid, key);
    return key;
  }

  /** Voids every key of the agent; returns how many were live. */
  revokeForAgent(agentId: string, now: number): number {
    let n = 0;
    for (const k of this.byKid.values()) {
      if (k.agentId !== agentId || k.revokedAt !== null) continue;
      k.revokedAt = now;
      n += 1;
    }
    if (n > 0)
      this.db
        .prepare('UPDATE agent_keys SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL')
        .run(new Date(now).toISOString(), agentId);
    return n;
  }
}
