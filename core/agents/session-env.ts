// The environment a session's child gets: for each provider the agent is scoped to, the base URL and
// key variables its SDKs read, pointing at this daemon's proxy with the session credential; plus AKC_URL
// and AKC_TOKEN for anything else. Computed by the daemon, which knows the providers and their baseUrls.
import type { Core } from '../core.ts';
import type { AgentRecord } from './store.ts';

/** Providers an agent's scopes name, by id. */
function scopedProviderIds(agent: AgentRecord): Set<string> {
  const ids = new Set(Object.keys(agent.scopes.providers ?? {}));
  if (agent.scopes.email?.provider) ids.add(agent.scopes.email.provider);
  if (agent.scopes.payments?.provider) ids.add(agent.scopes.payments.provider);
  return ids;
}

/** The first provider of this kind the agent may use: the one whose id is the kind itself, else by id. */
function pick(core: Core, ids: Set<string>, kind: string): { id: string; baseUrl: string } | undefined {
  const candidates = core.providers
    .list()
    .filter((p) => p.kind === kind && ids.has(p.id))
    .sort((a, b) => Number(b.id === kind) - Number(a.id === kind) || a.id.localeCompare(b.id));
  return candidates[0];
}

export function sessionEnv(core: Core, agent: AgentRecord, token: string): Record<string, string> {
  const ids = scopedProviderIds(agent);
  const env: Record<string, string> = { AKC_URL: core.url, AKC_TOKEN: token };
  const openai = pick(core, ids, 'openai');
  if (openai) {
    // The OpenAI SDKs append "/chat/completions" etc. to a base that ends in /v1. The proxy forwards to
    // the provider's baseUrl + the rest of the path, so the proxy base carries "/v1" only when the
    // provider's baseUrl does not already end in it (https://api.openai.com/v1 → no extra /v1).
    const endsInV1 = /\/v1\/?$/.test(new URL(openai.baseUrl).pathname);
    env.OPENAI_BASE_URL = `${core.url}/v1/proxy/${openai.id}${endsInV1 ? '' : '/v1'}`;
    env.OPENAI_API_KEY = token;
  }
  const anthropic = pick(core, ids, 'anthropic');
  if (anthropic) {
    // The Anthropic SDKs and Claude Code append "/v1/messages" themselves.
    env.ANTHROPIC_BASE_URL = `${core.url}/v1/proxy/${anthropic.id}`;
    env.ANTHROPIC_API_KEY = token;
  }
  return env;
}
