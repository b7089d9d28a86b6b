// "Test connection" for a configured provider: one harmless authenticated GET against its upstream (the
// models list, or the kind's cheapest read), with the master key where the provider reads it. The answer
// says only what happened (status, time, a sentence): the response body is never read back, so nothing the
// upstream echoes (the key included) can reach the console.
import type { ProviderRecord } from '../vault/records.ts';
import type { ProviderKind } from '../../shared/facts.ts';
import { ADAPTERS } from '../providers/registry.ts';

/** The read each kind answers cheaply and only with a valid key. */
const CHECK_PATH: Readonly<Record<ProviderKind, string>> = {
  openai: '/models',
  anthropic: '/v1/models',
  stripe: '/v1/balance',
  resend: '/domains',
  http: '',
};

const TIMEOUT_MS = 10_000;

export interface ConnectionResult {
  ok: boolean;
  checked: string;
  status: number | null;
  latencyMs: number;
  message: string;
}

function explain(status: number): { ok: boolean; message: string } {
  if (status >= 200 && status < 300)
    return { ok: true, message: `Connected: the provider accepted the key.` };
  if (status === 401 || status === 403)
    return {
      ok: false,
      message: `Reached the provider, but it refused the key (HTTP ${status}). Replace the key with a valid one.`,
    };
  if (status === 404)
    return {
      ok: false,
      message: `Reached a server, but it has no such endpoint (HTTP 404). Check the base URL (does /v1 belong in it?).`,
    };
  if (status === 429)
    return {
      ok: true,
      message: 'Reached the provider and the key works, but it is rate limiting (HTTP 429).',
    };
  if (status >= 300 && status < 400)
    return {
      ok: false,
      message: `The server redirects (HTTP ${status}); the key is not sent on. Use the final address as the base URL.`,
    };
  return { ok: false, message: `The provider answered with an error (HTTP ${status}). Try again later.` };
}

export async function testConnection(
  provider: ProviderRecord,
  masterKey: () => string,
): Promise<ConnectionResult> {
  const adapter = ADAPTERS[provider.kind];
  const target = `${provider.baseUrl}${CHECK_PATH[provider.kind]}`;
  const checked = `GET ${target}`;
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  // The clear key exists only for this one request's headers.
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(adapter.defaultHeaders ?? {}),
    ...adapter.authHeaders(masterKey(), provider),
  };
  try {
    // Redirects are not followed: the key must never be sent to an address the owner did not configure.
    const res = await fetch(target, {
      method: 'GET',
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await res.body?.cancel();
    return { checked, status: res.status, latencyMs: elapsed(), ...explain(res.status) };
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    const cause =
      err instanceof Error && err.cause instanceof Error && 'code' in err.cause
        ? String(err.cause.code)
        : null;
    return {
      ok: false,
      checked,
      status: null,
      latencyMs: elapsed(),
      message: timedOut
        ? `No answer within ${TIMEOUT_MS / 1000} s. Check the base URL and your network.`
        : `Could not reach ${new URL(target).host}${cause ? ` (${cause})` : ''}. Check the base URL and your network.`,
    };
  }
}
