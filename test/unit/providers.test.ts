// Registry, generic http provider, and the price table.
import { describe, expect, it } from 'vitest';
import { ProviderKind } from '../../shared/facts.ts';
import { ADAPTERS, DEFAULT_PRICES, mergePrices } from '../../core/providers/registry.ts';
import { costUsd, priceFor, UNKNOWN_MODEL_PRICE } from '../../core/providers/pricing.ts';

const AGENT_TOKEN = 'akc_' + 'x'.repeat(49);

describe('registry', () => {
  it('has one adapter per provider kind, of that kind', () => {
    expect(Object.keys(ADAPTERS).sort()).toEqual([...ProviderKind.options].sort());
    for (const kind of ProviderKind.options) expect(ADAPTERS[kind].kind).toBe(kind);
  });

  it('puts only the master key in auth headers, for every kind', () => {
    for (const kind of ProviderKind.options) {
      const headers = ADAPTERS[kind].authHeaders('MASTER', { authHeader: null, authPrefix: null });
      expect(Object.values(headers).join('')).toContain('MASTER');
      expect(JSON.stringify(headers)).not.toContain(AGENT_TOKEN);
      expect(Object.keys(headers)).toHaveLength(1);
    }
  });
});

describe('http provider', () => {
  const adapter = ADAPTERS.http;

  it('reads method and path only, whatever the body', () => {
    const req = {
      providerId: 'crm',
      method: 'PATCH',
      path: '/api/contacts/7',
      query: 'x=1',
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"secret":"do not read"'),
    };
    expect(adapter.facts(req, 'crm', DEFAULT_PRICES)).toEqual({
      type: 'proxy',
      providerId: 'crm',
      providerKind: 'http',
      method: 'PATCH',
      path: '/api/contacts/7',
      action: 'http.request',
    });
    expect(adapter.defaultBaseUrl).toBe('');
  });

  it('uses the configured auth header and prefix, defaulting to Authorization: Bearer', () => {
    expect(adapter.authHeaders('k1', { authHeader: null, authPrefix: null })).toEqual({
      authorization: 'Bearer k1',
    });
    expect(adapter.authHeaders('k1', { authHeader: 'X-API-Key', authPrefix: null })).toEqual({
      'x-api-key': 'Bearer k1',
    });
    expect(adapter.authHeaders('k1', { authHeader: 'X-API-Key', authPrefix: '' })).toEqual({
      'x-api-key': 'k1',
    });
    expect(adapter.authHeaders('k1', { authHeader: null, authPrefix: 'Token ' })).toEqual({
      authorization: 'Token k1',
    });
  });
});

describe('pricing', () => {
  it('matches the longest prefix', () => {
    expect(priceFor('gpt-4o-mini-2024-07-18', DEFAULT_PRICES)).toEqual({ input: 0.15, output: 0.6 });
    expect(priceFor('gpt-4o-2024-08-06', DEFAULT_PRICES)).toEqual({ input: 2.5, output: 10 });
    expect(priceFor('gpt-4o-2024-05-13', DEFAULT_PRICES)).toEqual({ input: 5, output: 15 });
    expect(priceFor('o1-pro-2025-03-19', DEFAULT_PRICES)).toEqual({ input: 150, output: 600 });
    expect(priceFor('claude-opus-4-5-20251101', DEFAULT_PRICES)).toEqual({ input: 5, output: 25 });
    expect(priceFor('claude-opus-4-1-20250805', DEFAULT_PRICES)).toEqual({ input: 15, output: 75 });
    expect(priceFor('claude-3-5-haiku-latest', DEFAULT_PRICES)).toEqual({ input: 0.8, output: 4 });
    expect(priceFor('GPT-4O-MINI', DEFAULT_PRICES)).toEqual({ input: 0.15, output: 0.6 });
  });

  it('prices unknown and missing models at least as high as any known model', () => {
    const max = Math.max(...Object.values(DEFAULT_PRICES).map((p) => p.output));
    expect(UNKNOWN_MODEL_PRICE.output).toBeGreaterThanOrEqual(max);
    expect(priceFor('llama-3-70b', DEFAULT_PRICES)).toEqual(UNKNOWN_MODEL_PRICE);
    expect(priceFor(undefined, DEFAULT_PRICES)).toEqual(UNKNOWN_MODEL_PRICE);
    expect(priceFor('gpt', DEFAULT_PRICES)).toEqual(UNKNOWN_MODEL_PRICE);
  });

  it('computes cost per million tokens, with Anthropic cache writes and reads', () => {
    expect(
      costUsd({ inputTokens: 1_000_000, outputTokens: 1_000_000 }, 'gpt-4.1', DEFAULT_PRICES),
    ).toBeCloseTo(10, 12);
    expect(
      costUsd(
        { inputTokens: 1000, outputTokens: 0, cacheWriteTokens: 1000, cacheReadTokens: 1000 },
        'claude-sonnet-4-5',
        DEFAULT_PRICES,
      ),
    ).toBeCloseTo((1000 + 1250 + 100) * 3e-6, 12);
    expect(costUsd({ inputTokens: 0, outputTokens: 0 }, 'mystery', DEFAULT_PRICES)).toBe(0);
  });

  it('layers overrides on the defaults', () => {
    const table = mergePrices({ 'gpt-4o': { input: 1, output: 1 }, 'my-finetune': { input: 3, output: 4 } });
    expect(priceFor('gpt-4o-2024-08-06', table)).toEqual({ input: 1, output: 1 });
    expect(priceFor('gpt-4o-mini', table)).toEqual({ input: 0.15, output: 0.6 });
    expect(priceFor('my-finetune-v2', table)).toEqual({ input: 3, output: 4 });
    expect(priceFor('gpt-4o', DEFAULT_PRICES)).toEqual({ input: 2.5, output: 10 });
  });
});
