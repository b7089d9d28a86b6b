// A request larger than a whole limit (an LLM call estimated above the whole budget, a batch of emails
// above the whole daily limit) can never pass: the refusal says so, carries no retry hint, tells the SDKs
// not to retry, and reaches nothing upstream. Real HTTP, the real openai SDK as the agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { agentPost, startDaemonWithProviders, type TestDaemon } from '../helpers/daemon.ts';
import type { FakeUpstream } from '../helpers/upstream.ts';

let t: TestDaemon;
let up: Record<'openai' | 'resend', FakeUpstream>;

beforeAll(async () => {
  ({ t, up } = await startDaemonWithProviders({
    openai: { key: 'sk-MASTER-never-fits-0001' },
    resend: { key: 're_MASTER_never_fits_0001' },
  }));
});
afterAll(() => t.stop());

describe('a request larger than the whole limit', () => {
  it('budget: "can never fit", 429 without retry-after, not retried by the SDK, audited once', async () => {
    const { token, agent } = await t.admin.agents.create({
      name: 'tiny-budget-bot',
      scopes: { providers: { openai: { models: ['gpt-4o'], budget: { usd: 0.01, per: 'day' } } } },
    });
    const body = JSON.stringify({
      model: 'gpt-4o',
      max_completion_tokens: 100_000,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const res = await agentPost(t.url, token, '/v1/proxy/openai/chat/completions', body);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.headers['x-should-retry']).toBe('false');
    const message = (res.json() as { error: { message: string; code: string } }).error;
    expect(message.code).toBe('budget_exceeded');
    expect(message.message).toContain('can never fit under this budget');
    expect(message.message).not.toMatch(/retry in/i);

    // The official SDK, with its default retries, asks once and gets the same reason.
    const client = new OpenAI({ apiKey: token, baseURL: `${t.url}/v1/proxy/openai` });
    const err = await client.chat.completions
      .create({
        model: 'gpt-4o',
        max_completion_tokens: 100_000,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as Error).message).toContain('can never fit');
    expect(up.openai.received).toHaveLength(0);

    const denials = (await t.admin.audit.list({ agentId: agent.id, action: 'llm.request' })).entries;
    expect(denials).toHaveLength(2); // the raw call and exactly one SDK attempt
    for (const e of denials) {
      expect(e.decision).toBe('deny');
      expect(e.reason).toBe('budget_exceeded');
      expect(e.rule).toContain('providers.openai.budget');
    }
  });

  it('daily count: a batch above the whole daily limit is refused without retry-after; one that fits passes', async () => {
    const { token } = await t.admin.agents.create({
      name: 'batch-mail-bot',
      scopes: { email: { allowedDomains: ['example.com'], dailyLimit: 2 } },
    });
    const batch = (n: number): string =>
      JSON.stringify(
        Array.from({ length: n }, (_, i) => ({
          from: 'me@example.com',
          to: [`u${i}@example.com`],
          subject: 'hi',
          html: 'x',
        })),
      );
    const send = (n: number) => agentPost(t.url, token, '/v1/proxy/resend/emails/batch', batch(n));
    const tooBig = await send(3);
    expect(tooBig.status).toBe(429);
    expect(tooBig.headers['retry-after']).toBeUndefined();
    expect(tooBig.body).toContain('can never fit under this limit');
    expect(up.resend.received).toHaveLength(0);

    const fits = await send(2);
    expect(fits.status).toBe(200);
    expect(up.resend.received).toHaveLength(1);
    // The window is now full: the next one waits for the window, with a retry hint.
    const full = await send(1);
    expect(full.status).toBe(429);
    expect(Number(full.headers['retry-after'])).toBeGreaterThan(0);
    expect(full.body).toMatch(/retry in \d+ s/);
  });
});
