// Budgets reserve an estimate before forwarding so that concurrent requests cannot overspend (DESIGN §4), so
// the estimate must be a worst case. A chat completion without max_tokens may write up to the model's own
// ceiling (16,384 tokens for gpt-4o-mini), and that is what is reserved (core/providers/output-ceiling.ts);
// a call whose cost cannot be estimated at all (a batch job: no model, billed later) is refused under a
// budget. Found by an attack review: 4096 tokens were reserved, and batch jobs reserved $0.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { agentPost, startDaemonWithProviders, type TestDaemon } from '../helpers/daemon.ts';
import { answerJson, type FakeUpstream } from '../helpers/upstream.ts';

let t: TestDaemon;
let up: Record<'openai', FakeUpstream>;

beforeAll(async () => {
  ({ t, up } = await startDaemonWithProviders({ openai: { key: 'sk-MASTER-rev9-budget-0001' } }));
});
afterAll(() => t.stop());

function spentUsd(agentId: string): number {
  const db = new Database(join(t.dir, 'keychain.db'), { readonly: true });
  const row = db
    .prepare<[string], { spent: number | null; reserved: number | null }>(
      "SELECT SUM(spent_micro) AS spent, SUM(reserved_micro) AS reserved FROM counters WHERE agent_id = ? AND key LIKE 'budget:%'",
    )
    .get(agentId);
  db.close();
  return ((row?.spent ?? 0) + (row?.reserved ?? 0)) / 1e6;
}

describe('budgets against requests whose cost the estimate does not bound', () => {
  it('16 parallel chat completions without max_tokens cannot spend more than the budget', async () => {
    const budgetUsd = 0.01; // $0.01 a day: four reservations of 4096 gpt-4o-mini output tokens
    const { token, agent } = await t.admin.agents.create({
      name: 'open-ended-bot',
      scopes: { providers: { openai: { models: ['gpt-4o-mini'], budget: { usd: budgetUsd, per: 'day' } } } },
    });
    // Hold every answer until all requests have been decided, then answer each at the model's real
    // output maximum (16,384 tokens for gpt-4o-mini), as OpenAI may when the request sets no maximum.
    const held: (() => void)[] = [];
    let arrived: () => void = () => undefined;
    up.openai.handle((_req, _body, res) => {
      held.push(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'x',
            object: 'chat.completion',
            created: 1,
            model: 'gpt-4o-mini',
            choices: [],
            usage: { prompt_tokens: 10, completion_tokens: 16_384, total_tokens: 16_394 },
          }),
        );
      });
      arrived();
    });
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'write' }] });
    let decided = 0;
    let allowed = 0;
    let allDecided: () => void = () => undefined;
    const everyone = new Promise<void>((r) => (allDecided = r));
    const off = t.daemon.subscribe((e) => {
      if (e.name === 'audit.appended' && e.data.agentId === agent.id && e.data.action === 'llm.request') {
        decided += 1;
        if (e.data.decision === 'allow') allowed += 1;
        if (decided === 16) allDecided();
      }
    });
    const calls = Array.from({ length: 16 }, () =>
      agentPost(t.url, token, '/v1/proxy/openai/chat/completions', body),
    );
    await everyone;
    off();
    while (held.length < allowed) await new Promise<void>((r) => (arrived = r));
    for (const release of held) release();
    await Promise.all(calls);
    expect(spentUsd(agent.id)).toBeLessThanOrEqual(budgetUsd);
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
    expect(spentUsd(agent.id)).toBe(0);
  });
});
