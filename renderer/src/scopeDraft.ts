// The agent form's pure half, shared by New agent and Edit: scopes ⇄ a form draft, both ways. The draft
// holds what the form shows (per provider: models, budget, approval; email; payments; secrets) as text; the
// fields the form does not show (methods, paths, rate limits, addresses, …) are kept from the scopes the
// draft started from, so a round trip form → JSON → form → save never drops anything. DOM-free.
import { Scopes, type ApprovalRule } from '../../shared/scopes.ts';
import type { ProviderKind } from '../../shared/facts.ts';
import { minorDigits } from '../../shared/money.ts';
import { toMinor } from './format.ts';
import { issuePath } from './scopeForm.ts';

export type ApprovalChoice = 'never' | 'first-use' | 'always' | 'above';

export interface ProviderSection {
  /** Stable key for React lists; not part of the scopes. */
  uid: number;
  providerId: string;
  /** Comma- or space-separated; empty means any model. */
  models: string;
  /** Dollars a day; empty means no budget. */
  budgetUsd: string;
  approval: ApprovalChoice;
  /** Dollars of estimated cost, for approval "above". */
  above: string;
}

export interface EmailSection {
  provider: string;
  domains: string;
  dailyLimit: string;
  /** Email requests carry no amount, so "above" is not offered. */
  approval: Exclude<ApprovalChoice, 'above'>;
}

export interface PaymentsSection {
  provider: string;
  /** Major units (dollars). */
  maxAmount: string;
  currency: string;
  approval: ApprovalChoice;
  /** Major units. */
  above: string;
}

export interface VaultSection {
  secrets: string;
  /** Empty means no time limit. */
  ttlMinutes: string;
}

export interface ScopeDraft {
  providers: ProviderSection[];
  email: EmailSection | null;
  payments: PaymentsSection | null;
  vault: VaultSection | null;
  /** The scopes this draft started from: fields the form does not show come from here. */
  base: Scopes;
}

export type TemplateId = 'llm' | 'email' | 'payments' | 'vault';

export interface TemplateInfo {
  id: TemplateId;
  title: string;
  blurb: string;
  /** Provider kinds this kind of access fits. */
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
    kinds: ['resend'],
  },
  {
    id: 'payments',
    title: 'Payments',
    blurb: 'Create one-time payments up to an amount, each approved by you.',
    kinds: ['stripe'],
  },
  { id: 'vault', title: 'Vault secret', blurb: 'Read one named secret for a limited time.', kinds: [] },
];

let uidSeq = 0;
function nextUid(): number {
  uidSeq += 1;
  return uidSeq;
}

export function emptyDraft(): ScopeDraft {
  return { providers: [], email: null, payments: null, vault: null, base: {} };
}

export function newProviderSection(providerId = ''): ProviderSection {
  return { uid: nextUid(), providerId, models: '', budgetUsd: '5', approval: 'never', above: '' };
}

/** Adds the section a template stands for (once), with sensible first values. */
export function addSection(d: ScopeDraft, t: TemplateId, providerId = ''): ScopeDraft {
  switch (t) {
    case 'llm':
      return {
        ...d,
        providers: [
          ...d.providers,
          { ...newProviderSection(providerId), models: d.providers.length ? '' : 'gpt-4o-mini' },
        ],
      };
    case 'email':
      return d.email
        ? d
        : {
            ...d,
            email: { provider: providerId, domains: 'example.com', dailyLimit: '50', approval: 'never' },
          };
    case 'payments':
      return d.payments
        ? d
        : {
            ...d,
            payments: {
              provider: providerId,
              maxAmount: '25',
              currency: 'usd',
              approval: 'always',
              above: '',
            },
          };
    case 'vault':
      return d.vault ? d : { ...d, vault: { secrets: '', ttlMinutes: '60' } };
  }
}

/** A draft for one template, as the New agent form starts. */
export function templateDraft(t: TemplateId, providerId = ''): ScopeDraft {
  return addSection(emptyDraft(), t, providerId);
}

function majorText(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  if (digits === 0) return String(minor);
  const s = (minor / 10 ** digits).toFixed(digits);
  return s.replace(/\.0+$/, '');
}

function choiceOf(rule: ApprovalRule | undefined): ApprovalChoice {
  if (rule === undefined || rule === 'never') return 'never';
  if (typeof rule === 'string') return rule;
  return 'above';
}

/** Scopes → the form's draft (the other direction is buildFromDraft). */
export function draftFromScopes(s: Scopes): ScopeDraft {
  const providers = Object.entries(s.providers ?? {}).map(([id, p]) => ({
    uid: nextUid(),
    providerId: id,
    models: (p.models ?? []).join(', '),
    budgetUsd: p.budget ? String(p.budget.usd) : '',
    approval: choiceOf(p.approval),
    above: typeof p.approval === 'object' ? String(p.approval.above / 100) : '',
  }));
  const e = s.email;
  const pay = s.payments;
  const cur = pay?.currency ?? 'usd';
  return {
    providers,
    email: e
      ? {
          provider: e.provider ?? '',
          domains: (e.allowedDomains ?? []).join(', '),
          dailyLimit: e.dailyLimit === undefined ? '' : String(e.dailyLimit),
          // {above} on email holds every request (there is no amount): the same as "always".
          approval:
            e.approval === undefined ? 'never' : typeof e.approval === 'object' ? 'always' : e.approval,
        }
      : null,
    payments: pay
      ? {
          provider: pay.provider ?? '',
          maxAmount: majorText(pay.maxAmount, cur),
          currency: pay.currency ?? '',
          approval: choiceOf(pay.approval),
          above: typeof pay.approval === 'object' ? majorText(pay.approval.above, cur) : '',
        }
      : null,
    vault: s.vault
      ? {
          secrets: s.vault.readOnly.join(', '),
          ttlMinutes: s.vault.ttlSeconds === undefined ? '' : String(Math.round(s.vault.ttlSeconds / 60)),
        }
      : null,
    base: s,
  };
}

export interface DraftError {
  /** "p<uid>.<field>", "email.<field>", "payments.<field>", "vault.<field>" or "scopes". */
  key: string;
  message: string;
}

export type DraftResult = { ok: true; scopes: Scopes } | { ok: false; errors: DraftError[]; draft: Scopes };

function list(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

function positive(text: string): number | null {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) && n > 0 ? n : null;
}

function positiveInt(text: string): number | null {
  const n = positive(text);
  return n !== null && Number.isInteger(n) ? n : null;
}

const PROVIDER_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The form's draft → scopes; errors name the section and field. */
export function buildFromDraft(d: ScopeDraft): DraftResult {
  const errors: DraftError[] = [];
  const err = (key: string, message: string): void => {
    errors.push({ key, message });
  };
  const scopes: Scopes = {};

  const seen = new Set<string>();
  for (const p of d.providers) {
    const k = `p${p.uid}`;
    const id = p.providerId.trim();
    if (!PROVIDER_ID.test(id)) err(`${k}.providerId`, 'Choose a provider.');
    else if (seen.has(id)) err(`${k}.providerId`, `${id} is already listed above.`);
    seen.add(id);
    const base = d.base.providers?.[id] ?? {};
    const models = list(p.models);
    let budget: { usd: number; per: 'hour' | 'day' | 'week' | 'month' } | undefined;
    if (p.budgetUsd.trim() !== '') {
      const usd = positive(p.budgetUsd);
      if (usd === null || usd > 1_000_000)
        err(`${k}.budgetUsd`, 'Enter dollars, more than 0 (or leave empty for no budget).');
      else budget = { usd, per: base.budget?.per ?? 'day' };
    }
    let approval: ApprovalRule | undefined;
    if (p.approval === 'above') {
      const usd = positive(p.above);
      if (usd === null) err(`${k}.above`, 'Enter an estimated cost in dollars, like 0.50.');
      else approval = { above: Math.round(usd * 100) };
    } else if (p.approval !== 'never' || base.approval !== undefined) approval = p.approval;
    const rest = { ...base };
    delete rest.models;
    delete rest.budget;
    delete rest.approval;
    scopes.providers = {
      ...scopes.providers,
      [id]: {
        ...rest,
        ...(models.length ? { models } : {}),
        ...(budget ? { budget } : {}),
        ...(approval !== undefined ? { approval } : {}),
      },
    };
  }

  if (d.email) {
    const e = d.email;
    const base = d.base.email ?? {};
    const domains = list(e.domains).map((x) => x.toLowerCase());
    if (!domains.length && !base.allowedAddresses?.length)
      err('email.domains', 'Name at least one domain, like example.com.');
    let dailyLimit: number | undefined;
    if (e.dailyLimit.trim() !== '') {
      const n = positiveInt(e.dailyLimit);
      if (n === null) err('email.dailyLimit', 'Enter a whole number of emails per day.');
      else dailyLimit = n;
    }
    const provider = e.provider.trim();
    const rest = { ...base };
    delete rest.provider;
    delete rest.allowedDomains;
    delete rest.dailyLimit;
    delete rest.approval;
    scopes.email = {
      ...rest,
      ...(provider ? { provider } : {}),
      ...(domains.length ? { allowedDomains: domains } : {}),
      ...(dailyLimit !== undefined ? { dailyLimit } : {}),
      ...(e.approval !== 'never' || base.approval !== undefined ? { approval: e.approval } : {}),
    };
  }

  if (d.payments) {
    const p = d.payments;
    const base = d.base.payments;
    const currency = p.currency.trim().toLowerCase();
    if (!/^[a-z]{3}$/.test(currency)) err('payments.currency', 'Use a three-letter currency code like usd.');
    const max = toMinor(p.maxAmount, currency || 'usd');
    if (max === null) err('payments.maxAmount', 'Enter an amount like 25 or 25.50.');
    let approval: ApprovalRule | undefined;
    if (p.approval === 'above') {
      const above = toMinor(p.above, currency || 'usd');
      if (above === null) err('payments.above', 'Enter an amount like 10 or 10.50.');
      else approval = { above };
    } else if (p.approval !== 'never' || base?.approval !== undefined) approval = p.approval;
    const provider = p.provider.trim();
    // Fields the form does not show (oneTime, dailyLimit, …) stay as they were.
    const rest = { ...base };
    delete rest.provider;
    delete rest.approval;
    scopes.payments = {
      oneTime: true,
      ...rest,
      ...(provider ? { provider } : {}),
      maxAmount: max ?? 0,
      currency,
      ...(approval !== undefined ? { approval } : {}),
    };
  }

  if (d.vault) {
    const v = d.vault;
    const names = list(v.secrets);
    if (!names.length || names.some((n) => !/^[A-Za-z0-9_.-]{1,128}$/.test(n)))
      err('vault.secrets', 'Choose a secret by its name.');
    let ttlSeconds: number | undefined;
    if (v.ttlMinutes.trim() !== '') {
      const n = positiveInt(v.ttlMinutes);
      if (n === null) err('vault.ttlMinutes', 'Enter a whole number of minutes (or leave empty).');
      else ttlSeconds = n * 60;
    }
    const rest = { ...d.base.vault };
    delete rest.readOnly;
    delete rest.ttlSeconds;
    scopes.vault = { ...rest, readOnly: names, ...(ttlSeconds !== undefined ? { ttlSeconds } : {}) };
  }

  if (errors.length) return { ok: false, errors, draft: scopes };
  const parsed = Scopes.safeParse(scopes);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({
        key: 'scopes',
        message: `${issuePath(i.path)}: ${i.message}`,
      })),
      draft: scopes,
    };
  return { ok: true, scopes: parsed.data };
}
