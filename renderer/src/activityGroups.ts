// Activity grouped by request: the entries one agent request writes (the decision, the hold and the owner's
// answer, the result with its cost) fold into one row whose outcome is the request's real end. Entries
// without a request id (owner and system events) stay rows of their own. Pure and DOM-free.
import type { AuditEntry } from '../../shared/models.ts';
import { formatUsd } from './format.ts';

export type Tone = 'neutral' | 'good' | 'bad' | 'warn';

export interface GroupOutcome {
  label: string;
  tone: Tone;
  /** The entry that decided the outcome (its rule is the row's rule). */
  by: AuditEntry;
}

export interface ActivityGroup {
  /** The request id, or "seq:N" for a lone entry. */
  key: string;
  /** Oldest first: the request, then what happened to it. */
  entries: AuditEntry[];
  /** The first entry: what was asked. */
  head: AuditEntry;
  outcome: GroupOutcome;
  /** Cost summed over the request's entries, or null when none carried one. */
  costUsd: number | null;
  /** The newest seq in the group (for keys and selection). */
  seq: number;
}

/** What a refusal code means to the owner. */
const REFUSALS: Readonly<Record<string, { label: string; tone: Tone }>> = {
  approval_denied: { label: 'Denied by you', tone: 'bad' },
  approval_timeout: { label: 'Timed out', tone: 'warn' },
  caller_exited: { label: 'Caller left', tone: 'warn' },
  vault_locked: { label: 'Vault locked', tone: 'warn' },
  revoked: { label: 'Key revoked', tone: 'bad' },
  suspended: { label: 'Agent suspended', tone: 'bad' },
  expired: { label: 'Key expired', tone: 'bad' },
  invalid_token: { label: 'Unknown key', tone: 'bad' },
  scope_denied: { label: 'Blocked by policy', tone: 'bad' },
  rate_limited: { label: 'Rate limited', tone: 'bad' },
  budget_exceeded: { label: 'Over budget', tone: 'bad' },
  audit_unavailable: { label: 'Audit unavailable', tone: 'bad' },
  provider_not_configured: { label: 'No such provider', tone: 'bad' },
  bad_request: { label: 'Malformed request', tone: 'bad' },
  upstream_error: { label: 'Upstream error', tone: 'bad' },
  upstream_timeout: { label: 'Upstream timeout', tone: 'bad' },
};

function isResult(e: AuditEntry): boolean {
  return e.action.endsWith('.result');
}

/** The outcome of a request from all its entries (oldest first); `waiting` holds request ids still held. */
export function requestOutcome(entries: readonly AuditEntry[], waiting: ReadonlySet<string>): GroupOutcome {
  const last = entries[entries.length - 1];
  const first = entries[0];
  if (!last || !first) throw new Error('empty group');
  const approvedByOwner = entries.some((e) => e.decision === 'approved' && e.actor === 'agent');
  const result = [...entries].reverse().find(isResult);
  if (result) {
    if (result.reason === 'cut') return { label: 'Cut', tone: 'warn', by: result };
    if (result.decision === 'error') {
      const known = result.reason ? REFUSALS[result.reason] : undefined;
      const status = result.status !== null && result.status !== 502 ? ` ${result.status}` : '';
      return { label: `${known?.label ?? 'Upstream error'}${status}`, tone: 'bad', by: result };
    }
    return { label: approvedByOwner ? 'Approved by you' : 'Allowed', tone: 'good', by: result };
  }
  // No result: the newest entry that is not the hold itself says how it ended.
  const end = [...entries].reverse().find((e) => e.decision !== 'pending' && e.action !== 'approval.decided');
  if (!end) {
    const held = first.requestId !== null && waiting.has(first.requestId);
    return { label: held ? 'Waiting for you' : 'Waiting', tone: 'warn', by: first };
  }
  if (end.decision === 'timeout') return { label: 'Timed out', tone: 'warn', by: end };
  if (end.decision === 'deny' || end.decision === 'denied') {
    const known = end.reason ? REFUSALS[end.reason] : undefined;
    return { label: known?.label ?? 'Blocked by policy', tone: known?.tone ?? 'bad', by: end };
  }
  if (end.decision === 'error') return { label: 'Error', tone: 'bad', by: end };
  if (end.decision === 'allow' || end.decision === 'approved')
    return { label: end.decision === 'approved' ? 'Approved by you' : 'Allowed', tone: 'good', by: end };
  return { label: 'Event', tone: 'neutral', by: end };
}

/** Groups a newest-first list of entries by request; groups are ordered by their first entry, newest first. */
export function groupEntries(
  newestFirst: readonly AuditEntry[],
  waiting: ReadonlySet<string> = new Set(),
): ActivityGroup[] {
  const byKey = new Map<string, AuditEntry[]>();
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    const e = newestFirst[i];
    if (!e) continue;
    const key = e.requestId ? `req:${e.requestId}` : `seq:${e.seq}`;
    const list = byKey.get(key);
    if (list) list.push(e);
    else byKey.set(key, [e]);
  }
  const groups: ActivityGroup[] = [];
  for (const [key, entries] of byKey) {
    const head = entries[0];
    const tail = entries[entries.length - 1];
    if (!head || !tail) continue;
    const costs = entries.map((e) => e.costUsd).filter((c): c is number => c !== null);
    groups.push({
      key,
      entries,
      head,
      outcome: requestOutcome(entries, waiting),
      costUsd: costs.length ? costs.reduce((a, b) => a + b, 0) : null,
      seq: tail.seq,
    });
  }
  // Insertion order is oldest first by first entry; the feed shows newest first.
  return groups.reverse();
}

/** "3 entries · $0.0004" under a grouped row. */
export function groupNote(g: ActivityGroup): string {
  const parts: string[] = [];
  if (g.entries.length > 1) parts.push(`${g.entries.length} entries`);
  if (g.costUsd !== null && g.costUsd > 0) parts.push(formatUsd(g.costUsd));
  return parts.join(' · ');
}
