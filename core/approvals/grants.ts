// Remembered approvals ("approve for 15 minutes", "for 2 uses", "first use approved", a respond-async retry):
// agent × action key × constraint (grant-match.ts). Listed, revocable, and removed with the agent when it is
// revoked. Uses are taken in the same synchronous step as the decision that relies on them (take()).
//
// Storage: the constraint is kept in the action_key column after a "#" ("llm.request:openai#{"model":…}"),
// so the table needs no new column; action keys never contain "#".
import type { Db } from '../storage/db.ts';
import type { PolicyGrant } from '../policy/types.ts';
import type { GrantConstraint } from '../policy/grant-match.ts';
import { grantLive } from '../../shared/grant-live.ts';
import { newId } from '../agents/credentials.ts';

export interface GrantRecord extends PolicyGrant {
  agentId: string;
  covers: string;
  createdAt: number;
}

interface Row {
  id: string;
  agent_id: string;
  action_key: string;
  covers: string;
  uses_left: number | null;
  expires_at: string | null;
  created_at: string;
}

function encodeKey(actionKey: string, constraint: GrantConstraint | null): string {
  return constraint === null ? actionKey : `${actionKey}#${JSON.stringify(constraint)}`;
}

function decodeKey(stored: string): { actionKey: string; constraint: GrantConstraint | null } {
  const hash = stored.indexOf('#');
  if (hash < 0) return { actionKey: stored, constraint: null };
  let constraint: GrantConstraint;
  try {
    constraint = JSON.parse(stored.slice(hash + 1)) as GrantConstraint;
  } catch {
    // An unreadable constraint must not widen the grant to the whole action: it covers nothing.
    constraint = { digest: '' };
  }
  return { actionKey: stored.slice(0, hash), constraint };
}

export class Grants {
  private readonly byAgent = new Map<string, GrantRecord[]>();
  private readonly insertStmt;
  private readonly usesStmt;
  private readonly deleteStmt;
  private readonly deleteAgentStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare<[string, string, string, string, number | null, string | null, string]>(
      'INSERT INTO grants (id, agent_id, action_key, covers, uses_left, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.usesStmt = db.prepare<[number | null, string]>('UPDATE grants SET uses_left = ? WHERE id = ?');
    this.deleteStmt = db.prepare<[string]>('DELETE FROM grants WHERE id = ?');
    this.deleteAgentStmt = db.prepare<[string]>('DELETE FROM grants WHERE agent_id = ?');
    for (const r of db.prepare<[], Row>('SELECT * FROM grants').all()) {
      this.index({
        id: r.id,
        agentId: r.agent_id,
        ...decodeKey(r.action_key),
        covers: r.covers,
        usesLeft: r.uses_left,
        expiresAt: r.expires_at === null ? null : Date.parse(r.expires_at),
        createdAt: Date.parse(r.created_at),
      });
    }
  }

  /** Live grants of one agent (expired and used-up ones are dropped as they are found). */
  forAgent(agentId: string, now: number): readonly GrantRecord[] {
    const list = this.byAgent.get(agentId);
    if (!list) return [];
    const live = list.filter((g) => grantLive(g, now));
    if (live.length !== list.length) {
      for (const g of list) if (!live.includes(g)) this.deleteStmt.run(g.id);
      if (live.length === 0) this.byAgent.delete(agentId);
      else this.byAgent.set(agentId, live);
    }
    return live;
  }

  all(now: number): GrantRecord[] {
    return [...this.byAgent.keys()].flatMap((agentId) => this.forAgent(agentId, now));
  }

  create(
    input: {
      agentId: string;
      actionKey: string;
      constraint: GrantConstraint | null;
      covers: string;
      usesLeft: number | null;
      expiresAt: number | null;
    },
    now: number,
  ): GrantRecord {
    const grant: GrantRecord = { id: newId('grt_'), createdAt: now, ...input };
    this.insertStmt.run(
      grant.id,
      grant.agentId,
      encodeKey(grant.actionKey, grant.constraint),
      grant.covers,
      grant.usesLeft,
      grant.expiresAt === null ? null : new Date(grant.expiresAt).toISOString(),
      new Date(now).toISOString(),
    );
    this.index(grant);
    return grant;
  }

  /**
   * Takes one use of a counted grant. Must run in the same synchronous step as the decision that found the
   * grant live (no await in between), so that one use can never be spent by two requests.
   */
  take(agentId: string, grantId: string): void {
    const grant = this.byAgent.get(agentId)?.find((g) => g.id === grantId);
    if (!grant || grant.usesLeft === null) return;
    grant.usesLeft -= 1;
    this.usesStmt.run(grant.usesLeft, grant.id);
  }

  find(id: string): GrantRecord | undefined {
    for (const list of this.byAgent.values()) {
      const g = list.find((x) => x.id === id);
      if (g) return g;
    }
    return undefined;
  }

  delete(id: string): boolean {
    for (const [agentId, list] of this.byAgent) {
      const idx = list.findIndex((g) => g.id === id);
      if (idx >= 0) {
        // The row first: if it cannot be deleted (a rolled-back transaction), memory keeps the grant too.
        this.deleteStmt.run(id);
        list.splice(idx, 1);
        if (list.length === 0) this.byAgent.delete(agentId);
        return true;
      }
    }
    return false;
  }

  deleteForAgent(agentId: string): number {
    const n = this.byAgent.get(agentId)?.length ?? 0;
    this.deleteAgentStmt.run(agentId);
    this.byAgent.delete(agentId);
    return n;
  }

  private index(grant: GrantRecord): void {
    const list = this.byAgent.get(grant.agentId) ?? [];
    list.push(grant);
    this.byAgent.set(grant.agentId, list);
  }
}
