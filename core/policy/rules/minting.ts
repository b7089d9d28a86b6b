// Provider endpoints that mint a credential of their own: what they hand back works straight against the
// provider, outside Agent Keychain (no scopes, budget, rate limit or audit on what it is then used for), and
// bills the owner's account. Such a call is refused unless providers.<id>.paths names that exact path (not
// through a "*" pattern): the owner must have meant to hand out that kind of credential.
import type { ProviderKind } from '../../../shared/facts.ts';

const MINTING: Readonly<Record<ProviderKind, readonly RegExp[]>> = {
  openai: [
    /^\/realtime\/(?:sessions|transcription_sessions|client_secrets)\/?$/, // ephemeral client secrets
    /^\/organization\/admin_api_keys\/?$/,
  ],
  anthropic: [],
  stripe: [
    /^\/v1\/ephemeral_keys\/?$/,
    /^\/v1\/account_links\/?$/,
    /^\/v1\/account_sessions\/?$/,
    /^\/v1\/login_links\/?$/,
    /^\/v1\/accounts\/[^/]+\/login_links\/?$/,
  ],
  resend: [/^\/api-keys\/?$/],
  // A generic HTTP provider's endpoints are not known: its scope's paths are the owner's whole say.
  http: [],
};

/** True when a POST to `path` (lower-cased) on a provider of this kind would mint a credential. */
export function mintsCredential(kind: ProviderKind, method: string, path: string): boolean {
  if (method !== 'POST') return false;
  const lower = path.toLowerCase();
  return MINTING[kind].some((re) => re.test(lower));
}
