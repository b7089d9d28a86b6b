// Budgets reserve an estimate before forwarding so that concurrent requests cannot overspend (DESIGN §4), so
// the estimate must be a worst case. A chat completion without max_tokens may write up to the model's own
// ceiling (16,384 tokens for gpt-4o-mini), and that is what is reserved (core/providers/output-ceiling.ts);
// a call whose cost cannot be estimated at all (a batch job: no model, billed later) is refused under a
// budget. Found by an attack review: 4096 tokens were reserved, and batch jobs reserved $0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPost, startDaemonWithProviders, type TestDaemon } from '../helpers/daemon.ts';
import { answerJson, type FakeUpstream } from '../helpers/upstream.ts';
import { budgetUsedUsd, chatAnswer, raceHeld } from '../helpers/budget-race.ts';

let t: TestDaemon;
let up: Record<'openai', FakeUpstream>;

beforeAll(async () => {
  ({ t, up } = await startDaemonWithProviders({ openai: { key: 'sk-MASTER-rev9-budget-0001' } }));
});
afterAll(() => t.stop());

describe('budgets against requests whose cost the estimate does not bound', () => {
  it('16 parallel chat completions without max_tokens cannot spend more than the budget', async () => {
    const budgetUsd = 0.01; // $0.01 a day: four reservations of 4096 gpt-4o-mini output tokens
    const { token, agent } = await t.admin.agents.create({
      name: 'open-ended-bot',
      scopes: { providers: { openai: { models: ['gpt-4o-mini'], budget: { usd: budgetUsd, per: 'day' } } } },
    });
    // Every answer is held until all requests are decided, then each reports the model's real output
    // maximum (16,384 tokens for gpt-4o-mini), as OpenAI may write when the request sets no maximum.
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'write' }] });
    await raceHeld(t, up.openai, {
      agentId: agent.id,
      n: 16,
      send: () => agentPost(t.url, token, '/v1/proxy/openai/chat/completions', body),
      answer: chatAnswer(10, 16_384),
    });
    const used = budgetUsedUsd(t, agent.id);
    expect(used.spent + used.reserved).toBeLessThanOrEqual(budgetUsd);
  });

  it('a batch job (no model, billed later) is not forwarded for $0 under a budget', async () => {
    const { token, agent } = await t.admin.agents.create({
      name: 'batch-budget-bot',
      scopes: { providers: { openai: { budget: { usd: 1, per: 'day' } } } },
    });
    up.openai.handle(answerJson({ id: 'batch_1', object: 'batch', status: 'validating' }));
    const before = up.openai.received.length;
    const r = await agentPost(
      t.url,
      token,
      '/v1/proxy/openai/batches',
      JSON.stringify({ input_file_id: 'file-1', endpoint: '/v1/chat/completions', completion_window: '24h' }),
    );
    expect({ status: r.status, forwarded: up.openai.received.length - before }).toEqual({
      status: 403,
      forwarded: 0,
    });
    expect(budgetUsedUsd(t, agent.id)).toEqual({ spent: 0, reserved: 0 });
  });
});
