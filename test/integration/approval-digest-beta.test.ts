// A respond-async retry is released only when it is the very request the owner approved. Anthropic's
// anthropic-beta header changes what a call may do and cost (a longer context, more output, server
// features), so a retry that adds one is a new request for the owner (found by an attack review).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, startDaemonWithProviders, type TestDaemon } from '../helpers/daemon.ts';
import { answerJson, type FakeUpstream } from '../helpers/upstream.ts';

let t: TestDaemon;
let up: Record<'anthropic', FakeUpstream>;

beforeAll(async () => {
  ({ t, up } = await startDaemonWithProviders(
    {
      anthropic: {
        key: 'sk-ant-MASTER-beta-digest-01',
        handler: answerJson({
          id: 'msg_1',
          type: 'message',
          content: [],
          usage: { input_tokens: 1, output_tokens: 1 },
        }),
      },
    },
    { approvalTimeoutMs: 60_000 },
  ));
});
afterAll(() => t.stop());

describe('respond-async and anthropic-beta', () => {
  it('a retry that adds a beta header is held again; the exact retry goes through once', async () => {
    const { token } = await t.admin.agents.create({
      name: 'beta-retry',
      scopes: { providers: { anthropic: { models: ['claude-sonnet-4-5'], approval: 'always' } } },
    });
    const body = JSON.stringify({
      model: 'claude-sonnet-4-5',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const send = (beta?: string) =>
      raw(t.url, {
        method: 'POST',
        path: '/v1/proxy/anthropic/v1/messages',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          prefer: 'respond-async',
          ...(beta ? { 'anthropic-beta': beta } : {}),
        },
        body,
      });
    const before = up.anthropic.received.length;
    const first = await send();
    expect(first.status).toBe(202);
    const { approval } = JSON.parse(first.body) as { approval: { id: string } };
    await t.admin.approvals.approve(approval.id);
    const widened = await send('context-1m-2025-08-07');
    expect(widened.status).toBe(202);
    expect(up.anthropic.received.length).toBe(before);
    const exact = await send();
    expect(exact.status).toBe(200);
    expect(up.anthropic.received.length).toBe(before + 1);
    expect(up.anthropic.received.at(-1)?.headers['anthropic-beta']).toBeUndefined();
  });
});
