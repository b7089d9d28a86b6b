// What an agent's scopes allow, in plain sentences for people (agent view, approval prompt, whoami).
// Mirrors the policy engine's rules (core/policy); it grants nothing itself.
import type { ApprovalRule, PaymentsScope, ProviderScope, Scopes } from '../../shared/scopes.ts';
import { formatMinor, formatUsd } from '../../shared/money.ts';

const PER: Readonly<Record<string, string>> = {
  second: 'a second',
  minute: 'a minute',
  hour: 'an hour',
  day: 'a day',
  week: 'a week',
  month: 'a month',
};

/** "a", "a or b", "a, b or c". */
function orList(items: readonly string[], word = 'or'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${word} ${items[items.length - 1] ?? ''}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** 3600 → "1 hour", 5400 → "90 minutes", 45 → "45 seconds": the largest unit that divides exactly. */
export function durationText(seconds: number): string {
  if (seconds % 86400 === 0) return plural(seconds / 86400, 'day', 'days');
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour', 'hours');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute', 'minutes');
  return plural(seconds, 'second', 'seconds');
}

/** The approval clause, or '' when the rule never holds a request. */
function approvalClause(
  rule: ApprovalRule | undefined,
  each: string,
  first: string,
  above: (n: number) => string,
): string {
  if (rule === undefined || rule === 'never') return '';
  if (rule === 'always') return `; ${each} needs your approval`;
  if (rule === 'first-use') return `; ${first} needs your approval`;
  return `; ${above(rule.above)}`;
}

function describeProvider(id: string, p: ProviderScope): string {
  const methods = p.methods !== undefined ? orList(p.methods) : null;
  const paths = p.paths !== undefined ? orList(p.paths) : null;
  let what: string;
  if (methods !== null && paths !== null) what = `${methods} ${paths}`;
  else if (methods !== null) what = `${methods} on any path`;
  else if (paths !== null) what = `any method on ${paths}`;
  else what = 'any request';
  if (p.models !== undefined) what += ` with ${orList(p.models)}`;
  const limits: string[] = [];
  if (p.rateLimit !== undefined) {
    limits.push(`${plural(p.rateLimit.requests, 'request', 'requests')} ${PER[p.rateLimit.per] ?? ''}`);
  }
  if (p.budget !== undefined) limits.push(`${formatUsd(p.budget.usd)} ${PER[p.budget.per] ?? ''}`);
  const limitText = limits.length > 0 ? `, up to ${orList(limits, 'and')}` : '';
  const approval = approvalClause(
    p.approval,
    'each call',
    'the first call',
    (cents) => `calls estimated over ${formatUsd(cents / 100)} need your approval`,
  );
  return `Can call ${id}: ${what}${limitText}${approval}.`;
}

function describePayments(p: PaymentsScope): string[] {
  const max = formatMinor(p.maxAmount, p.currency ?? '');
  const currency = p.currency === undefined ? ' in any currency' : '';
  const through = p.provider !== undefined ? ` through ${p.provider}` : '';
  const daily = p.dailyLimit !== undefined ? `, at most ${p.dailyLimit} a day` : '';
  const approval = approvalClause(
    p.approval,
    'each',
    'the first one',
    (minor) => `those over ${formatMinor(minor, p.currency ?? '')} need your approval`,
  );
  const kind = p.oneTime === true ? 'one-time payments' : 'payments';
  const cardLimit = p.oneTime === true ? ' (all-time or per-authorization limits only)' : '';
  return [
    `Can make ${kind} up to ${max}${currency}${through}${daily}${approval}.`,
    `Can create virtual cards with a spending limit up to ${max}${currency}${cardLimit}${through}${approval}.`,
  ];
}

/** Plain sentences that say what `scopes` allow; everything not described is refused. */
export function describeScopes(scopes: Scopes): string[] {
  const out: string[] = [];
  for (const [id, p] of Object.entries(scopes.providers ?? {})) out.push(describeProvider(id, p));

  const email = scopes.email;
  if (email !== undefined) {
    const targets = [...(email.allowedDomains ?? []), ...(email.allowedAddresses ?? [])];
    const through = email.provider !== undefined ? ` through ${email.provider}` : '';
    const approval = approvalClause(
      email.approval,
      'each email',
      'the first email',
      // Email has no amount to compare, so {above} holds every email (see core/policy/rules/approval.ts).
      () => 'each email needs your approval',
    );
    if (targets.length === 0) {
      out.push(
        'Can send no email: no recipient domains or addresses are allowed, so every email is refused.',
      );
    } else {
      const count =
        email.dailyLimit !== undefined
          ? `up to ${plural(email.dailyLimit, 'email', 'emails')} a day`
          : 'emails';
      out.push(`Can send ${count}${through} to ${orList(targets)}${approval}; anything else is refused.`);
    }
  }

  if (scopes.payments !== undefined) out.push(...describePayments(scopes.payments));

  const vault = scopes.vault;
  if (vault !== undefined && vault.readOnly.length > 0) {
    const names = `${vault.readOnly.length === 1 ? 'secret' : 'secrets'} ${orList(vault.readOnly, 'and')}`;
    const ttl =
      vault.ttlSeconds !== undefined
        ? ` for ${durationText(vault.ttlSeconds)} after these scopes were set`
        : '';
    const approval = approvalClause(
      vault.approval,
      'each read',
      'the first read',
      () => 'each read needs your approval',
    );
    out.push(`Can read ${names}${ttl}${approval}.`);
  }

  return out.length > 0 ? out : ['Can do nothing yet: every request is refused.'];
}
