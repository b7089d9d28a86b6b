// The agent form's text helpers: a live sentence preview, the scope JSON editor's validation with issue
// paths, allowed values and "did you mean", and the ready-to-paste environment lines. DOM-free.
import {
  Budget,
  EmailScope,
  PaymentsScope,
  ProviderScope,
  RateLimit,
  Scopes,
  VaultScope,
} from '../../shared/scopes.ts';
import type { ProviderKind } from '../../shared/facts.ts';
import { formatIssuePath } from '../../shared/issue-path.ts';
import { formatCount, formatMinor, formatUsd } from './format.ts';

/** Zod issue path → "providers.openai.models[0]", with the shared formatter; "(top level)" for the root. */
export function issuePath(path: readonly PropertyKey[]): string {
  return formatIssuePath(path) || '(top level)';
}

export interface JsonIssue {
  path: string;
  message: string;
  /** 1-based line of a JSON syntax error, when the parser says. */
  line?: number;
}

export type JsonResult = { ok: true; scopes: Scopes } | { ok: false; issues: JsonIssue[] };

type Shape = Record<string, unknown>;

/** The fields the scope object at `path` allows (for "Unknown field" messages). */
export function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  const keys = (shape: Shape): string[] => Object.keys(shape);
  const last = path[path.length - 1];
  if (path.length === 0) return keys(Scopes.shape);
  if (last === 'rateLimit') return keys(RateLimit.shape);
  if (last === 'budget') return keys(Budget.shape);
  if (last === 'approval') return ['above'];
  if (path[0] === 'providers' && path.length === 2) return keys(ProviderScope.shape);
  if (path.length === 1 && last === 'email') return keys(EmailScope.shape);
  if (path.length === 1 && last === 'payments') return keys(PaymentsScope.shape);
  if (path.length === 1 && last === 'vault') return keys(VaultScope.shape);
  return [];
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}

/** The closest allowed name, when it is close enough to be a typo. */
export function didYouMean(word: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const a of allowed) {
    const d = distance(word.toLowerCase(), a.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

const APPROVAL_VALUES = '"never", "always", "first-use" or {"above": <amount>}';

interface IssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  values?: unknown[];
}

/** A schema issue in words that say what is allowed. */
function explain(i: IssueLike): string {
  const last = i.path[i.path.length - 1];
  if (i.code === 'unrecognized_keys' && i.keys) {
    const allowed = allowedKeysAt(i.path);
    return i.keys
      .map((k) => {
        const guess = didYouMean(k, allowed);
        return `Unknown field "${k}".${guess ? ` Did you mean "${guess}"?` : ''}${allowed.length ? ` Allowed here: ${allowed.join(', ')}.` : ''}`;
      })
      .join(' ');
  }
  if (last === 'approval') return `must be ${APPROVAL_VALUES}`;
  if (i.code === 'invalid_value' && i.values?.length)
    return `must be one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return i.message;
}

/** Line of a JSON.parse error, from V8's "(line 3 column 5)" or its "position 42". */
function errorLine(message: string, text: string): number | undefined {
  const m = /line (\d+)/.exec(message);
  if (m?.[1]) return Number(m[1]);
  const p = /position (\d+)/.exec(message);
  if (p?.[1]) return text.slice(0, Number(p[1])).split('\n').length;
  return undefined;
}

/** Validates the scope JSON editor's text: JSON syntax first, then the scope schema, each issue at its exact path. */
export function validateScopesJson(text: string): JsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : 'Not valid JSON';
    const line = errorLine(message, text);
    return {
      ok: false,
      issues: [{ path: line ? `(JSON, line ${line})` : '(JSON)', message, ...(line ? { line } : {}) }],
    };
  }
  const parsed = Scopes.safeParse(value);
  if (parsed.success) return { ok: true, scopes: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({ path: issuePath(i.path), message: explain(i as IssueLike) })),
  };
}

function approvalWords(a: unknown): string | null {
  if (a === 'always') return 'each request needs your approval';
  if (a === 'first-use') return 'the first request needs your approval';
  if (a && typeof a === 'object' && 'above' in a && typeof a.above === 'number')
    return `requests above ${formatCount(a.above)} need your approval`;
  return null;
}

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

/** A preview of what the scopes allow, in sentences (the core's AgentView.scopeSummary is authoritative). */
export function previewSentences(s: Scopes): string[] {
  const out: string[] = [];
  for (const [id, p] of Object.entries(s.providers ?? {})) {
    const bits = [`Can call ${id}`];
    if (p.models?.length) bits.push(`with ${orList(p.models)}`);
    if (p.methods?.length || p.paths?.length)
      bits.push(`(${[p.methods?.join('/'), p.paths?.join(', ')].filter(Boolean).join(' ')})`);
    let sentence = bits.join(' ');
    const limits: string[] = [];
    if (p.budget) limits.push(`spending up to ${formatUsd(p.budget.usd)} a ${p.budget.per}`);
    if (p.rateLimit)
      limits.push(`at most ${formatCount(p.rateLimit.requests)} requests a ${p.rateLimit.per}`);
    if (limits.length) sentence += `, ${limits.join(' and ')}`;
    const appr = approvalWords(p.approval);
    if (appr) sentence += `; ${appr}`;
    out.push(`${sentence}; anything else is refused.`);
  }
  if (s.email) {
    const e = s.email;
    const to = [...(e.allowedDomains ?? []), ...(e.allowedAddresses ?? [])];
    let sentence = `Can send ${e.dailyLimit ? `up to ${formatCount(e.dailyLimit)} emails a day` : 'email'}`;
    if (to.length) sentence += ` to ${orList(to)}`;
    if (e.provider) sentence += ` through ${e.provider}`;
    const appr = approvalWords(e.approval);
    if (appr) sentence += `; ${appr}`;
    out.push(`${sentence}; anything else is refused.`);
  }
  if (s.payments) {
    const p = s.payments;
    let sentence = `Can create ${p.oneTime ? 'one-time ' : ''}payments of up to ${formatMinor(p.maxAmount, p.currency ?? 'usd')}`;
    if (p.provider) sentence += ` through ${p.provider}`;
    if (p.dailyLimit) sentence += `, at most ${formatCount(p.dailyLimit)} a day`;
    const appr = approvalWords(p.approval);
    if (appr) sentence += `; ${appr}`;
    out.push(`${sentence}.`);
  }
  if (s.vault) {
    const v = s.vault;
    let sentence = `Can read ${v.readOnly.length === 1 ? 'the secret' : 'the secrets'} ${orList(v.readOnly)}`;
    if (v.ttlSeconds) sentence += ` for ${formatTtl(v.ttlSeconds)} after its scopes are set`;
    const appr = approvalWords(v.approval);
    if (appr) sentence += `; ${appr}`;
    out.push(`${sentence}.`);
  }
  if (!out.length) out.push('Can do nothing yet: every request will be refused.');
  return out;
}

function formatTtl(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

export interface EnvLine {
  name: string;
  value: string;
}

/**
 * Ready-to-paste environment lines for a new credential. OpenAI- and Anthropic-kind providers get the SDK
 * variables (README "The API"), everything else the keychain's own AKC_* pair.
 */
export function envLines(
  baseUrl: string,
  token: string,
  providers: readonly { id: string; kind: ProviderKind }[],
): EnvLine[] {
  const url = baseUrl.replace(/\/+$/, '');
  const lines: EnvLine[] = [];
  for (const p of providers) {
    if (p.kind === 'openai')
      lines.push(
        { name: 'OPENAI_BASE_URL', value: `${url}/v1/proxy/${p.id}` },
        { name: 'OPENAI_API_KEY', value: token },
      );
    else if (p.kind === 'anthropic')
      lines.push(
        { name: 'ANTHROPIC_BASE_URL', value: `${url}/v1/proxy/${p.id}` },
        { name: 'ANTHROPIC_API_KEY', value: token },
      );
  }
  if (!lines.length) lines.push({ name: 'AKC_URL', value: url }, { name: 'AKC_TOKEN', value: token });
  const seen = new Set<string>();
  return lines.filter((l) => (seen.has(l.name) ? false : (seen.add(l.name), true)));
}

/** Provider ids an agent's scopes name (for the environment lines). */
export function scopeProviderIds(s: Scopes): string[] {
  const ids = new Set(Object.keys(s.providers ?? {}));
  if (s.email?.provider) ids.add(s.email.provider);
  if (s.payments?.provider) ids.add(s.payments.provider);
  return [...ids];
}
