// Anthropic budgets (found by an attack review). A budget reserves the adapter's estimate before forwarding so that
// concurrent requests cannot overspend (DESIGN §4). The Anthropic estimate counts the characters of the
// request body and max_tokens; but Anthropic bills input the request only points at: a document or image
// fetched by URL or named by file_id (a 100-page PDF is ~150k input tokens), and server tools (web_search,
// web_fetch, code_execution) that run a loop on Anthropic's side, re-reading the growing context each turn
// and billing $10 per 1,000 searches on top. Their reservation was a few hundredths of a cent, so many in
// parallel all fit and each spent hundreds of times it. Such calls now have no estimate, so a budget refuses
// them (core/providers/unbounded-input.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPost, startDaemonWithProviders, type TestDaemon } from '../helpers/daemon.ts';
import type { FakeUpstream } from '../helpers/upstream.ts';
import { budgetUsedUsd, raceHeld } from '../helpers/budget-race.ts';

let t: TestDaemon;
let up: Record<'anthropic', FakeUpstream>;

beforeAll(async () => {
  ({ t, up } = await startDaemonWithProviders({ anthropic: { key: 'sk-ant-MASTER-rev10-budget-01' } }));
});
afterAll(() => t.stop());

/** Sends `n` copies of `body` at once, holds every answer until all are decided, then answers with `usage`. */
async function parallelSpend(
  name: string,
  budgetUsd: number,
  n: number,
  body: string,
  usage: Record<string, unknown>,
): Promise<{ spent: number; forwarded: number }> {
  const { token, agent } = await t.admin.agents.create({
    name,
    scopes: {
      providers: { anthropic: { models: ['claude-sonnet-4-5'], budget: { usd: budgetUsd, per: 'day' } } },
    },
  });
  const { forwarded } = await raceHeld(t, up.anthropic, {
    agentId: agent.id,
    n,
    send: () => agentPost(t.url, token, '/v1/proxy/anthropic/v1/messages', body),
    answer: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'summary' }],
      stop_reason: 'end_turn',
      usage,
    },
  });
  const used = budgetUsedUsd(t, agent.id);
  return { spent: used.spent + used.reserved, forwarded };
}

describe('Anthropic budgets against input the request only points at', () => {
  it('parallel messages with a PDF by URL cannot spend more than the budget', async () => {
    const budgetUsd = 0.05;
    const body = JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 16,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: { type: 'url', url: 'https://example.com/annual-report.pdf' } },
            { type: 'text', text: 'One line.' },
          ],
        },
      ],
    });
    // What Anthropic bills for a ~100-page PDF: 150,000 input tokens ($0.45 on Sonnet each).
    const { spent, forwarded } = await parallelSpend('pdf-by-url-bot', budgetUsd, 16, body, {
      input_tokens: 150_000,
      output_tokens: 16,
    });
    expect({ forwarded, overspent: spent > budgetUsd }).toEqual({
      forwarded: expect.any(Number) as number,
      overspent: false,
    });
  });

  it('parallel messages with the server-side web_search tool cannot spend more than the budget', async () => {
    const budgetUsd = 0.05;
    const body = JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 10 }],
      messages: [{ role: 'user', content: 'Research this thoroughly.' }],
    });
    // Ten searches in Anthropic's own loop: each turn re-reads the growing context ($0.18 of input) and
    // $0.10 in search fees that no token count shows.
    const { spent, forwarded } = await parallelSpend('web-search-bot', budgetUsd, 16, body, {
      input_tokens: 60_000,
      output_tokens: 64,
      server_tool_use: { web_search_requests: 10 },
    });
    expect({ forwarded, overspent: spent > budgetUsd }).toEqual({
      forwarded: expect.any(Number) as number,
      overspent: false,
    });
  });
});
