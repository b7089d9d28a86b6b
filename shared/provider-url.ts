// Provider base URLs: each kind's default, what belongs in the URL (whether /v1 does), and the rules every
// base URL must pass. Browser-safe: the console checks as the owner types, and the admin API refuses the
// same URLs through the contract's schema, so a bad URL never reaches the database.
import type { ProviderKind } from './facts.ts';

/** The default base URL of each kind ("" for generic http providers, which must be given one). */
export const DEFAULT_BASE_URLS: Readonly<Record<ProviderKind, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  stripe: 'https://api.stripe.com',
  resend: 'https://api.resend.com',
  http: '',
};

/** What goes into the base URL, per kind: agents' paths are appended to it. */
export const BASE_URL_HELP: Readonly<Record<ProviderKind, string>> = {
  openai: 'Include /v1, as in the OpenAI SDK base URL: agents call /chat/completions below it.',
  anthropic: 'Without /v1: agents call /v1/messages below it.',
  stripe: 'Without /v1: agents call /v1/payment_intents below it.',
  resend: 'No path: agents call /emails below it.',
  http: 'Required. The upstream root; agents call paths below it.',
};

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Why a base URL cannot be used, or null when it can. The master key travels to this URL: over plain http
 * it would cross the network in clear, so http is only accepted on this machine's loopback; a query or a
 * fragment would be mixed into every forwarded path, and credentials in the URL would bypass the vault.
 */
export function baseUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be a full URL like https://api.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https://';
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.search || raw.includes('?')) return 'must not have a query string (?…)';
  if (url.hash || raw.includes('#')) return 'must not have a fragment (#…)';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
    return 'must use https: over plain http the master key would cross the network in clear (http is allowed only for 127.0.0.1, ::1 and localhost)';
  return null;
}
