// A call that got no answer keeps its budget reservation as spent when the request may have reached the
// provider (a timeout: the provider may have done, and billed, the work), and gives it back only when it
// never left this machine (connection refused). Unknown usage fails safe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPost, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startUpstream, type FakeUpstream } from '../helpers/upstream.ts';

let t: TestDaemon;
let silent: FakeUpstream;
let downUrl: string;

beforeAll(async () => {
  t = await startTestDaemon({ upstreamTimeoutMs: 300 });
  silent = await startUpstream(() => undefined); // takes the request, never answers
  const down = await startUpstream();
  downUrl = down.url;
  await down.close(); // nothing listens there any more: ECONNREFUSED
  await t.admin.providers.put('silent', {
    kind: 'openai',
    baseUrl: silent.url,
    key: 'sk-silent-MASTER-0001',
  });
  await t.admin.providers.put('down', { kind: 'openai', baseUrl: downUrl, key: 'sk-down-MASTER-00001' });
});
afterAll(async () => {
  await t.stop();
  await silent.close();
});

const CHAT = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'hi' }],
  max_tokens: 100,
});

async function budgetUsed(
  provider: string,
): Promise<{ used: number; agentId: string; status: number; body: string }> {
  const { token, agent } = await t.admin.agents.create({
    name: `${provider}-budget-bot`,
    scopes: { providers: { [provider]: { models: ['gpt-4o-mini'], budget: { usd: 5, per: 'day' } } } },
  });
  const r = await agentPost(t.url, token, `/v1/proxy/${provider}/chat/completions`, CHAT);
  const meter = (await t.admin.agents.get(agent.id)).usage.find((u) => u.key === `${provider}.budget`);
  return { used: meter?.used ?? Number.NaN, agentId: agent.id, status: r.status, body: r.body };
}

describe('budget after a call with no answer', () => {
  it('a timeout keeps the reservation as spent, and says the provider may have done the work', async () => {
    const r = await budgetUsed('silent');
    expect(r.status).toBe(504);
    expect(r.body).toContain('may still have done the work');
    expect(r.used).toBeGreaterThan(0);
    expect(silent.received).toHaveLength(1);
  });

  it('a refused connection gives the reservation back, and says nothing was sent', async () => {
    const r = await budgetUsed('down');
    expect(r.status).toBe(502);
    expect(r.body).toContain('Nothing was sent');
    expect(r.used).toBe(0);
  });
});
