// The New-agent flow's pure half: templates → scopes, a live sentence preview, the scope JSON editor's
// validation with issue paths, and the ready-to-paste environment lines. DOM-free.
import { Scopes } from '../../shared/scopes.ts';
import type { ProviderKind } from '../../shared/facts.ts';
import { formatCount, formatMinor, formatUsd, toMinor } from './format.ts';

export type TemplateId = 'llm' | 'email' | 'payments' | 'vault';

export interface TemplateInfo {
  id: TemplateId;
  title: string;
  blurb: string;
  /** Provider kinds this template fits. */
  kinds: readonly ProviderKind[];
}

export const TEMPLATES: readonly TemplateInfo[] = [
  {
    id: 'llm',
    title: 'LLM access',
    blurb: 'Call a model provider with a daily budget.',
    kinds: ['openai', 'anthropic', 'http'],
  },
  {
    id: 'email',
    title: 'Email',
    blurb: 'Send email to chosen domains, up to a daily limit.',
    kinds: ['resend', 'http'],
  },
  {
    id: 'payments',
    title: 'Payments',
    blurb: 'Create one-time payments up to an amount, each approved by you.',
    kinds: ['stripe'],
  },
  { id: 'vault', title: 'Vault secret', blurb: 'Read one named secret for a limited time.', kinds: [] },
];

export interface TemplateValues {
  providerId: string;
  /** Comma- or space-separated. */
  models: string;
  budgetUsd: string;
  domains: string;
  dailyLimit: string;
  /** Dollars (major units), converted to minor units. */
  maxAmount: string;
  currency: string;
  secretName: string;
  ttlMinutes: string;
}

export const DEFAULT_VALUES: TemplateValues = {
  providerId: '',
  models: 'gpt-4o-mini',
  budgetUsd: '5',
  domains: 'example.com',
  dailyLimit: '50',
  maxAmount: '25',
  currency: 'usd',
  secretName: '',
  ttlMinutes: '60',
};

export interface FieldError {
  field: keyof TemplateValues;
  message: string;
}

/** `draft` is the scopes as far as the form describes them, also when some fields are wrong (for the JSON editor). */
export type BuildResult = { ok: true; scopes: Scopes } | { ok: false; errors: FieldError[]; draft: Scopes };

function list(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function positiveNumber(text: string): number | null {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) && n > 0 ? n : null;
}

function positiveInt(text: string): number | null {
  const n = positiveNumber(text);
  return n !== null && Number.isInteger(n) ? n : null;
}

/** Builds the scopes a template form describes; errors name the form field. */
export function buildScopes(template: TemplateId, v: TemplateValues): BuildResult {
  const errors: FieldError[] = [];
  const providerId = v.providerId.trim();
  const needProvider = template !== 'vault';
  if (needProvider && !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(providerId)) {
    errors.push({ field: 'providerId', message: 'Choose a provider (lower-case id like openai).' });
  }
  let scopes: Scopes;
  if (template === 'llm') {
    const models = list(v.models);
    const budget = positiveNumber(v.budgetUsd);
    if (budget === null)
      errors.push({ field: 'budgetUsd', message: 'Enter a budget in dollars, more than 0.' });
    scopes = {
      providers: {
        [providerId]: {
          ...(models.length ? { models } : {}),
          budget: { usd: budget ?? 0, per: 'day' },
        },
      },
    };
  } else if (template === 'email') {
    const domains = list(v.domains).map((d) => d.toLowerCase());
    const limit = positiveInt(v.dailyLimit);
    if (!domains.length)
      errors.push({ field: 'domains', message: 'Name at least one domain, like example.com.' });
    if (limit === null)
      errors.push({ field: 'dailyLimit', message: 'Enter a whole number of emails per day.' });
    scopes = { email: { provider: providerId, allowedDomains: domains, dailyLimit: limit ?? 0 } };
  } else if (template === 'payments') {
    const currency = v.currency.trim().toLowerCase();
    if (!/^[a-z]{3}$/.test(currency))
      errors.push({ field: 'currency', message: 'Use a three-letter currency code like usd.' });
    const max = toMinor(v.maxAmount, currency || 'usd');
    if (max === null) errors.push({ field: 'maxAmount', message: 'Enter an amount like 25 or 25.50.' });
    scopes = {
      payments: { provider: providerId, maxAmount: max ?? 0, currency, oneTime: true, approval: 'always' },
    };
  } else {
    const name = v.secretName.trim();
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name))
      errors.push({ field: 'secretName', message: 'Choose a secret by its name.' });
    const ttl = positiveInt(v.ttlMinutes);
    if (ttl === null) errors.push({ field: 'ttlMinutes', message: 'Enter a whole number of minutes.' });
    scopes = { vault: { readOnly: [name], ttlSeconds: (ttl ?? 0) * 60 } };
  }
  if (errors.length) return { ok: false, errors, draft: scopes };
  const parsed = Scopes.safeParse(scopes);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({
        field: 'providerId',
        message: `${issuePath(i.path)}: ${i.message}`,
      })),
      draft: scopes,
    };
  }
  return { ok: true, scopes: parsed.data };
}

/** Zod issue path → "providers.openai.models[0]". */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else {
      const key = String(p);
      out += /^[A-Za-z_$][\w$-]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out || '(top level)';
}

export interface JsonIssue {
  path: string;
  message: string;
}

export type JsonResult = { ok: true; scopes: Scopes } | { ok: false; issues: JsonIssue[] };

/** Validates the scope JSON editor's text: JSON syntax first, then the scope schema, each issue at its exact path. */
export function validateScopesJson(text: string): JsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      issues: [{ path: '(JSON)', message: err instanceof Error ? err.message : 'Not valid JSON' }],
    };
  }
  const parsed = Scopes.safeParse(value);
  if (parsed.success) return { ok: true, scopes: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message })),
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
