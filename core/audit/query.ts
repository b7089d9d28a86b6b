// Filtered, keyset-paged reads of the audit table. Every page is `seq` bounded and ordered, so SQLite
// walks an index that ends in seq (audit_agent_block, audit_decision, audit_action or the primary key) and
// stops after LIMIT rows, whatever the table size. An action prefix ("proxy.*") is answered by finding
// the distinct actions under the prefix with a few index probes and merging one indexed page per action.
// A page by agent walks the per-agent index one block of seqs at a time (migration 5 says why it is split).
import type Database from 'better-sqlite3';
import type { Db } from '../storage/db.ts';
import { AppError } from '../errors.ts';
import { AUDIT_AGENT_BLOCK_BITS } from '../storage/migrations.ts';
import { AUDIT_COLUMNS } from './row.ts';
import type { AuditRow } from './row.ts';
import type { AuditQuery } from '../../shared/contract.ts';

export type AuditFilter = Omit<AuditQuery, 'limit' | 'cursor'>;
export type Direction = 'asc' | 'desc';

/** Which slice of the log a page reads: up to `limit` rows with after < seq < before, in `direction`. */
export interface PageWindow {
  direction: Direction;
  after: number;
  before: number;
  limit: number;
}

interface NormalFilter {
  agentId: string | null;
  decision: string | null;
  /** Exact action, or null. */
  action: string | null;
  /** Action prefix range [from, to), or null. */
  prefix: { from: string; to: string } | null;
  since: string | null;
  until: string | null;
}

/** Past this many distinct actions under one prefix, a prefix page scans instead of merging. */
const MAX_MERGED_ACTIONS = 32;
const AGENT_BLOCK = 2 ** AUDIT_AGENT_BLOCK_BITS;
/** Exactly the expression of the index: SQLite uses an expression index only for the same expression. */
function inBlock(value: string): string {
  return `(seq >> ${AUDIT_AGENT_BLOCK_BITS}) = ${value}`;
}

function blockOf(seq: number): number {
  return Math.floor(seq / AGENT_BLOCK);
}

function isoOrThrow(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new AppError('bad_request', `"${field}" must be a date and time like 2025-01-31T12:00:00Z.`, {
      path: field,
    });
  }
  // Stored times are toISOString() text, so normalising makes string comparison a time comparison.
  return new Date(ms).toISOString();
}

export function normalizeFilter(filter: AuditFilter): NormalFilter {
  let action: string | null = null;
  let prefix: NormalFilter['prefix'] = null;
  if (filter.action !== undefined) {
    if (filter.action.endsWith('*')) {
      const from = filter.action.slice(0, -1);
      if (from !== '') {
        const lastCode = from.charCodeAt(from.length - 1);
        prefix = { from, to: from.slice(0, -1) + String.fromCharCode(lastCode + 1) };
      }
    } else {
      action = filter.action;
    }
  }
  return {
    agentId: filter.agentId ?? null,
    decision: filter.decision ?? null,
    action,
    prefix,
    since: filter.since === undefined ? null : isoOrThrow(filter.since, 'since'),
    until: filter.until === undefined ? null : isoOrThrow(filter.until, 'until'),
  };
}

type Statements<R> = Map<string, Database.Statement<unknown[], R>>;

function cached<R>(db: Db, statements: Statements<R>, sql: string): Database.Statement<unknown[], R> {
  let statement = statements.get(sql);
  if (statement === undefined) {
    statement = db.prepare<unknown[], R>(sql);
    statements.set(sql, statement);
  }
  return statement;
}

export class AuditPager {
  private readonly db: Db;
  private readonly statements: Statements<AuditRow> = new Map();
  private readonly blockStatements: Statements<{ k: number }> = new Map();
  private readonly firstAction: Database.Statement<[string, string], { action: string }>;
  private readonly nextAction: Database.Statement<[string, string], { action: string }>;

  private readonly maxSeq: Database.Statement<[], { seq: number }>;
  private readonly seqAtOrAfter: Database.Statement<[number], { seq: number; time: string }>;

  constructor(db: Db) {
    this.db = db;
    this.maxSeq = db.prepare('SELECT seq FROM audit ORDER BY seq DESC LIMIT 1');
    this.seqAtOrAfter = db.prepare('SELECT seq, time FROM audit WHERE seq >= ? ORDER BY seq LIMIT 1');
    this.firstAction = db.prepare(
      'SELECT action FROM audit WHERE action >= ? AND action < ? ORDER BY action LIMIT 1',
    );
    this.nextAction = db.prepare(
      'SELECT action FROM audit WHERE action > ? AND action < ? ORDER BY action LIMIT 1',
    );
  }

  /**
   * Seq bounds for a time range, by binary search on seq: entries are appended in time order, so the
   * seq range is found in ~20 point lookups and no time index has to be kept up on every append. The
   * time conditions still apply to each row, so a clock that stepped back only narrows, never widens.
   */
  private timeBounds(filter: NormalFilter): { after: number; before: number } {
    let after = 0;
    let before = Number.MAX_SAFE_INTEGER;
    if (filter.since === null && filter.until === null) return { after, before };
    const max = this.maxSeq.get()?.seq ?? 0;
    // Smallest seq whose time is >= t (max + 1 when none).
    const firstAtOrAfter = (t: string, inclusive: boolean): number => {
      let lo = 1;
      let hi = max + 1;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        const row = this.seqAtOrAfter.get(mid);
        if (row === undefined) {
          hi = mid;
          continue;
        }
        const ok = inclusive ? row.time >= t : row.time > t;
        if (ok) hi = mid;
        else lo = row.seq + 1;
      }
      return lo;
    };
    if (filter.since !== null) after = firstAtOrAfter(filter.since, true) - 1;
    if (filter.until !== null) before = firstAtOrAfter(filter.until, false);
    return { after, before };
  }

  /** Up to `window.limit` rows matching the filter inside the window, in its order. */
  page(filter: NormalFilter, window: PageWindow): AuditRow[] {
    const bounds = this.timeBounds(filter);
    const w: PageWindow = {
      ...window,
      after: Math.max(window.after, bounds.after),
      before: Math.min(window.before, bounds.before),
    };
    if (w.after + 1 >= w.before) return [];
    // By agent, the agent's index drives and a prefix is a filter on its rows: merging would probe every
    // block once per action. One probe first: with no action under the prefix, walking finds nothing.
    if (filter.prefix === null) return this.run(filter, null, w);
    if (filter.agentId !== null) {
      if (this.firstAction.get(filter.prefix.from, filter.prefix.to) === undefined) return [];
      return this.run(filter, filter.prefix, w);
    }
    const actions = this.actionsUnder(filter.prefix);
    if (actions === null) return this.run(filter, filter.prefix, w);
    const rows: AuditRow[] = [];
    for (const action of actions) rows.push(...this.run({ ...filter, action }, null, w));
    rows.sort(w.direction === 'desc' ? (a, b) => b.seq - a.seq : (a, b) => a.seq - b.seq);
    return rows.slice(0, w.limit);
  }

  /** Distinct actions in [from, to) by skipping along audit_action; null when there are too many. */
  private actionsUnder(prefix: { from: string; to: string }): string[] | null {
    const actions: string[] = [];
    let row = this.firstAction.get(prefix.from, prefix.to);
    while (row !== undefined) {
      if (actions.length === MAX_MERGED_ACTIONS) return null;
      actions.push(row.action);
      row = this.nextAction.get(row.action, prefix.to);
    }
    return actions;
  }

  private run(filter: NormalFilter, scanPrefix: NormalFilter['prefix'], window: PageWindow): AuditRow[] {
    const where = ['seq > ?', 'seq < ?'];
    const params: unknown[] = [window.after, window.before];
    // One index drives the walk: the agent's (many agents, few rows each), else the action's, else the
    // decision's (a handful of values). "+" keeps the other terms as plain filters, so SQLite never
    // walks a big decision range checking each row for a small agent.
    if (filter.agentId !== null) {
      where.unshift('agent_id = ?');
      params.unshift(filter.agentId);
    }
    if (filter.action !== null) {
      where.push(filter.agentId !== null ? '+action = ?' : 'action = ?');
      params.push(filter.action);
    }
    if (filter.decision !== null) {
      const driving = filter.agentId === null && filter.action === null;
      where.push(driving ? 'decision = ?' : '+decision = ?');
      params.push(filter.decision);
      // audit_decision leaves out 'allow' (most of the log): naming the exclusion lets SQLite use it for
      // the other decisions; an 'allow' page walks the primary key, where most rows match.
      if (driving && filter.decision !== 'allow') where.push("decision <> 'allow'");
    }
    if (scanPrefix !== null) {
      // "+" keeps SQLite off audit_action here: a range there would need a sort of every match.
      where.push('+action >= ?', '+action < ?');
      params.push(scanPrefix.from, scanPrefix.to);
    }
    // Time bounds were turned into seq bounds (timeBounds); here they only re-check each row.
    const time = '+time';
    if (filter.since !== null) {
      where.push(`${time} >= ?`);
      params.push(filter.since);
    }
    if (filter.until !== null) {
      where.push(`${time} <= ?`);
      params.push(filter.until);
    }
    if (filter.agentId !== null) return this.byBlock(where.join(' AND '), params, window);
    const sql = `SELECT ${AUDIT_COLUMNS} FROM audit WHERE ${where.join(' AND ')} ORDER BY seq ${window.direction === 'desc' ? 'DESC' : 'ASC'} LIMIT ?`;
    return cached(this.db, this.statements, sql).all(...params, window.limit);
  }

  /**
   * An agent's page: first the blocks of seqs that hold a matching row, in the page's order, found in one
   * statement (one index probe per block inside SQLite: ~3 ms over 10M entries for an agent with none); then
   * the rows, block by block, until `limit`. `where` starts with the agent term.
   */
  private byBlock(where: string, params: readonly unknown[], window: PageWindow): AuditRow[] {
    const { direction, after, before, limit } = window;
    const low = blockOf(after + 1);
    const high = blockOf(Math.min(before - 1, this.maxSeq.get()?.seq ?? 0));
    if (low > high) return [];
    const desc = direction === 'desc';
    const blocks = cached(
      this.db,
      this.blockStatements,
      `WITH RECURSIVE b(k) AS (SELECT ? UNION ALL SELECT k ${desc ? '- 1' : '+ 1'} FROM b WHERE k ${desc ? '>' : '<'} ?) ` +
        `SELECT k FROM b WHERE EXISTS (SELECT 1 FROM audit WHERE ${inBlock('k')} AND ${where}) LIMIT ?`,
    );
    const rowsOf = cached(
      this.db,
      this.statements,
      `SELECT ${AUDIT_COLUMNS} FROM audit WHERE ${inBlock('?')} AND ${where} ORDER BY seq ${desc ? 'DESC' : 'ASC'} LIMIT ?`,
    );
    const rows: AuditRow[] = [];
    // Each block listed holds at least one matching row, so `limit` blocks always suffice.
    for (const { k } of blocks.all(desc ? high : low, desc ? low : high, ...params, limit)) {
      for (const row of rowsOf.all(k, ...params, limit - rows.length)) rows.push(row);
      if (rows.length >= limit) break;
    }
    return rows;
  }
}
