// Remembered approvals ("approve for 15 minutes", "for 2 uses", "first use approved"): agent × action key.
// Listed, revocable, and removed with the agent when it is revoked.
import type { Db } from '../storage/db.ts';
import type { PolicyGrant } from '../policy/types.ts';
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

export class Grants {
  private readonly db: Db;
  private readonly byAgent = new Map<string, GrantRecord[]>();

  constructor(db: Db) {
    this.db = db;
    for (const r of db.prepare<[], Row>('SELECT * FROM grants').all()) {
      this.index({
        id: r.id,
        agentId: r.agent_id,
        actionKey: r.action_key,
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
    const live = list.filter(
      (g) => (g.expiresAt === null || g.expiresAt > now) && (g.usesLeft === null || g.usesLeft > 0),
    );
    if (live.length !== list.length) {
      for (const g of list)
        if (!live.includes(g)) this.db.prepare('DELETE FROM grants WHERE id = ?').run(g.id);
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
      covers: string;
      usesLeft: number | null;
      expiresAt: number | null;
    },
    now: number,
  ): GrantRecord {
    const grant: GrantRecord = { id: newId('grt_'), createdAt: now, ...input };
    this.db
      .prepare(
        'INSERT INTO grants (id, agent_id, action_key, covers, uses_left, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        grant.id,
        grant.agentId,
        grant.actionKey,
        grant.covers,
        grant.usesLeft,
        grant.expiresAt === null ? null : new Date(grant.expiresAt).toISOString(),
        new Date(now).toISOString(),
      );
    this.index(grant);
    return grant;
  }

  /** Uses one use of a counted grant (called in the same step as the allow decision). */
  consume(agentId: string, grantId: string): void {
    const grant = this.byAgent.get(agentId)?.find((g) => g.id === grantId);
    if (!grant || grant.usesLeft === null) return;
    grant.usesLeft -= 1;
    this.db.prepare('UPDATE grants SET uses_left = ? WHERE id = ?').run(grant.usesLeft, grant.id);
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
        list.splice(idx, 1);
        if (list.length === 0) this.byAgent.delete(agentId);
        this.db.prepare('DELETE FROM grants WHERE id = ?').run(id);
        return true;
      }
    }
    return false;
  }

  deleteForAgent(agentId: string): number {
    const n = this.byAgent.get(agentId)?.length ?? 0;
    this.byAgent.delete(agentId);
    this.db.prepare('DELETE FROM grants WHERE agent_id = ?').run(agentId);
    return n;
  }

  private index(grant: GrantRecord): void {
    const list = this.byAgent.get(grant.agentId) ?? [];
    list.push(grant);
    this.byAgent.set(grant.agentId, list);
  }
}
