// What changes between two versions of an agent's scopes, in words ("openai: + gpt-4.1", "openai budget
// $2.00 → $5.00 a day"), and whether the change widens what the agent may do. Browser-safe: the console shows
// it before saving, and the core writes the same lines into the audit entry of the change.
import type { ApprovalRule, Scopes } from './scopes.ts';
import { formatMinor, formatUsd } from './money.ts';

export interface ScopeChange {
  text: string;
  /** True when the agent may do more than before after this change. */
  widens: boolean;
}

export interface ScopeDiff {
  changes: ScopeChange[];
  widens: boolean;
}

/** Strictness of an approval rule: a higher rank asks the owner more often. */
function approvalRank(rule: ApprovalRule | undefined): number {
  if (rule === undefined || rule === 'never') return 0;
  if (rule === 'first-use') return 1;
  if (rule === 'always') return 3;
  return 2;
}

function approvalText(rule: ApprovalRule | undefined, money: (n: number) => string): string {
  if (rule === undefined || rule === 'never') return 'never';
  if (typeof rule === 'string') return rule;
  return `above ${money(rule.above)}`;
}

/** A list limit ("models", "domains"): undefined means no restriction. */
function listChanges(
  label: string,
  before: readonly string[] | undefined,
  after: readonly string[] | undefined,
  out: ScopeChange[],
): void {
  if (before === undefined && after === undefined) return;
  if (before !== undefined && after === undefined) {
    out.push({ text: `${label}: any (was ${before.join(', ') || 'none'})`, widens: true });
    return;
  }
  if (before === undefined && after !== undefined) {
    out.push({ text: `${label}: only ${after.join(', ') || 'none'} (was any)`, widens: false });
    return;
  }
  const b = new Set(before);
  const a = new Set(after);
  for (const x of after ?? []) if (!b.has(x)) out.push({ text: `${label}: + ${x}`, widens: true });
  for (const x of before ?? []) if (!a.has(x)) out.push({ text: `${label}: − ${x}`, widens: false });
}

/** A numeric cap: undefined means no cap. */
function capChange(
  label: string,
  before: number | undefined,
  after: number | undefined,
  fmt: (n: number) => string,
  out: ScopeChange[],
): void {
  if (before === after) return;
  if (after === undefined) out.push({ text: `${label}: no limit (was ${fmt(before ?? 0)})`, widens: true });
  else if (before === undefined) out.push({ text: `${label}: ${fmt(after)} (was no limit)`, widens: false });
  else out.push({ text: `${label} ${fmt(before)} → ${fmt(after)}`, widens: after > before });
}

function approvalChange(
  label: string,
  before: ApprovalRule | undefined,
  after: ApprovalRule | undefined,
  money: (n: number) => string,
  out: ScopeChange[],
): void {
  const b = approvalText(before, money);
  const a = approvalText(after, money);
  if (a === b) return;
  const rb = approvalRank(before);
  const ra = approvalRank(after);
  const widens =
    ra < rb ||
    (ra === 2 &&
      rb === 2 &&
      typeof before === 'object' &&
      typeof after === 'object' &&
      after.above > before.above);
  out.push({ text: `${label} approval ${b} → ${a}`, widens });
}

function perText(per: string): string {
  return `a ${per}`;
}

/** Compares two scope objects; each line names the part that changed. */
export function diffScopes(before: Scopes, after: Scopes): ScopeDiff {
  const out: ScopeChange[] = [];
  const cents = (n: number): string => formatUsd(n / 100);

  const bp = before.providers ?? {};
  const ap = after.providers ?? {};
  for (const id of Object.keys(ap)) {
    const a = ap[id];
    const b = bp[id];
    if (a === undefined) continue;
    if (b === undefined) {
      out.push({ text: `+ ${id} access${a.models ? ` (${a.models.join(', ')})` : ''}`, widens: true });
      continue;
    }
    listChanges(`${id} models`, b.models, a.models, out);
    listChanges(`${id} methods`, b.methods, a.methods, out);
    listChanges(`${id} paths`, b.paths, a.paths, out);
    const budgetPer = a.budget?.per ?? b.budget?.per ?? 'day';
    if (b.budget?.per !== undefined && a.budget?.per !== undefined && b.budget.per !== a.budget.per)
      out.push({
        text: `${id} budget period ${b.budget.per} → ${a.budget.per}`,
        // A longer period with the same amount spends less per day; a shorter one spends more.
        widens: PERIOD_DAYS[a.budget.per] < PERIOD_DAYS[b.budget.per],
      });
    capChange(
      `${id} budget`,
      b.budget?.usd,
      a.budget?.usd,
      (n) => `${formatUsd(n)} ${perText(budgetPer)}`,
      out,
    );
    const ratePer = a.rateLimit?.per ?? b.rateLimit?.per ?? 'minute';
    if (
      b.rateLimit?.per !== undefined &&
      a.rateLimit?.per !== undefined &&
      b.rateLimit.per !== a.rateLimit.per
    )
      out.push({ text: `${id} rate limit period ${b.rateLimit.per} → ${a.rateLimit.per}`, widens: true });
    capChange(
      `${id} rate limit`,
      b.rateLimit?.requests,
      a.rateLimit?.requests,
      (n) => `${n} requests ${perText(ratePer)}`,
      out,
    );
    approvalChange(id, b.approval, a.approval, cents, out);
  }
  for (const id of Object.keys(bp))
    if (ap[id] === undefined) out.push({ text: `− ${id} access`, widens: false });

  const be = before.email;
  const ae = after.email;
  if (ae && !be) out.push({ text: '+ email sending', widens: true });
  else if (be && !ae) out.push({ text: '− email sending', widens: false });
  else if (be && ae) {
    if ((be.provider ?? '') !== (ae.provider ?? ''))
      out.push({
        text: `email provider ${be.provider ?? 'default'} → ${ae.provider ?? 'default'}`,
        widens: true,
      });
    listChanges('email domains', be.allowedDomains, ae.allowedDomains, out);
    listChanges('email addresses', be.allowedAddresses, ae.allowedAddresses, out);
    capChange('emails a day', be.dailyLimit, ae.dailyLimit, String, out);
    approvalChange('email', be.approval, ae.approval, String, out);
  }

  const bpay = before.payments;
  const apay = after.payments;
  if (apay && !bpay) out.push({ text: '+ payments', widens: true });
  else if (bpay && !apay) out.push({ text: '− payments', widens: false });
  else if (bpay && apay) {
    const cur = apay.currency ?? bpay.currency ?? '';
    const money = (n: number): string => formatMinor(n, cur);
    if ((bpay.provider ?? '') !== (apay.provider ?? ''))
      out.push({
        text: `payments provider ${bpay.provider ?? 'default'} → ${apay.provider ?? 'default'}`,
        widens: true,
      });
    if ((bpay.currency ?? '') !== (apay.currency ?? ''))
      out.push({
        text: `payment currency ${bpay.currency ?? 'any'} → ${apay.currency ?? 'any'}`,
        widens: true,
      });
    capChange('largest payment', bpay.maxAmount, apay.maxAmount, money, out);
    capChange('payments a day', bpay.dailyLimit, apay.dailyLimit, String, out);
    if ((bpay.oneTime ?? false) !== (apay.oneTime ?? false))
      out.push({
        text: apay.oneTime ? 'payments: one-time only' : 'payments: may save payment methods',
        widens: !apay.oneTime,
      });
    approvalChange('payments', bpay.approval, apay.approval, money, out);
  }

  const bv = before.vault;
  const av = after.vault;
  if (av && !bv) out.push({ text: `+ read secrets ${av.readOnly.join(', ')}`, widens: true });
  else if (bv && !av) out.push({ text: '− secret reading', widens: false });
  else if (bv && av) {
    listChanges('secrets', bv.readOnly, av.readOnly, out);
    capChange('secret readable for', bv.ttlSeconds, av.ttlSeconds, (n) => `${n} s`, out);
    approvalChange('secrets', bv.approval, av.approval, String, out);
  }

  return { changes: out, widens: out.some((c) => c.widens) };
}

const PERIOD_DAYS: Readonly<Record<'hour' | 'day' | 'week' | 'month', number>> = {
  hour: 1 / 24,
  day: 1,
  week: 7,
  month: 30,
};

/** The change of expiry, if any ("expiry: never → in 7 days" style, as ISO dates). */
export function diffExpiry(before: string | null, after: string | null): ScopeChange | null {
  if (before === after) return null;
  if (after === null) return { text: `expiry removed (was ${before ?? ''})`, widens: true };
  if (before === null) return { text: `expires ${after}`, widens: false };
  return { text: `expiry ${before} → ${after}`, widens: Date.parse(after) > Date.parse(before) };
}

/** One line for people and the audit: "+ gpt-4.1, openai budget $2.00 a day → $5.00 a day". */
export function changeSummary(changes: readonly ScopeChange[]): string {
  return changes.length ? changes.map((c) => c.text).join(', ') : 'nothing';
}
