// Issue 6: the headless browser console in Debian Chromium, with the real daemon and the real openai
// client as the agent: create an agent in the UI, watch its call arrive live, answer approvals, revoke it
// with the big red button — and check that nothing secret ever reaches the renderer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import type { TestDaemon } from '../helpers/daemon.ts';
import type { FakeUpstream } from '../helpers/upstream.ts';
import { TRANSPORT_RECORDER } from '../helpers/browser.ts';
import { hasKeyring } from '../helpers/env.ts';
import { noChromium, openConsole, type ConsoleRig } from '../helpers/console.ts';
import { buildTrayModel } from '../../electron/main/tray-model.ts';

const MASTER_KEY = 'sk-e2e-MASTER-openai-key-4f1c2b9a';
const SECRET_VALUE = 'crm-e2e-SECRET-value-77aa31';

describe.skipIf(noChromium('console e2e'))('browser console (headless mode)', () => {
  let rig: ConsoleRig;
  let t: TestDaemon;
  let up: FakeUpstream;
  let browser: Browser;
  let page: Page;
  const tokens: string[] = [];
  let researchId = '';

  beforeAll(async () => {
    rig = await openConsole({
      signIn: false,
      initScript: TRANSPORT_RECORDER,
      upstream: { content: 'hi from upstream' },
    });
    ({ t, browser, page, up } = rig);
  }, 180_000);

  afterAll(async () => {
    await rig?.close();
  });

  const shot = (name: string): Promise<Buffer> => rig.shot(name);
  const openai = (token: string): OpenAI =>
    new OpenAI({ baseURL: `${t.url}/v1/proxy/openai`, apiKey: token, maxRetries: 0 });
  const ask = (c: OpenAI): Promise<OpenAI.Chat.Completions.ChatCompletion> =>
    c.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello' }],
      max_completion_tokens: 20,
    });

  async function createAgent(name: string, scopeJson?: string): Promise<{ id: string; token: string }> {
    await page.goto(`${t.url}/#/agents/new`);
    await page.getByTestId('agent-name').fill(name);
    await page.getByTestId('template-llm').click();
    await page.getByTestId('template-provider').selectOption('openai');
    await page.getByTestId('template-models').fill('gpt-4o-mini');
    if (scopeJson !== undefined) {
      await page.getByTestId('open-scope-json').click();
      await page.getByTestId('scope-json').fill(scopeJson);
    }
    await page.getByTestId('create-agent').click();
    const token = (await page.getByTestId('credential-token').textContent())?.trim() ?? '';
    expect(token).toMatch(/^akc_[0-9A-Za-z]{49}$/);
    await expect.poll(() => page.getByTestId('env-lines').textContent()).toContain(`OPENAI_API_KEY=${token}`);
    tokens.push(token);
    const agent = (await t.admin.agents.list()).find((a) => a.name === name);
    if (!agent) throw new Error(`agent ${name} was not created`);
    return { id: agent.id, token };
  }

  it('logs in with the one-time link; the link does not work twice', async () => {
    const link = t.daemon.loginUrl ?? '';
    await page.goto(link);
    // The session proof left the address bar as soon as the page took it.
    await expect.poll(() => page.url()).toBe(`${t.url}/#/`);
    await page
      .getByRole('link', { name: /Providers/ })
      .first()
      .waitFor();
    const other = await browser.newPage();
    const second = await other.goto(link);
    expect(second?.status()).toBe(401);
    await other.close();
  });

  it('stores a provider key and a secret write-only: only hints come back', async () => {
    await page.goto(`${t.url}/#/providers`);
    await page.getByTestId('add-provider').click();
    await page.getByTestId('provider-kind').selectOption('openai');
    await page.getByTestId('provider-id').fill('openai');
    await page.getByTestId('provider-base-url').fill(up.url);
    await page.getByTestId('provider-key').fill(MASTER_KEY);
    await page.getByTestId('provider-save').click();
    await expect.poll(() => page.getByTestId('provider-openai').textContent()).toContain('2b9a');
    await page.getByTestId('add-secret').click();
    await page.getByTestId('secret-name').fill('crm_api_key');
    await page.getByTestId('secret-value').fill(SECRET_VALUE);
    await page.getByTestId('secret-save').click();
    await page.getByTestId('secret-crm_api_key').waitFor();
    expect(await page.content()).not.toContain(MASTER_KEY.slice(0, 20));
    await shot('providers');
  });

  it('creates an agent in the UI; its real openai call appears in the Activity feed live', async () => {
    await page.goto(`${t.url}/#/agents/new`);
    await shot('new-agent');
    const { id, token } = await createAgent('research-bot');
    researchId = id;
    await shot('credential-once');
    await page.getByTestId('stored-it').click();
    await page.goto(`${t.url}/#/activity`);
    await page.getByTestId('activity-feed').waitFor();
    const before = await page.getByTestId('activity-row').count();
    const out = await ask(openai(token));
    expect(out.choices[0]?.message.content).toBe('hi from upstream');
    expect(up.received.at(-1)?.headers.authorization).toBe(`Bearer ${MASTER_KEY}`);
    const row = page
      .getByTestId('activity-row')
      .filter({ hasText: 'POST /chat/completions' })
      .filter({ hasText: 'research-bot' })
      .first();
    await row.waitFor();
    expect(await page.getByTestId('activity-row').count()).toBeGreaterThan(before);
    await shot('activity');
  });

  it('a held call shows a prompt: Approve lets the SDK call finish, Deny makes it fail', async () => {
    const { token } = await createAgent(
      'careful-bot',
      JSON.stringify({ providers: { openai: { models: ['gpt-4o-mini'], approval: 'always' } } }),
    );
    await page.getByTestId('stored-it').click();
    await page.goto(`${t.url}/#/agents`);
    const client = openai(token);
    const approved = ask(client);
    const prompt = page
      .getByRole('alertdialog')
      .filter({ hasText: 'POST /chat/completions with gpt-4o-mini' });
    await prompt.waitFor();
    expect(await prompt.textContent()).toContain('careful-bot');
    await expect.poll(() => page.title()).toMatch(/^\(1\)/);
    await shot('approval-prompt');
    await prompt.getByTestId('approve-once').click();
    expect((await approved).choices[0]?.message.content).toBe('hi from upstream');

    const denied = ask(client).catch((e: unknown) => e);
    const prompt2 = page
      .getByRole('alertdialog')
      .filter({ hasText: 'POST /chat/completions with gpt-4o-mini' });
    await prompt2.waitFor();
    await prompt2.getByTestId('deny').click();
    const err = await denied;
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((err as InstanceType<typeof OpenAI.PermissionDeniedError>).error).toMatchObject({
      code: 'approval_denied',
    });
  });

  it('the tray menu model lists the agent and its revoke item', async () => {
    const [status, agents, approvals] = await Promise.all([
      t.admin.vault.status(),
      t.admin.agents.list(),
      t.admin.approvals.list(),
    ]);
    const model = buildTrayModel({ status, agents, approvals, now: Date.now() });
    const flat = JSON.stringify(model);
    expect(flat).toContain('research-bot');
    expect(flat).toContain('Revoke research-bot…');
    expect(flat).toContain('Revoke all agents…');
  });

  it('the big red button revokes the agent; its next SDK call fails with revoked', async () => {
    await page.goto(`${t.url}/#/agents/${researchId}`);
    await shot('agents');
    const button = page.getByTestId(`revoke-${researchId}`);
    expect((await button.getAttribute('aria-label')) ?? (await button.textContent())).toMatch(/Revoke/);
    await button.click();
    const dialog = page.getByTestId('revoke-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Revoke research-bot');
    await page.getByTestId('revoke-reason').fill('e2e: key pasted in a ticket');
    await dialog.locator('label', { has: page.getByTestId('revoke-severity-high') }).click();
    expect(await page.getByTestId('revoke-severity-high').isChecked()).toBe(true);
    await shot('revoke-dialog');
    await page.getByTestId('revoke-confirm').click();
    await expect.poll(() => page.getByTestId(`agent-row-${researchId}`).textContent()).toContain('Revoked');
    const err = await ask(openai(tokens[0] ?? '')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).error).toMatchObject({ code: 'revoked' });
    const entry = (await t.admin.audit.list({ agentId: researchId, action: 'agent.revoked' })).entries[0];
    expect(entry?.facts).toMatchObject({ reason: 'e2e: key pasted in a ticket', severity: 'high' });
  });

  it('settings and the locked vault screen', async () => {
    await page.goto(`${t.url}/#/settings`);
    await page.getByTestId('revoke-all').waitFor();
    await shot('settings');
    await page.getByTestId('lock-vault').click();
    await page.getByTestId('vault-locked').waitFor();
    await shot('locked');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('locked-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    if (hasKeyring) {
      // An OS-keychain vault unlocks again from the keychain with one click.
      await page.getByTestId('unlock').click();
      await page.getByTestId('lock-vault').waitFor();
      expect((await t.admin.vault.status()).vault).toBe('unlocked');
    }
  });

  it('nothing secret reached the renderer: no master key, secret value or agent token outside the show-once response', async () => {
    const messages =
      await page.evaluate<{ kind: string; url: string; text: string }[]>('window.__akcTransport');
    expect(messages.length).toBeGreaterThan(20);
    expect(messages.some((m) => m.kind === 'sse')).toBe(true);
    for (const m of messages) {
      expect(m.text, `${m.kind} ${m.url}`).not.toContain(MASTER_KEY);
      expect(m.text, `${m.kind} ${m.url}`).not.toContain(SECRET_VALUE);
      expect(m.text, `${m.kind} ${m.url}`).not.toContain(t.daemon.adminToken);
    }
    for (const token of tokens) {
      const carrying = messages.filter((m) => m.text.includes(token));
      expect(carrying, `token shown ${carrying.length} times`).toHaveLength(1);
      expect(carrying[0]?.url).toContain('/admin/v1/agents');
    }
    const storage = String(
      await page.evaluate(
        'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie',
      ),
    );
    for (const s of [MASTER_KEY, SECRET_VALUE, ...tokens]) expect(storage).not.toContain(s);
  });
});
