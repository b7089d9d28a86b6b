// Where each provider expects its key. The owner's per-provider auth config (header, prefix) overrides the
// kind's default, so an OpenAI-compatible upstream that wants e.g. "api-key: <key>" can still use the openai kind.
import type { ProviderAuthConfig } from './types.ts';

export function keyHeader(
  masterKey: string,
  auth: ProviderAuthConfig,
  fallback: { header: string; prefix: string },
): Record<string, string> {
  const header = (auth.authHeader ?? fallback.header).toLowerCase();
  const prefix = auth.authPrefix ?? fallback.prefix;
  // The master key goes upstream only, in the one header the provider reads it from.
  return { [header]: prefix + masterKey };
}
