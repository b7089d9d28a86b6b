// Model lists filtered, not refused. `GET /models` (OpenAI) and `GET /v1/models` (Anthropic) name no
// model, so a models allowlist used to refuse them and every tool that lists models at start failed.
// They are now forwarded and the upstream's answer is cut down to the agent's allowlist: an entry the
// upstream did not list is never invented, and nothing outside the allowlist is shown. A lookup of one
// model (`GET /models/{id}`) names its model like any call; one outside the list is a 404 in the
// provider's own shape. See docs/clients.md ("Model lists").
import type { ProviderKind } from '../../shared/facts.ts';
import { AppError } from '../errors.ts';

export type ModelListing = { type: 'list' } | { type: 'lookup'; id: string };

const OPENAI_LOOKUP = /^\/models\/([^/]+)$/;
const ANTHROPIC_LOOKUP = /^\/v1\/models\/([^/]+)$/;

/**
 * Whether a call reads the model list or one model. `path` is the canonical path below the provider's base
 * URL (proxy-path.ts); endpoints are recognised case-insensitively, the id keeps its case.
 */
export function modelListing(kind: ProviderKind, method: string, path: string): ModelListing | null {
  if (method !== 'GET') return null;
  let rest: string;
  let lookup: RegExp;
  if (kind === 'openai') {
    // A base URL with or without "/v1" reads the same.
    rest = /^\/v1\//i.test(path) ? path.slice(3) : path;
    lookup = OPENAI_LOOKUP;
  } else if (kind === 'anthropic') {
    rest = path;
    lookup = ANTHROPIC_LOOKUP;
  } else {
    return null;
  }
  const lower = rest.toLowerCase();
  if (lower === (kind === 'openai' ? '/models' : '/v1/models')) return { type: 'list' };
  // The endpoint is recognised in any case; the id is taken as sent.
  if (lookup.test(lower)) return { type: 'lookup', id: rest.slice(rest.lastIndexOf('/') + 1) };
  return null;
}

/** Largest model list we read to filter (the real ones are a few tens of kB). */
export const MODEL_LIST_LIMIT = 8 * 1024 * 1024;

function unreadable(): AppError {
  return new AppError(
    'upstream_error',
    'The provider’s model list could not be read, so it cannot be filtered to this agent’s models. Nothing is shown.',
  );
}

/**
 * The upstream's list with only the entries whose `id` is in `allowed`. Both providers answer
 * `{"data": [{"id": …}, …], …}`; Anthropic's page bounds (first_id, last_id) follow the filtered page.
 * Anything else is refused rather than passed on unfiltered (fail closed).
 */
export function filterModelList(kind: ProviderKind, text: string, allowed: readonly string[]): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw unreadable();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw unreadable();
  const list = parsed as Record<string, unknown>;
  const data = list.data;
  if (!Array.isArray(data)) throw unreadable();
  const allow = new Set(allowed);
  const kept = data.filter((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return false;
    const id = (entry as Record<string, unknown>).id;
    return typeof id === 'string' && allow.has(id);
  });
  const out: Record<string, unknown> = { ...list, data: kept };
  if (kind === 'anthropic') {
    const ids = kept.map((e) => (e as Record<string, unknown>).id);
    if ('first_id' in list) out.first_id = ids[0] ?? null;
    if ('last_id' in list) out.last_id = ids.at(-1) ?? null;
  }
  return JSON.stringify(out);
}

/** A lookup of a model outside the allowlist: answered as the provider would for a model it does not have. */
export function modelNotFound(id: string, providerId: string, allowed: readonly string[]): AppError {
  return new AppError(
    'not_found',
    `Model ${JSON.stringify(id.slice(0, 200))} is not available to this agent (providers.${providerId}.models allows: ${allowed.length === 0 ? '(none)' : allowed.join(', ')}).`,
    { rule: { scope: `providers.${providerId}.models`, limit: allowed, value: id } },
  );
}

/** The facts of a model read: a lookup names its model, so the models rule checks it like any call. */
export function withModelListing<F extends { model?: string; modelList?: 'list' | 'lookup' }>(
  facts: F,
  listing: ModelListing,
): F {
  return listing.type === 'lookup'
    ? { ...facts, modelList: 'lookup', model: listing.id }
    : { ...facts, modelList: 'list' };
}

/**
 * A lookup refused by the models rule reads, to the agent, as the provider's "no such model" (404); the
 * audit keeps the scope_denied entry with the rule. Every other error passes unchanged.
 */
export function lookupRefusal(err: unknown, listing: ModelListing | null, providerId: string): unknown {
  if (
    listing?.type === 'lookup' &&
    err instanceof AppError &&
    err.code === 'scope_denied' &&
    err.rule?.scope === `providers.${providerId}.models`
  ) {
    const limit = err.rule.limit;
    return modelNotFound(listing.id, providerId, Array.isArray(limit) ? limit : []);
  }
  return err;
}
