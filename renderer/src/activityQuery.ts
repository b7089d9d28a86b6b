// Activity filters: the qualifier search ("agent:mail-bot outcome:denied action:email.*"), the URL hash
// parameters and the AuditQuery the core understands, plus the plain-text line of an entry. Pure and DOM-free.
import { isAgentId, type AuditQuery } from '../../shared/contract.ts';
import type { AuditEntry, Decision } from '../../shared/models.ts';
import { formatMinor, formatUsd } from './format.ts';

/** What the person filters on. `agent` is a name or an agent id; `since`/`until` are ISO or "15m", "2h", "7d". */
export interface ActivityFilter {
  agent?: string;
  outcome?: Decision;
  action?: string;
  since?: string;
  until?: string;
  /** Free words, matched against the loaded rows only. */
  text?: string;
}

export interface OutcomeInfo {
  decision: Decision;
  label: string;
  /** Qualifier word: outcome:<word>. */
  word: string;
  tone: 'neutral' | 'good' | 'bad' | 'warn';
}

export const OUTCOMES: readonly OutcomeInfo[] = [
  { decision: 'allow', label: 'Allowed', word: 'allowed', tone: 'good' },
  { decision: 'approved', label: 'Approved by you', word: 'approved', tone: 'good' },
  { decision: 'denied', label: 'Denied', word: 'denied', tone: 'bad' },
  { decision: 'deny', label: 'Blocked by policy', word: 'blocked', tone: 'bad' },
  { decision: 'timeout', label: 'Timed out', word: 'timeout', tone: 'warn' },
  { decision: 'pending', label: 'Waiting', word: 'pending', tone: 'warn' },
  { decision: 'error', label: 'Error', word: 'error', tone: 'bad' },
  { decision: 'event', label: 'Event', word: 'event', tone: 'neutral' },
];

export function outcomeOf(decision: Decision): OutcomeInfo {
  return (
    OUTCOMES.find((o) => o.decision === decision) ?? {
      decision,
      label: decision,
      word: decision,
      tone: 'neutral',
    }
  );
}

const OUTCOME_ALIASES: Record<string, Decision> = {
  allow: 'allow',
  allowed: 'allow',
  approved: 'approved',
  denied: 'denied',
  deny: 'deny',
  blocked: 'deny',
  policy: 'deny',
  timeout: 'timeout',
  'timed-out': 'timeout',
  timedout: 'timeout',
  pending: 'pending',
  waiting: 'pending',
  error: 'error',
  event: 'event',
};

export function parseOutcome(word: string): Decision | null {
  return OUTCOME_ALIASES[word.toLowerCase()] ?? null;
}

export interface ParseResult {
  filter: ActivityFilter;
  errors: string[];
}

const QUALIFIERS = ['agent', 'outcome', 'action', 'since', 'until'] as const;
type Qualifier = (typeof QUALIFIERS)[number];

function isQualifier(k: string): k is Qualifier {
  return (QUALIFIERS as readonly string[]).includes(k);
}

const ACTION_RE = /^[a-z0-9_.*-]+$/;
const RELATIVE_RE = /^(\d{1,6})(s|m|min|h|d|w)$/;

/** Splits on spaces, keeping "quoted words" together. */
function tokens(text: string): string[] {
  const out: string[] = [];
  const re = /(\S+?:"[^"]*"|"[^"]*"|\S+)/g;
  for (const m of text.matchAll(re)) out.push(m[0].replace(/"/g, ''));
  return out;
}

/** Parses the qualifier search box. Unknown qualifiers and bad values are reported, never silently dropped. */
export function parseQualifiers(text: string): ParseResult {
  const filter: ActivityFilter = {};
  const errors: string[] = [];
  const words: string[] = [];
  for (const token of tokens(text)) {
    const colon = token.indexOf(':');
    const key = colon > 0 ? token.slice(0, colon).toLowerCase() : '';
    const value = colon > 0 ? token.slice(colon + 1) : '';
    if (!key || !/^[a-z]+$/.test(key)) {
      words.push(token);
      continue;
    }
    if (!isQualifier(key)) {
      errors.push(`Unknown filter "${key}:". Use agent:, outcome:, action:, since: or until:.`);
      continue;
    }
    if (!value) {
      errors.push(`"${key}:" needs a value.`);
      continue;
    }
    if (key === 'outcome') {
      const d = parseOutcome(value);
      if (d) filter.outcome = d;
      else errors.push(`Unknown outcome "${value}". Try ${OUTCOMES.map((o) => o.word).join(', ')}.`);
    } else if (key === 'action') {
      const a = value.toLowerCase();
      if (ACTION_RE.test(a) && a.length <= 100) filter.action = a;
      else errors.push(`"${value}" is not an action like email.send or proxy.*.`);
    } else if (key === 'since' || key === 'until') {
      if (resolveTime(value, 0) === null)
        errors.push(`"${value}" is not a time like 15m, 2h, 7d or 2025-01-31.`);
      else filter[key] = value;
    } else {
      filter.agent = value;
    }
  }
  if (words.length) filter.text = words.join(' ');
  return { filter, errors };
}

function quote(v: string): string {
  return /\s/.test(v) ? `"${v}"` : v;
}

/** The search-box text for a filter (inverse of parseQualifiers). */
export function formatQualifiers(f: ActivityFilter): string {
  const parts: string[] = [];
  if (f.agent) parts.push(`agent:${quote(f.agent)}`);
  if (f.outcome) parts.push(`outcome:${outcomeOf(f.outcome).word}`);
  if (f.action) parts.push(`action:${f.action}`);
  if (f.since) parts.push(`since:${f.since}`);
  if (f.until) parts.push(`until:${f.until}`);
  if (f.text) parts.push(f.text);
  return parts.join(' ');
}

/** "15m", "2h", "7d" (before now) or an ISO date/time → ISO string; null when unreadable. */
export function resolveTime(value: string, now: number): string | null {
  const rel = RELATIVE_RE.exec(value);
  if (rel) {
    const n = Number(rel[1]);
    const unit = rel[2] ?? 'm';
    const ms =
      { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[unit] ?? 60_000;
    return new Date(now - n * ms).toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

export interface AgentRef {
  id: string;
  name: string;
}

export type QueryResult = { ok: true; query: AuditQuery } | { ok: false; error: string };

/** Maps the person's filter to the core's AuditQuery; agent names are resolved to ids. */
export function toAuditQuery(f: ActivityFilter, agents: readonly AgentRef[], now: number): QueryResult {
  const query: AuditQuery = {};
  if (f.agent) {
    if (isAgentId(f.agent)) query.agentId = f.agent;
    else {
      const match =
        agents.find((a) => a.name === f.agent) ??
        agents.find((a) => a.name.toLowerCase() === f.agent?.toLowerCase());
      if (!match) return { ok: false, error: `No agent named "${f.agent}".` };
      query.agentId = match.id;
    }
  }
  if (f.outcome) query.decision = f.outcome;
  if (f.action) query.action = f.action;
  for (const key of ['since', 'until'] as const) {
    const v = f[key];
    if (!v) continue;
    const iso = resolveTime(v, now);
    if (!iso) return { ok: false, error: `"${v}" is not a time.` };
    query[key] = iso;
  }
  return { ok: true, query };
}

/** Filter → URL hash parameters ("agent=mail-bot&outcome=denied"). */
export function filterToParams(f: ActivityFilter): string {
  const p = new URLSearchParams();
  if (f.agent) p.set('agent', f.agent);
  if (f.outcome) p.set('outcome', outcomeOf(f.outcome).word);
  if (f.action) p.set('action', f.action);
  if (f.since) p.set('since', f.since);
  if (f.until) p.set('until', f.until);
  if (f.text) p.set('q', f.text);
  return p.toString();
}

/** URL hash parameters → filter; bad values are dropped (the URL is not trusted input for the query). */
export function paramsToFilter(params: string): ActivityFilter {
  const p = new URLSearchParams(params);
  const f: ActivityFilter = {};
  const agent = p.get('agent');
  if (agent) f.agent = agent;
  const outcome = p.get('outcome');
  const d = outcome ? parseOutcome(outcome) : null;
  if (d) f.outcome = d;
  const action = p.get('action');
  if (action && ACTION_RE.test(action)) f.action = action;
  for (const key of ['since', 'until'] as const) {
    const v = p.get(key);
    if (v && resolveTime(v, 0) !== null) f[key] = v;
  }
  const q = p.get('q');
  if (q) f.text = q;
  return f;
}

/** True when a live entry belongs in a feed loaded with this query (the core applies the same filters). */
export function entryMatches(e: AuditEntry, q: AuditQuery): boolean {
  if (q.agentId && e.agentId !== q.agentId) return false;
  if (q.decision && e.decision !== q.decision) return false;
  if (q.action) {
    if (q.action.endsWith('*')) {
      if (!e.action.startsWith(q.action.slice(0, -1))) return false;
    } else if (e.action !== q.action) return false;
  }
  const t = Date.parse(e.time);
  if (q.since && t < Date.parse(q.since)) return false;
  if (q.until && t > Date.parse(q.until)) return false;
  return true;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v ? v : null;
}

/** The plain-text half of an activity row: "POST /chat/completions · gpt-4o-mini · $0.0004". */
export function entryText(e: AuditEntry): string {
  const f = e.facts ?? {};
  const parts: string[] = [];
  const type = str(f['type']);
  if (type === 'secret') {
    parts.push(`read ${str(f['name']) ?? 'secret'}`);
  } else if (e.method || e.path) {
    parts.push([e.method, e.path].filter(Boolean).join(' '));
  }
  const model = str(f['model']);
  if (model) parts.push(model);
  const recipients = f['recipients'];
  if (Array.isArray(recipients) && recipients.length) {
    const list = recipients.filter((r): r is string => typeof r === 'string');
    parts.push(`to ${list.slice(0, 2).join(', ')}${list.length > 2 ? ` +${list.length - 2}` : ''}`);
  }
  const amount = f['amount'];
  const currency = str(f['currency']);
  if (typeof amount === 'number' && currency) parts.push(formatMinor(amount, currency));
  if (e.costUsd !== null && e.costUsd > 0) parts.push(formatUsd(e.costUsd));
  if (!parts.length) {
    // Owner and system events: the rule field holds their description ("New credential akc_…").
    const described = e.actor !== 'agent' ? e.rule : null;
    const name = described ?? str(f['name']) ?? str(f['id']) ?? str(f['providerId']) ?? e.reason;
    if (name && name !== e.action) parts.push(name);
  }
  return parts.join(' · ');
}

/** Case-insensitive free-text match over what a row shows. */
export function entryHasText(e: AuditEntry, text: string): boolean {
  const needle = text.toLowerCase();
  return [e.action, e.agentName ?? '', entryText(e), e.rule ?? '', e.reason ?? '', e.requestId ?? '']
    .join(' ')
    .toLowerCase()
    .includes(needle);
}
