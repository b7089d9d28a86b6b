// The scopes and request body every proxy benchmark uses: POST /chat/completions on the "openai" provider,
// model gpt-4o-mini only.
import type { Scopes } from '../../shared/scopes.ts';
import type { Target } from './http-load.ts';

export function benchScopes(): Scopes {
  return {
    providers: { openai: { models: ['gpt-4o-mini'], methods: ['POST'], paths: ['/chat/completions'] } },
  };
}

export const CHAT_PATH = '/chat/completions';
export const PROXY_CHAT_PATH = `/v1/proxy/openai${CHAT_PATH}`;

/** A small chat request; `user` tags the sender so the revoke bench's upstream can tell agents apart. */
export function chatBody(user: string, stream = false): string {
  return JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Say ok.' }],
    max_tokens: 16,
    user,
    ...(stream ? { stream: true } : {}),
  });
}

/** The chat request sent straight to `url` (the upstream, or the bare pass-through) with a provider key. */
export function chatTarget(name: string, url: string): Target {
  return {
    name,
    url,
    path: CHAT_PATH,
    headers: { authorization: 'Bearer sk-bench' },
    body: chatBody('bench'),
  };
}

/** The same request through a daemon's proxy, with an agent credential. */
export function proxiedChatTarget(name: string, url: string, token: string, user = 'bench'): Target {
  return {
    name,
    url,
    path: PROXY_CHAT_PATH,
    headers: { authorization: `Bearer ${token}` },
    body: chatBody(user),
  };
}
