// Policy engine: provider scopes — which providers, methods, paths and models an agent may call.
import { describe } from 'vitest';
import { DAY_MS, MINUTE_MS } from '../../core/policy/windows.ts';
import { llm, mail, payment } from './policy-fixtures.ts';
import { DAY_START, MINUTE_START, table, openai, pay, type Case, effect, refused } from './policy-table.ts';

describe('provider scopes: providers, methods, paths, models', () => {
  table([
    {
      name: 'allowed call → allow with rate and budget effects',
      scopes: openai,
      facts: llm({ estimatedUsd: 0.0125 }),
      expect: {
        outcome: 'allow',
        rule: 'providers.openai',
        effects: [
          effect('rate:openai', 0, MINUTE_START, MINUTE_START + MINUTE_MS),
          effect('budget:openai', 12500, DAY_START, DAY_START + DAY_MS),
        ],
      },
    },
    {
      name: 'provider not in scopes → providers.<id>',
      scopes: openai,
      facts: llm({ providerId: 'anthropic', providerKind: 'anthropic' }),
      expect: refused('providers.anthropic', { value: 'anthropic' }),
    },
    ...['constructor', 'tostring', 'hasownproperty', 'valueof'].map((id): Case => ({
      name: `provider id "${id}" cannot hit Object.prototype`,
      scopes: openai,
      facts: llm({ providerId: id }),
      expect: { outcome: 'deny', code: 'scope_denied', scope: `providers.${id}` },
    })),
    {
      name: 'an endpoint that mints a provider credential → refused without an exact paths entry',
      scopes: { providers: { openai: { models: ['gpt-4o-realtime-preview'] } } },
      facts: llm({ path: '/realtime/sessions', model: 'gpt-4o-realtime-preview' }),
      expect: refused('providers.openai.paths', { value: '/realtime/sessions' }),
    },
    {
      name: 'a "*" pattern does not cover an endpoint that mints a credential',
      scopes: { providers: { openai: { paths: ['/realtime/*'], models: ['gpt-4o-realtime-preview'] } } },
      facts: llm({ path: '/realtime/client_secrets', model: 'gpt-4o-realtime-preview' }),
      expect: refused('providers.openai.paths', { value: '/realtime/client_secrets' }),
    },
    {
      name: 'listed exactly, the owner meant it → allowed',
      scopes: {
        providers: { openai: { paths: ['/realtime/sessions'], models: ['gpt-4o-realtime-preview'] } },
      },
      facts: llm({ path: '/realtime/sessions', model: 'gpt-4o-realtime-preview' }),
      expect: { outcome: 'allow', rule: 'providers.openai' },
    },
    {
      name: 'Stripe ephemeral keys mint a credential too',
      scopes: { providers: { stripe: {} } },
      facts: llm({
        providerId: 'stripe',
        providerKind: 'stripe',
        path: '/v1/ephemeral_keys',
        model: undefined,
      }),
      expect: refused('providers.stripe.paths', { value: '/v1/ephemeral_keys' }),
    },
    {
      name: 'reading (GET) a minting endpoint mints nothing',
      scopes: { providers: { resend: {} } },
      facts: llm({
        providerId: 'resend',
        providerKind: 'resend',
        method: 'GET',
        path: '/api-keys',
        model: undefined,
      }),
      expect: { outcome: 'allow', rule: 'providers.resend' },
    },
    {
      name: 'method not listed → providers.openai.methods',
      scopes: openai,
      facts: llm({ method: 'GET' }),
      expect: refused('providers.openai.methods', { limit: ['POST'], value: 'GET' }),
    },
    {
      name: 'methods are case-sensitive',
      scopes: openai,
      facts: llm({ method: 'post' }),
      expect: refused('providers.openai.methods'),
    },
    {
      name: 'path not listed → providers.openai.paths',
      scopes: openai,
      facts: llm({ path: '/embeddings' }),
      expect: refused('providers.openai.paths', { limit: ['/chat/completions'], value: '/embeddings' }),
    },
    {
      name: 'exact path pattern does not match a longer path',
      scopes: openai,
      facts: llm({ path: '/chat/completions/x' }),
      expect: refused('providers.openai.paths'),
    },
    ...[
      ['/v1/files/1', 'allow'],
      ['/v1/', 'allow'],
      ['/v1', 'deny'],
      ['/v2/files', 'deny'],
      ['/v1/../admin', 'deny'],
      ['/v1/./x', 'deny'],
      ['/v1/%2e%2e/admin', 'deny'],
      ['/v1/%2E%2E/admin', 'deny'],
      ['/v1/a%2fb', 'deny'],
      ['/v1/a\\b', 'deny'],
      ['/v1/..', 'deny'],
      ['/v1/a..b', 'allow'],
    ].map(([path, outcome]): Case => ({
      name: `prefix pattern /v1/* and path ${path} → ${outcome}`,
      scopes: { providers: { web: { paths: ['/v1/*'] } } },
      facts: llm({ providerId: 'web', providerKind: 'http', action: 'http.request', path: path ?? '' }),
      expect:
        outcome === 'allow'
          ? { outcome: 'allow', rule: 'providers.web' }
          : { outcome: 'deny', code: 'scope_denied', scope: 'providers.web.paths' },
    })),
    {
      name: '"*" not at the end is a literal character',
      scopes: { providers: { web: { paths: ['/a/*/b'] } } },
      facts: llm({ providerId: 'web', action: 'http.request', path: '/a/x/b' }),
      expect: refused('providers.web.paths'),
    },
    {
      name: 'model not listed → providers.openai.models with the exact message',
      scopes: openai,
      facts: llm({ model: 'gpt-4o' }),
      expect: refused('providers.openai.models', {
        limit: ['gpt-4o-mini'],
        value: 'gpt-4o',
        message: 'Model "gpt-4o" is not in providers.openai.models (allowed: gpt-4o-mini).',
      }),
    },
    {
      name: 'no model when models are set → refused',
      scopes: openai,
      facts: llm({ model: undefined }),
      expect: refused('providers.openai.models', { value: null }),
    },
    {
      name: 'empty provider scope allows any method, path and model',
      scopes: { providers: { openai: {} } },
      facts: llm({ method: 'DELETE', path: '/files/1', model: undefined }),
      expect: { outcome: 'allow', effects: [] },
    },
    {
      name: 'non-send call to an email provider is governed by providers.<id>',
      scopes: { providers: { resend: { methods: ['GET'] } } },
      facts: mail(undefined, { action: 'http.request', method: 'GET', path: '/emails/1' }),
      expect: { outcome: 'allow', rule: 'providers.resend' },
    },
    {
      name: 'non-payment call to stripe without a provider scope → providers.stripe',
      scopes: pay,
      facts: payment({ action: 'http.request', method: 'GET', path: '/v1/balance' }),
      expect: refused('providers.stripe'),
    },
    {
      name: 'secret.read through a provider call → refused',
      scopes: { providers: { openai: {} }, vault: { readOnly: ['crm_api_key'] } },
      facts: llm({ action: 'secret.read' }),
      expect: refused('vault'),
    },
    {
      name: 'empty scopes refuse everything',
      scopes: {},
      facts: llm(),
      expect: refused('providers.openai'),
    },
  ]);
});
