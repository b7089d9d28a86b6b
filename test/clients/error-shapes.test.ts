// Refusals on proxy routes in each provider's own error format, read by the real SDK that parses that
// format: our reason must be in the client's own error message, our code and request id alongside, and
// a refusal must not be retried by the SDK's default retry policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import Stripe from 'stripe';
import { Resend } from 'resend';
import { generateText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { raw } from '../helpers/daemon.ts';
import { startHarness, type Harness } from './harness.ts';
import { rejection as caught } from '../helpers/rejection.ts';
import { stripeClient } from './stripe-client.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.stop();
});

/** Runs `call` once with the SDK's default retries and checks exactly one refusal was audited. */
async function refusedOnce(call: () => Promise<unknown>): Promise<unknown> {
  const before = await h.denials();
  const err = await caught(call());
  expect(await h.denials()).toBe(before + 1);
  return err;
}

describe('OpenAI shape', () => {
  it('the openai SDK shows our code and reason, with type, param and request id', async () => {
    const client = new OpenAI({ baseURL: h.base.openai, apiKey: h.token }); // default retries (2)
    const err = await refusedOnce(() =>
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const e = err as InstanceType<typeof OpenAI.APIError>;
    expect(e.status).toBe(403);
    expect(e.message).toContain('scope_denied');
    expect(e.message).toContain('providers.openai.models');
    expect(e.code).toBe('scope_denied');
    expect(e.type).toBe('permission_error');
    expect(e.requestID).toMatch(/^req_/);
    expect(e.headers?.get('x-akc-error')).toBe('scope_denied');
    expect(e.headers?.get('x-akc-request-id')).toBe(e.requestID);
    expect(h.up.openai.received).toHaveLength(0);
  });

  it('the raw body has the OpenAI fields plus our request id and rule', async () => {
    const res = await raw(h.t.url, {
      method: 'POST',
      path: '/v1/proxy/openai/chat/completions',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'o3', messages: [] }),
    });
    expect(res.status).toBe(403);
    const body = res.json() as { error: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatchObject({
      type: 'permission_error',
      code: 'scope_denied',
      param: null,
      requestId: res.headers['x-akc-request-id'],
      rule: { scope: 'providers.openai.models', value: 'o3' },
    });
    expect(body.error.message).toMatch(/^Agent Keychain \(scope_denied\): Model "o3"/);
    expect(res.headers['x-should-retry']).toBe('false');
  });

  it('a bad token is a 401 AuthenticationError with our reason', async () => {
    const client = new OpenAI({ baseURL: h.base.openai, apiKey: 'akc_not-a-real-token', maxRetries: 0 });
    const err = await caught(client.models.list());
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.message).toContain('invalid_token');
  });

  it('a malformed body is a 400 with the offending field as param', async () => {
    const res = await raw(h.t.url, {
      method: 'POST',
      path: '/v1/proxy/openai/chat/completions',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(res.status).toBe(400);
    const body = res.json() as { error: Record<string, unknown> };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.code).toBe('bad_request');
    expect(String(body.error.message)).toContain('Agent Keychain (bad_request)');
  });

  it('the Vercel AI SDK (OpenAI provider) shows our reason', async () => {
    const openai = createOpenAI({ baseURL: h.base.openai, apiKey: h.token });
    const err = await refusedOnce(() =>
      generateText({ model: openai.chat('gpt-4o'), prompt: 'hi', maxRetries: 2 }),
    );
    expect((err as Error).message).toContain('scope_denied');
    expect((err as Error).message).toContain('providers.openai.models');
  });
});

describe('Anthropic shape', () => {
  it('the Anthropic SDK shows our reason as its message, not the raw JSON', async () => {
    const client = new Anthropic({ baseURL: h.base.anthropic, apiKey: h.token });
    const err = await refusedOnce(() =>
      client.messages.create({
        model: 'claude-opus-4-1',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    expect(err).toBeInstanceOf(Anthropic.PermissionDeniedError);
    const e = err as InstanceType<typeof Anthropic.APIError>;
    expect(e.message).toMatch(/^403 Agent Keychain \(scope_denied\): Model "claude-opus-4-1"/);
    expect(e.type).toBe('permission_error');
    expect(e.apiMessage).toContain('providers.anthropic.models');
    expect(e.requestID).toMatch(/^req_/);
    expect(h.up.anthropic.received).toHaveLength(0);
  });

  it('the raw body is {"type":"error","error":{type,message}} with our extras', async () => {
    const res = await raw(h.t.url, {
      method: 'POST',
      path: '/v1/proxy/anthropic/v1/messages',
      headers: { 'x-api-key': h.token, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-opus-4-1', max_tokens: 5, messages: [] }),
    });
    const body = res.json() as Record<string, unknown>;
    expect(body.type).toBe('error');
    expect(body.error).toMatchObject({ type: 'permission_error', code: 'scope_denied' });
    expect(body.request_id).toBe(res.headers['x-akc-request-id']);
    expect(res.headers['request-id']).toBe(res.headers['x-akc-request-id']);
  });

  it('the Vercel AI SDK (Anthropic provider) shows our reason, not only "Forbidden"', async () => {
    const anthropic = createAnthropic({ baseURL: `${h.base.anthropic}/v1`, apiKey: h.token });
    const err = await refusedOnce(() =>
      generateText({ model: anthropic('claude-opus-4-1'), prompt: 'hi', maxRetries: 2 }),
    );
    expect((err as Error).message).toContain('scope_denied');
    expect((err as Error).message).toContain('providers.anthropic.models');
  });

  it('an unknown provider id named like a kind answers in that kind’s shape', async () => {
    const res = await raw(h.t.url, {
      method: 'POST',
      path: '/v1/proxy/nothere/v1/messages',
      headers: { 'x-api-key': h.token, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
    // Not a kind name: our own envelope.
    expect(res.json()).toMatchObject({ error: { code: 'provider_not_configured' } });
    expect(res.headers['x-akc-error']).toBe('provider_not_configured');
  });
});

describe('Stripe shape', () => {
  it('stripe-node shows our reason and does not retry the refusal', async () => {
    const stripe = stripeClient(h.t.url, h.token, { maxNetworkRetries: 2 });
    const err = await refusedOnce(() => stripe.paymentIntents.create({ amount: 999_999, currency: 'usd' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripePermissionError);
    const e = err as InstanceType<typeof Stripe.errors.StripeError>;
    expect(e.message).toContain('scope_denied');
    expect(e.message).toContain('payments.maxAmount');
    expect(e.code).toBe('scope_denied');
    expect(e.type).toBe('StripePermissionError');
    expect(e.requestId).toMatch(/^req_/);
    expect(h.up.stripe.received).toHaveLength(0);
  });
});

describe('Resend shape', () => {
  it('resend returns {name, message, statusCode} with our reason (not nulls)', async () => {
    const client = new Resend(h.token, { baseUrl: h.base.resend });
    const before = await h.denials();
    const result = await client.emails.send({
      from: 'bot@example.com',
      to: 'mallory@elsewhere.test',
      subject: 'hi',
      text: 'hello',
    });
    expect(result.data).toBeNull();
    expect(result.error).toMatchObject({ statusCode: 403, name: 'restricted_api_key' });
    expect(result.error?.message).toContain('scope_denied');
    expect(result.error?.message).toContain('email.allowedDomains');
    expect(await h.denials()).toBe(before + 1);
    expect(h.up.resend.received).toHaveLength(0);
  });
});

describe('generic http providers and our own routes keep our envelope', () => {
  it('agent API routes answer {"error": {code, message, requestId}}', async () => {
    const res = await raw(h.t.url, {
      path: '/v1/secrets/nope',
      headers: { authorization: `Bearer ${h.token}` },
    });
    expect(res.status).toBe(403);
    const body = res.json() as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ code: 'scope_denied', requestId: res.headers['x-akc-request-id'] });
    expect(res.headers['x-akc-error']).toBe('scope_denied');
  });
});
