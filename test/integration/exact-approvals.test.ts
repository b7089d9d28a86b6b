// Issue 9: an approval is for the exact request the owner saw. "Approve once" releases exactly that request;
// a respond-async retry passes only with the same body; a remembered grant covers exactly what its label says;
// a one-use grant is spent once, even by 20+ racing requests. Real SDKs, a fake upstream that records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import Stripe from 'stripe';
import { Resend } from 'resend';
import { raw, startDaemonWithProviders, type TestDaemon } from '../helpers/daemon.ts';
import { stripeClient as stripeFor } from '../clients/stripe-client.ts';
import { answerJson, chatHandler, type FakeUpstream } from '../helpers/upstream.ts';
import { connectSse, type SseClient } from '../helpers/sse.ts';

let t: TestDaemon;
let up: Record<'openai' | 'stripe' | 'resend', FakeUpstream>;
let sse: SseClient;

beforeAll(async () => {
  ({ t, up } = await startDaemonWithProviders(
    {
      openai: { key: 'sk-MASTER-apr-000001', handler: chatHandler() },
      stripe: { key: 'sk_live_MASTER_apr_01', handler: answerJson({ id: 'pi_1', object: 'payment_intent' }) },
      resend: { key: 're_MASTER_apr_0000001', handler: answerJson({ id: 'email_1' }) },
    },
    { approvalTimeoutMs: 60_000 },
  ));
  sse = await connectSse(t.url, t.daemon.adminToken);
});
afterAll(async () => {
  sse.close();
  await t.stop();
});

const stripeClient = (token: string): Stripe => stripeFor(t.url, token);

/** Resolves once `n` distinct prompts of this agent have been announced; returns their ids. */
async function prompts(agentId: string, n: number): Promise<string[]> {
  const ids = (): string[] => [
    ...new Set(
      sse.events.flatMap((e) =>
        e.name === 'approval.requested' && e.data.agentId === agentId ? [e.data.id] : [],
      ),
    ),
  ];
  while (ids().length < n) await sse.next('approval.requested', (d) => d.agentId === agentId);
  return ids();
}

async function denyAll(agentId: string): Promise<void> {
  for (const a of await t.admin.approvals.list())
    if (a.agentId === agentId) await t.admin.approvals.deny(a.id);
}

describe('approve once releases exactly the request the owner saw', () => {
  it('21 identical $42 charges: each waits for its own decision; one approval sends one charge', async () => {
    const { token, agent } = await t.admin.agents.create({
      name: 'charge-bot',
      scopes: {
        providers: { stripe: {} },
        payments: { provider: 'stripe', maxAmount: 10000, currency: 'usd', approval: 'always' },
      },
    });
    const stripe = stripeClient(token);
    const before = up.stripe.received.length;
    const charge = () =>
      stripe.paymentIntents.create({ amount: 4200, currency: 'usd' }).catch((e: unknown) => e);
    const first = charge();
    const [shown] = await prompts(agent.id, 1);
    // The owner is looking at one prompt ("Charge $42.00 USD", ×1) while 20 more identical requests arrive.
    const later = Array.from({ length: 20 }, charge);
    const all = await prompts(agent.id, 21);
    expect(all).toHaveLength(21);
    const view = (await t.admin.approvals.list()).find((a) => a.id === shown);
    expect(view).toMatchObject({ summary: 'Charge $42.00 USD', count: 1 });
    const decided = await t.admin.approvals.approve(shown ?? '');
    expect(decided.released).toEqual([view?.requestId]);
    expect(decided.merged).toBe(1);
    expect(await first).toMatchObject({ id: 'pi_1' });
    expect(up.stripe.received.length).toBe(before + 1);
    expect((await t.admin.approvals.list()).filter((a) => a.agentId === agent.id)).toHaveLength(20);
    await denyAll(agent.id);
    const results = await Promise.all(later);
    expect(results.every((r) => r instanceof Stripe.errors.StripeError)).toBe(true);
    expect(up.stripe.received.length).toBe(before + 1);
    const audit = (await t.admin.audit.list({ agentId: agent.id, action: 'payment.create' })).entries;
    expect(audit.filter((e) => e.decision === 'approved')).toHaveLength(1);
    expect(audit.filter((e) => e.decision === 'deny')).toHaveLength(20);
  });
});

describe('a one-use grant is spent exactly once', () => {
  it('remember {uses: 1}: of 25 racing requests exactly one passes without a prompt', async () => {
    const { token, agent } = await t.admin.agents.create({
      name: 'race-bot',
      scopes: { providers: { openai: { models: ['gpt-4o-mini'], approval: 'always' } } },
    });
    const client = new OpenAI({ baseURL: `${t.url}/v1/proxy/openai`, apiKey: token, maxRetries: 0 });
    const ask = () =>
      client.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e);
    const first = ask();
    const [id] = await prompts(agent.id, 1);
    const { grant } = await t.admin.approvals.approve(id ?? '', { uses: 1 });
    expect(grant?.covers).toBe('race-bot · call openai · model gpt-4o-mini');
    await first;
    const before = up.openai.received.length;
    const racing = Array.from({ length: 25 }, ask);
    // One passes on the grant; the other 24 are held for the owner.
    await prompts(agent.id, 25);
    expect(up.openai.received.length).toBe(before + 1);
    await denyAll(agent.id);
    const results = await Promise.all(racing);
    expect(results.filter((r) => r instanceof OpenAI.PermissionDeniedError)).toHaveLength(24);
    expect(up.openai.received.length).toBe(before + 1);
    const granted = (await t.admin.audit.list({ agentId: agent.id, action: 'llm.request' })).entries.filter(
      (e) => e.reason === 'grant',
    );
    expect(granted).toHaveLength(1);
  });
});

describe('respond-async: the retry must be the very request approved', () => {
  it('a retry with another amount is held again; 20 racing exact retries forward one', async () => {
    const { token, agent } = await t.admin.agents.create({
      name: 'async-pay',
      scopes: {
        providers: { stripe: {} },
        payments: { provider: 'stripe', maxAmount: 100000, currency: 'usd', approval: 'always' },
      },
    });
    const send = (amount: number, prefer = true) =>
      raw(t.url, {
        method: 'POST',
        path: '/v1/proxy/stripe/v1/payment_intents',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/x-www-form-urlencoded',
          ...(prefer ? { prefer: 'respond-async' } : {}),
        },
        body: `amount=${amount}&currency=usd`,
      });
    const before = up.stripe.received.length;
    const first = await send(100);
    expect(first.status).toBe(202);
    const { approval } = JSON.parse(first.body) as { approval: { id: string } };
    await t.admin.approvals.approve(approval.id);
    // Same endpoint, other amount: not covered, so it is a new request for the owner (202 again).
    const bigger = await send(10000);
    expect(bigger.status).toBe(202);
    expect(up.stripe.received.length).toBe(before);
    // The exact request, 20 times at once: one goes through, the rest need their own approval.
    const racing = await Promise.all(Array.from({ length: 20 }, () => send(100)));
    expect(racing.filter((r) => r.status === 200)).toHaveLength(1);
    expect(racing.filter((r) => r.status === 202)).toHaveLength(19);
    expect(up.stripe.received.slice(before).map((r) => r.body)).toEqual(['amount=100&currency=usd']);
    await denyAll(agent.id);
  });
});

describe('a remembered grant covers exactly what its label says', () => {
  it('approve for 15 min on gpt-4o-mini does not let gpt-4o through', async () => {
    const { token, agent } = await t.admin.agents.create({
      name: 'research-bot',
      scopes: { providers: { openai: { models: ['gpt-4o-mini', 'gpt-4o'], approval: 'always' } } },
    });
    const client = new OpenAI({ baseURL: `${t.url}/v1/proxy/openai`, apiKey: token, maxRetries: 0 });
    const ask = (model: string) =>
      client.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'hi' }] })
        .catch((e: unknown) => e);
    const first = ask('gpt-4o-mini');
    const [id] = await prompts(agent.id, 1);
    // The prompt shows, under "Approve for 15 min", the very label the grant gets.
    const shown = (await t.admin.approvals.list()).find((a) => a.id === id);
    expect(shown?.covers).toBe('research-bot · call openai · model gpt-4o-mini');
    const { grant } = await t.admin.approvals.approve(id ?? '', { minutes: 15 });
    expect(grant?.covers).toBe(shown?.covers);
    await first;
    await ask('gpt-4o-mini');
    const before = up.openai.received.length;
    const other = ask('gpt-4o');
    await prompts(agent.id, 2);
    expect(up.openai.received.length).toBe(before);
    await denyAll(agent.id);
    expect(await other).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });

  it('an email grant covers the approved domain only; a payment grant at most the approved amount', async () => {
    const { token, agent } = await t.admin.agents.create({
      name: 'mixed-bot',
      scopes: {
        email: { provider: 'resend', allowedDomains: ['example.com', 'other.org'], approval: 'always' },
        providers: { stripe: {} },
        payments: { provider: 'stripe', maxAmount: 100000, currency: 'usd', approval: 'always' },
      },
    });
    const resend = new Resend(token, { baseUrl: `${t.url}/v1/proxy/resend` });
    const send = (to: string) => resend.emails.send({ from: 'a@example.com', to, subject: 's', text: 't' });
    const firstMail = send('bob@example.com');
    const [mailId] = await prompts(agent.id, 1);
    const mailGrant = (await t.admin.approvals.approve(mailId ?? '', { uses: 5 })).grant;
    expect(mailGrant?.covers).toBe('mixed-bot · send email via resend · to example.com');
    await firstMail;
    expect((await send('carol@example.com')).error).toBeNull();
    const mailsBefore = up.resend.received.length;
    const elsewhere = send('dave@other.org');
    await prompts(agent.id, 2);
    expect(up.resend.received.length).toBe(mailsBefore);
    await denyAll(agent.id);
    await elsewhere;

    const stripe = stripeClient(token);
    const charge = (amount: number) =>
      stripe.paymentIntents.create({ amount, currency: 'usd' }).catch((e: unknown) => e);
    const firstPay = charge(4200);
    const [payId] = (await prompts(agent.id, 3)).slice(2);
    const payGrant = (await t.admin.approvals.approve(payId ?? '', { minutes: 15 })).grant;
    expect(payGrant?.covers).toBe('mixed-bot · make payments via stripe · up to $42.00 USD each');
    await firstPay;
    const paysBefore = up.stripe.received.length;
    expect(await charge(4100)).toMatchObject({ id: 'pi_1' });
    expect(up.stripe.received.length).toBe(paysBefore + 1);
    const over = charge(4300);
    await prompts(agent.id, 4);
    expect(up.stripe.received.length).toBe(paysBefore + 1);
    await denyAll(agent.id);
    expect(await over).toBeInstanceOf(Stripe.errors.StripeError);
  });
});
