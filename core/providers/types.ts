// The provider adapter interface: read a request into typed facts, put the master key where the provider
// expects it, and read usage (tokens, cost) out of the response as it streams by.
import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderKind, ProxyFacts } from '../../shared/facts.ts';

export interface AdapterRequest {
  providerId: string;
  method: string;
  /** Path below the provider's base URL, already normalized and checked (starts with "/"). */
  path: string;
  /** Raw query string without "?", or "". */
  query: string;
  headers: IncomingHttpHeaders;
  /** The whole request body (bounded by the server's body limit); empty for GET. */
  body: Buffer;
}

export interface ProviderAuthConfig {
  authHeader: string | null;
  authPrefix: string | null;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface UsageMeter {
  push(chunk: Buffer): void;
  /** Usage read from the response, or null when the response carried none. */
  finish(): Usage | null;
}

/** USD per 1M tokens, input and output, keyed by model id (prefix match on the longest key). */
export type PriceTable = Readonly<Record<string, { input: number; output: number }>>;

export interface ProviderAdapter {
  kind: ProviderKind;
  defaultBaseUrl: string;
  /** Reads typed facts. Throws AppError('bad_request', …, {path}) when a body it must read is malformed. */
  facts(req: AdapterRequest, providerId: string, prices: PriceTable): ProxyFacts;
  /** Upstream headers that carry the master key (the agent's own credential headers are always dropped). */
  authHeaders(masterKey: string, auth: ProviderAuthConfig): Record<string, string>;
  /** Headers to add upstream when the agent did not send them (e.g. anthropic-version). */
  defaultHeaders?: Readonly<Record<string, string>>;
  /** A meter for the response body, or null when the adapter reads no usage from this kind of call. */
  usageMeter(
    facts: ProxyFacts,
    responseContentType: string | undefined,
    prices: PriceTable,
  ): UsageMeter | null;
}
