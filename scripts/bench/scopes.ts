// The scopes and request body every proxy benchmark uses: POST /chat/completions on the "openai" provider,
// model gpt-4o-mini only.
import type { Scopes } from '../../shared/scopes.ts';

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
