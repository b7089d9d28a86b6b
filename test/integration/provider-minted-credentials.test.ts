// A provider endpoint that mints a credential lets the agent leave the proxy. OpenAI's
// POST /realtime/sessions answers with an ephemeral client secret ("ek_…") that works straight against
// api.openai.com for a whole realtime session: no budget, no rate limit, no audit of what it is used for,
// billed to the owner's key (found by an attack review: it was forwarded and the secret passed on). Such
// endpoints are refused unless the scope's paths list them exactly (core/policy/rules/minting.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPost, startDaemonWithProviders, type TestDaemon } from '../helpers/daemon.ts';
import { answerJson } from '../helpers/upstream.ts';

let t: TestDaemon;

beforeAll(async () => {
  ({ t } = await startDaemonWithProviders({
    openai: {
      key: 'sk-MASTER-rev9-realtime-01',
      handler: answerJson({
        id: 'sess_1',
        object: 'realtime.session',
        model: 'gpt-4o-realtime-preview',
        client_secret: { value: 'ek_EPHEMERAL_usable_direct_0001', expires_at: 9999999999 },
      }),
    },
  }));
});
afterAll(() => t.stop());

describe('credentials minted by the provider', () => {
  it('an agent under a budget does not get a provider credential that bypasses the proxy', async () => {
    const { token } = await t.admin.agents.create({
      name: 'realtime-bot',
      scopes: {
        providers: {
          openai: { models: ['gpt-4o-realtime-preview'], budget: { usd: 0.01, per: 'day' } },
        },
      },
    });
    const r = await agentPost(
      t.url,
      token,
      '/v1/proxy/openai/realtime/sessions',
      JSON.stringify({ model: 'gpt-4o-realtime-preview' }),
    );
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('ek_EPHEMERAL_usable_direct_0001');
  });
});
