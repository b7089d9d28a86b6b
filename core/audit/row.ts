// Mapping between a row of the `audit` table and the AuditEntry of the contract. One column per field;
// facts are kept as canonical JSON text, exactly the text the hash was computed over.
import { Decision } from '../../shared/models.ts';
import type { AuditEntry } from '../../shared/models.ts';

/** A row of `audit` as better-sqlite3 returns it (and as append inserts it). */
export interface AuditRow {
  seq: number;
  time: string;
  agent_id: string | null;
  agent_name: string | null;
  actor: string;
  action: string;
  provider: string | null;
  method: string | null;
  path: string | null;
  facts_json: string | null;
  decision: string;
  reason: string | null;
  rule: string | null;
  status: number | null;
  latency_ms: number | null;
  cost_usd: number | null;
  request_id: string | null;
  /** How the hash was computed: see hash.ts. */
  chain: string;
  /** The calling process, where the daemon resolved it (all null otherwise). */
  caller_pid: number | null;
  caller_exe: string | null;
  caller_cmdline: string | null;
  prev_hash: string;
  hash: string;
}

export type ChainKind = 'mac' | 'plain' | 'v1';

/** Column list in table order, for SELECTs. */
export const AUDIT_COLUMNS =
  'seq, time, agent_id, agent_name, actor, action, provider, method, path, facts_json, decision, reason, rule, ' +
  'status, latency_ms, cost_usd, request_id, chain, caller_pid, caller_exe, caller_cmdline, prev_hash, hash';

/** Positional INSERT; bind rowValues(row). */
export const INSERT_AUDIT_SQL = `INSERT INTO audit (${AUDIT_COLUMNS}) VALUES (${AUDIT_COLUMNS.split(', ')
  .map(() => '?')
  .join(', ')})`;

export type AuditRowValues = [
  number,
  string,
  string | null,
  string | null,
  string,
  string,
  string | null,
  string | null,
  string | null,
  string | null,
  string,
  string | null,
  string | null,
  number | null,
  number | null,
  number | null,
  string | null,
  string,
  number | null,
  string | null,
  string | null,
  string,
  string,
];

/** The row's values in AUDIT_COLUMNS order (positional binding is cheaper than named on the append path). */
export function rowValues(r: AuditRow): AuditRowValues {
  return [
    r.seq,
    r.time,
    r.agent_id,
    r.agent_name,
    r.actor,
    r.action,
    r.provider,
    r.method,
    r.path,
    r.facts_json,
    r.decision,
    r.reason,
    r.rule,
    r.status,
    r.latency_ms,
    r.cost_usd,
    r.request_id,
    r.chain,
    r.caller_pid,
    r.caller_exe,
    r.caller_cmdline,
    r.prev_hash,
    r.hash,
  ];
}

const DECISIONS: ReadonlySet<string> = new Set(Decision.options);

export function isDecision(value: string): value is Decision {
  return DECISIONS.has(value);
}

function parseFacts(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
    // Not an object: the row was edited outside the app (verify reports it). Show what is there.
    return { value: parsed };
  } catch {
    return { unparsable: text };
  }
}

export function rowToEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    time: row.time,
    agentId: row.agent_id,
    agentName: row.agent_name,
    actor: row.actor,
    action: row.action,
    provider: row.provider,
    method: row.method,
    path: row.path,
    facts: parseFacts(row.facts_json),
    // A decision outside the contract's list can only come from an edit outside the app; verify reports
    // the edit, and the entry is shown as an error rather than with a value the contract cannot carry.
    decision: isDecision(row.decision) ? row.decision : 'error',
    reason: row.reason,
    rule: row.rule,
    status: row.status,
    latencyMs: row.latency_ms,
    costUsd: row.cost_usd,
    requestId: row.request_id,
    chain: row.chain === 'mac' || row.chain === 'plain' || row.chain === 'v1' ? row.chain : 'v1',
    caller:
      row.caller_pid === null
        ? null
        : { pid: row.caller_pid, exe: row.caller_exe, cmdline: row.caller_cmdline },
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
