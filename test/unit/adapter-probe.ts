// What the provider adapter tests share: the facts an adapter reads from one request, checked against the
// contract's schema, and the field a refused request points at.
import { expect } from 'vitest';
import { AppError } from '../../core/errors.ts';
import { DEFAULT_PRICES } from '../../core/providers/registry.ts';
import type { AdapterRequest, ProviderAdapter } from '../../core/providers/types.ts';
import { ProxyFacts } from '../../shared/facts.ts';

/** The facts `adapter` reads from `r` as provider `providerId`, which must be exactly what the contract allows. */
export function adapterFacts(
  adapter: ProviderAdapter,
  r: AdapterRequest,
  providerId = r.providerId,
): ProxyFacts {
  const f = adapter.facts(r, providerId, DEFAULT_PRICES);
  expect(ProxyFacts.parse(f)).toEqual(f);
  return f;
}

/**
 * The path of the bad_request error `fn` must throw; its message must not contain `hidden` (a value from the
 * request body that an error must never echo).
 */
export function badRequestPath(fn: () => unknown, hidden?: string): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    expect(e.code).toBe('bad_request');
    if (hidden !== undefined) expect(e.message).not.toContain(hidden);
    return e.path;
  }
  throw new Error('expected a bad_request');
}
