// A prompt that ends without the owner's answer says why instead of vanishing: the request timed out at the
// server's deadline (and was denied), or its caller hung up. Real daemon, real Chromium, the real openai SDK
// as the agent; the fake upstream must receive nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import type { TestDaemon } from '../helpers/daemon.ts';
import type { FakeUpstream } from '../helpers/upstream.ts';
import { noChromium, openConsole, type ConsoleRig } from '../helpers/console.ts';

describe.skipIf(noChromium('console approval-ended e2e'))('a prompt that ends unanswered says why', () => {
  let rig: ConsoleRig;
  let t: TestDaemon;
  let up: FakeUpstream;
  let page: Page;
  let token = '';
  let agentId = '';

  beforeAll(async () => {
    // Short enough for the test to see a real server-side timeout; long enough to see the prompt first.
    rig = await openConsole({ daemon: { approvalTimeoutMs: 6_000 }, timeout: 15_000 });
    ({ t, page, up } = rig);
    await t.admin.providers.put('openai', {
      kind: 'openai',
      baseUrl: up.url,
      key: 'sk-MASTER-ended-0000001',
    });
    const created = await t.admin.agents.create({
      name: 'waiting-bot',
      scopes: { providers: { openai: { models: ['gpt-4o-mini'], approval: 'always' } } },
    });
    token = created.token;
    agentId = created.agent.id;
    await page.goto(`${t.url}/#/agents`);
  }, 180_000);

  afterAll(async () => {
    await rig?.close();
  });

  const ask = (signal?: AbortSignal): Promise<unknown> =>
    new OpenAI({ baseURL: `${t.url}/v1/proxy/openai`, apiKey: token, maxRetries: 0 }).chat.completions
      .create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] },
        signal ? { signal } : {},
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
  const prompt = () =>
    page.getByRole('alertdialog').filter({ hasText: 'POST /chat/completions with gpt-4o-mini' });

  it('timed out: the prompt goes, an alert says it was denied at its deadline; the SDK gets approval_timeout', async () => {
    const call = ask();
    await prompt().waitFor();
    const alert = page.getByRole('alert').filter({ hasText: 'timed out and was denied' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('from waiting-bot');
    await prompt().waitFor({ state: 'detached' });
    const err = await call;
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((err as InstanceType<typeof OpenAI.PermissionDeniedError>).error).toMatchObject({
      code: 'approval_timeout',
    });
    expect(up.received).toHaveLength(0);
    await alert.getByRole('button', { name: 'Dismiss' }).click();
    await alert.waitFor({ state: 'detached' });
  });

  it('the caller hung up: the prompt goes and a notice says it is no longer waiting, nothing sent', async () => {
    const controller = new AbortController();
    const call = ask(controller.signal);
    await prompt().waitFor();
    controller.abort();
    const notice = page.locator('.toast-info').filter({ hasText: 'is no longer waiting' });
    await notice.waitFor();
    expect(await notice.textContent()).toContain('Nothing was sent');
    await prompt().waitFor({ state: 'detached' });
    expect(await call).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(up.received).toHaveLength(0);
    // The audit says the same: one timeout, one withdrawn prompt, nothing allowed.
    const entries = (await t.admin.audit.list({ agentId, action: 'approval.*' })).entries;
    expect(entries.map((e) => e.decision)).not.toContain('allow');
    expect(entries.some((e) => e.reason === 'approval_timeout')).toBe(true);
  });

  it("the agent's recent activity has one row per request, with how each ended", async () => {
    await page.goto(`${t.url}/#/agents/${agentId}`);
    const rows = page.getByTestId('agent-activity-row');
    // agent.created, then the two held requests, each folded into one row.
    await rows.first().waitFor();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(3);
    const texts = await rows.allTextContents();
    expect(texts.filter((x) => x.includes('POST /chat/completions'))).toHaveLength(2);
    expect(texts.some((x) => x.includes('Timed out'))).toBe(true);
    expect(texts.some((x) => x.includes('Caller left'))).toBe(true);
  });
});
