// Issue 9: what policy checks is what the provider receives. Hostile requests that a lenient reader would see
// one way and the provider another are refused before anything leaves; the real SDKs still pass, and the
// provider receives exactly the bytes and the content type that were read. Every refusal is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Stripe from 'stripe';
import { Resend } from 'resend';
import { raw, startDaemonWithProviders, type TestDaemon } from '../helpers/daemon.ts';
import { stripeClient as stripeFor } from '../clients/stripe-client.ts';
import { answerJson, chatHandler, type FakeUpstream } from '../helpers/upstream.ts';

let t: TestDaemon;
let up: Record<'stripe' | 'resend' | 'openai', FakeUpstream>;

beforeAll(async () => {
  ({ t, up } = await startDaemonWithProviders({
    stripe: {
      key: 'sk_live_MASTER_exact_01',
      handler: answerJson({ id: 'pi_1', object: 'payment_intent', amount: 500, currency: 'usd' }),
    },
    resend: {
      key: 're_MASTER_exact_000001',
      handler: answerJson({ id: 'email_1', data: [{ id: 'email_1' }] }),
    },
    openai: { key: 'sk-MASTER-exact-00001', handler: chatHandler({ model: 'gpt-4o-mini' }) },
  }));
});
afterAll(() => t.stop());

/** stripe-node through the keychain (docs/clients.md): its HTTP client prefixes the proxy path. */
const stripeClient = (token: string): Stripe => stripeFor(t.url, token);

async function post(
  token: string,
  path: string,
  body: string,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return raw(t.url, {
    method,
    path,
    headers: { authorization: `Bearer ${token}`, ...headers },
    body,
  });
}

async function lastDenial(agentId: string): Promise<{ reason: string | null; rule: string | null }> {
  const { entries } = await t.admin.audit.list({ agentId, decision: 'deny' });
  const e = entries[0];
  if (!e) throw new Error('no deny entry in the audit');
  return { reason: e.reason, rule: e.rule };
}

const PAYMENTS = {
  providers: { stripe: {} },
  payments: { provider: 'stripe', maxAmount: 10000, currency: 'usd' },
};

describe('Stripe: one content type, no query, no duplicate or case-variant parameters', () => {
  it('the real stripe-node SDK passes and the provider gets exactly its bytes and content type', async () => {
    const { token } = await t.admin.agents.create({ name: 'stripe-sdk', scopes: PAYMENTS });
    const stripe = stripeClient(token);
    const before = up.stripe.received.length;
    const pi = await stripe.paymentIntents.create({
      amount: 500,
      currency: 'usd',
      metadata: { OrderId: 'A-1' },
      description: 'Order A-1 (50% off) & more',
    });
    expect(pi.id).toBe('pi_1');
    const got = up.stripe.received.slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(got[0]?.body).get('amount')).toBe('500');
    expect(got[0]?.url).toBe('/v1/payment_intents');
  });

  it('refuses a body amount hidden behind text/plain, a missing type, multipart, or a query amount', async () => {
    const { token, agent } = await t.admin.agents.create({ name: 'stripe-smuggler', scopes: PAYMENTS });
    const before = up.stripe.received.length;
    const path = '/v1/proxy/stripe/v1/payment_intents';
    const cases: [string, string, Record<string, string>, number][] = [
      [`${path}?amount=5000`, 'amount=999999&currency=usd', { 'content-type': 'text/plain' }, 400],
      [path, 'amount=999999&currency=usd', { 'content-type': 'text/plain' }, 415],
      [`${path}?amount=5000`, 'amount=999999&currency=usd', {}, 400],
      [path, 'amount=999999&currency=usd', {}, 415],
      [
        path,
        '--b\r\ncontent-disposition: form-data; name="amount"\r\n\r\n999999\r\n--b--\r\n',
        { 'content-type': 'multipart/form-data; boundary=b' },
        415,
      ],
      [`${path}?amount=5000`, 'currency=usd', { 'content-type': 'application/x-www-form-urlencoded' }, 400],
      [
        `${path}?currency=usd`,
        'amount=5000&currency=usd',
        { 'content-type': 'application/x-www-form-urlencoded' },
        400,
      ],
      [
        path,
        'amount=5000&amount=999999&currency=usd',
        { 'content-type': 'application/x-www-form-urlencoded' },
        400,
      ],
      [
        path,
        'amount=5000&Amount=999999&currency=usd',
        { 'content-type': 'application/x-www-form-urlencoded' },
        400,
      ],
      [
        path,
        'amount=5000;amount=999999&currency=usd',
        { 'content-type': 'application/x-www-form-urlencoded' },
        400,
      ],
      [
        path,
        'amount=5000&currency=usd',
        { 'content-type': 'application/x-www-form-urlencoded; charset=utf-16' },
        415,
      ],
    ];
    for (const [p, body, headers, status] of cases) {
      const r = await post(token, p, body, headers);
      expect(r.status, `${p} ${body} ${JSON.stringify(headers)}: ${r.body}`).toBe(status);
    }
    expect(up.stripe.received.length).toBe(before);
    const denial = await lastDenial(agent.id);
    expect(denial.reason).toMatch(/bad_request|unsupported_media_type/);
  });

  it('refuses a Connection header that would strip the content type on the way upstream', async () => {
    const { token, agent } = await t.admin.agents.create({ name: 'conn-smuggler', scopes: PAYMENTS });
    const before = up.stripe.received.length;
    const r = await post(token, '/v1/proxy/stripe/v1/payment_intents', 'amount=500&currency=usd', {
      'content-type': 'application/x-www-form-urlencoded',
      connection: 'keep-alive, content-type',
    });
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/Connection/);
    expect(up.stripe.received.length).toBe(before);
    expect((await lastDenial(agent.id)).rule).toMatch(/content-type/);
  });

  it('refuses Stripe-Account unless payments.accounts lists it, then forwards it unchanged', async () => {
    const { token, agent } = await t.admin.agents.create({ name: 'connect-bot', scopes: PAYMENTS });
    const stripe = stripeClient(token);
    const before = up.stripe.received.length;
    const err = await stripe.paymentIntents
      .create({ amount: 500, currency: 'usd' }, { stripeAccount: 'acct_other' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeError);
    expect((err as Error).message).toMatch(/payments\.accounts/);
    expect(up.stripe.received.length).toBe(before);
    expect((await lastDenial(agent.id)).rule).toMatch(/^payments\.accounts/);

    await t.admin.agents.update(agent.id, {
      scopes: { ...PAYMENTS, payments: { ...PAYMENTS.payments, accounts: ['acct_other'] } },
    });
    await stripe.paymentIntents.create({ amount: 500, currency: 'usd' }, { stripeAccount: 'acct_other' });
    expect(up.stripe.received.at(-1)?.headers['stripe-account']).toBe('acct_other');
  });
});

describe('OpenAI: JSON only, no duplicate keys, organization/project only when a scope names them', () => {
  const scopes = { providers: { openai: { models: ['gpt-4o-mini'] } } };

  it('refuses a duplicated or case-variant model, a model in the query and a non-JSON body', async () => {
    const { token, agent } = await t.admin.agents.create({ name: 'dup-bot', scopes });
    const before = up.openai.received.length;
    const path = '/v1/proxy/openai/chat/completions';
    const json = { 'content-type': 'application/json' };
    const msgs = '"messages":[{"role":"user","content":"hi"}]';
    const cases: [string, string, Record<string, string>, number][] = [
      [path, `{"model":"gpt-4o-mini","model":"gpt-4o",${msgs}}`, json, 400],
      [path, `{"model":"gpt-4o-mini","mod\\u0065l":"gpt-4o",${msgs}}`, json, 400],
      [path, `{"model":"gpt-4o-mini","Model":"gpt-4o",${msgs}}`, json, 400],
      [`${path}?model=gpt-4o`, `{"model":"gpt-4o-mini",${msgs}}`, json, 400],
      [path, `{"model":"gpt-4o-mini",${msgs}}`, { 'content-type': 'text/plain' }, 415],
      [path, `{"model":"gpt-4o-mini",${msgs}}`, {}, 415],
      [path, Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1'), json, 400],
    ];
    for (const [p, body, headers, status] of cases) {
      const r = await post(token, p, body, headers);
      expect(r.status, `${p} ${body}: ${r.body}`).toBe(status);
    }
    expect(up.openai.received.length).toBe(before);
    expect((await lastDenial(agent.id)).reason).toBe('bad_request');
  });

  it('refuses OpenAI-Organization and OpenAI-Project from the real SDK unless the scope lists them', async () => {
    const { token, agent } = await t.admin.agents.create({ name: 'org-bot', scopes });
    const client = new OpenAI({
      baseURL: `${t.url}/v1/proxy/openai`,
      apiKey: token,
      organization: 'org-other',
      project: 'proj_other',
      maxRetries: 0,
    });
    const ask = () =>
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const before = up.openai.received.length;
    const err = await ask().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((err as Error).message).toMatch(/providers\.openai\.organizations/);
    expect(up.openai.received.length).toBe(before);
    await t.admin.agents.update(agent.id, {
      scopes: { providers: { openai: { models: ['gpt-4o-mini'], organizations: ['org-other'] } } },
    });
    const again = await ask().catch((e: unknown) => e);
    expect((again as Error).message).toMatch(/providers\.openai\.projects/);
    await t.admin.agents.update(agent.id, {
      scopes: {
        providers: {
          openai: { models: ['gpt-4o-mini'], organizations: ['org-other'], projects: ['proj_other'] },
        },
      },
    });
    await ask();
    const got = up.openai.received.at(-1)?.headers ?? {};
    expect(got['openai-organization']).toBe('org-other');
    expect(got['openai-project']).toBe('proj_other');
  });

  it('refuses method overrides, TRACE and a body on GET', async () => {
    const { token } = await t.admin.agents.create({
      name: 'method-bot',
      scopes: { providers: { openai: {} } },
    });
    const before = up.openai.received.length;
    const json = { 'content-type': 'application/json' };
    expect(
      (await post(token, '/v1/proxy/openai/files', '{}', { ...json, 'x-http-method-override': 'DELETE' }))
        .status,
    ).toBe(400);
    expect((await post(token, '/v1/proxy/openai/models', '', {}, 'TRACE')).status).toBe(405);
    expect(
      (await post(token, '/v1/proxy/openai/models', '{"a":1}', { ...json, 'content-length': '7' }, 'GET'))
        .status,
    ).toBe(400);
    expect(
      (await post(token, '/v1/proxy/openai/models', '', { 'stripe-account': 'acct_1' }, 'GET')).status,
    ).toBe(400);
    expect(up.openai.received.slice(before).map((r) => `${r.method} ${r.url}`)).toEqual([]);
  });
});

describe('Resend: recipients exactly as policy read them, and dailyLimit counts emails', () => {
  const scopes = { email: { provider: 'resend', allowedDomains: ['example.com'] } };
  const json = { 'content-type': 'application/json' };

  it('refuses a case-variant "To", CR/LF in a display name, a recipient header and a query recipient', async () => {
    const { token, agent } = await t.admin.agents.create({ name: 'mail-smuggler', scopes });
    const before = up.resend.received.length;
    const path = '/v1/proxy/resend/emails';
    const base = { from: 'a@example.com', subject: 's', text: 't' };
    const cases: [string, unknown, number][] = [
      [path, { ...base, to: 'bob@example.com', To: 'eve@evil.test' }, 400],
      [path, { ...base, To: 'eve@evil.test', to: ['bob@example.com'] }, 400],
      [path, { ...base, to: '"Bob\r\nBcc: eve@evil.test" <bob@example.com>' }, 400],
      [path, { ...base, to: 'bob@example.com', headers: { Bcc: 'eve@evil.test' } }, 400],
      [path, { ...base, to: 'bob@example.com', headers: { 'X-Note': 'a\r\nBcc: eve@evil.test' } }, 400],
      [path, { ...base, to: 'bob@example.com', from: 'a@example.com\r\nBcc: eve@evil.test' }, 400],
      [`${path}?to=eve@evil.test`, { ...base, to: 'bob@example.com' }, 400],
    ];
    for (const [p, body, status] of cases) {
      const r = await post(token, p, JSON.stringify(body), json);
      expect(r.status, `${JSON.stringify(body)}: ${r.body}`).toBe(status);
    }
    const plain = await post(token, path, JSON.stringify({ ...base, to: 'bob@example.com' }), {
      'content-type': 'text/plain',
    });
    expect(plain.status).toBe(415);
    expect(up.resend.received.length).toBe(before);
    expect((await lastDenial(agent.id)).reason).toMatch(/bad_request|unsupported_media_type/);
  });

  it('counts each email of a batch against dailyLimit (real resend SDK)', async () => {
    const { token, agent } = await t.admin.agents.create({
      name: 'batch-bot',
      scopes: { email: { ...scopes.email, dailyLimit: 3 } },
    });
    const resend = new Resend(token, { baseUrl: `${t.url}/v1/proxy/resend` });
    const email = (i: number) => ({
      from: 'a@example.com',
      to: `u${i}@example.com`,
      subject: 's',
      text: 't',
    });
    const before = up.resend.received.length;
    const ten = await resend.batch.send(Array.from({ length: 10 }, (_, i) => email(i)));
    expect(JSON.stringify(ten.error)).toMatch(/email\.dailyLimit/);
    expect(up.resend.received.length).toBe(before);
    const two = await resend.batch.send([email(1), email(2)]);
    expect(two.error).toBeNull();
    const twoMore = await resend.batch.send([email(3), email(4)]);
    expect(JSON.stringify(twoMore.error)).toMatch(/email\.dailyLimit/);
    const one = await resend.emails.send(email(5));
    expect(one.error).toBeNull();
    const over = await resend.emails.send(email(6));
    expect(JSON.stringify(over.error)).toMatch(/email\.dailyLimit/);
    expect(up.resend.received.length).toBe(before + 2);
    const denial = await lastDenial(agent.id);
    expect(denial.reason).toBe('rate_limited');
    expect(denial.rule).toMatch(/^email\.dailyLimit limit=3 value=3/);
  });
});
