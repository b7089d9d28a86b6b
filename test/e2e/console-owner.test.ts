// The owner's control surface in real Chromium against the real daemon: editing an agent (form and JSON) with
// the diff shown and named in the audit, provider URL refusal and "Test connection", and the banner when the
// daemon stops answering. Screenshots at 1280×800, 800×600 and dark (AKC_UPDATE_SCREENSHOTS=1 refreshes docs/).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import type { TestDaemon } from '../helpers/daemon.ts';
import type { FakeUpstream } from '../helpers/upstream.ts';
import { consoleChatHandler, noChromium, openConsole, type ConsoleRig } from '../helpers/console.ts';

const MASTER_KEY = 'sk-owner-e2e-MASTER-key-0a9d77e1';

describe.skipIf(noChromium('owner console e2e'))('owner console: edit, providers, live state', () => {
  let rig: ConsoleRig;
  let t: TestDaemon;
  let up: FakeUpstream;
  let page: Page;
  let agentId = '';
  let token = '';

  beforeAll(async () => {
    rig = await openConsole({ upstream: { masterKey: MASTER_KEY } });
    ({ t, page, up } = rig);
  }, 180_000);

  afterAll(async () => {
    await rig?.close();
  });

  const shot = (name: string): Promise<Buffer> => rig.shot(name);

  it('refuses a remote http:// base URL, a query and a fragment, in the console and in the API', async () => {
    await page.goto(`${t.url}/#/providers`);
    await page.getByTestId('add-provider').click();
    await page.getByTestId('provider-kind').selectOption('openai');
    // The kind's default and whether /v1 belongs are said before anything is typed.
    expect(await page.getByTestId('provider-form').textContent()).toContain(
      'Empty means https://api.openai.com/v1',
    );
    await page.getByTestId('provider-id').fill('openai');
    await page.getByTestId('provider-key').fill(MASTER_KEY);
    await page.getByTestId('provider-base-url').fill('http://api.example.com/v1');
    await page.getByTestId('provider-save').click();
    await expect.poll(() => page.getByTestId('provider-url-error').textContent()).toContain('must use https');
    await shot('provider-url-refused');
    expect(await t.admin.providers.list()).toEqual([]);
    for (const [baseUrl, words] of [
      ['http://api.example.com/v1', 'must use https'],
      ['https://api.example.com/v1?key=1', 'query'],
      ['https://api.example.com/v1#x', 'fragment'],
      ['https://user:pw@api.example.com', 'user name'],
    ] as const) {
      const err = await t.admin.providers
        .put('bad', { kind: 'openai', baseUrl, key: MASTER_KEY })
        .catch((e: unknown) => e);
      expect((err as Error).message).toContain(words);
    }
    expect(await t.admin.providers.list()).toEqual([]);
  });

  it('saves a loopback provider; Test connection reaches it with the master key and shows the answer', async () => {
    await page.getByTestId('provider-base-url').fill(up.url);
    await page.getByTestId('provider-save').click();
    await page.getByTestId('provider-openai').waitFor();
    await page.getByTestId('provider-test-openai').click();
    const result = page.getByTestId('provider-test-result-openai');
    await expect.poll(() => result.textContent()).toContain('Connected');
    expect(await result.textContent()).toContain(`GET ${up.url}/models → 200`);
    const call = up.received.findLast((r) => r.url === '/models');
    expect(call?.headers.authorization).toBe(`Bearer ${MASTER_KEY}`);
    await shot('provider-test-connection');
    const entry = (await t.admin.audit.list({ action: 'provider.tested' })).entries[0];
    expect(entry?.rule).toContain('connected (HTTP 200)');
    expect(JSON.stringify(entry)).not.toContain(MASTER_KEY);
  });

  it('changing the base URL keeps the stored key (no re-entry), and the test then fails with the reason', async () => {
    await page.getByTestId('provider-change-openai').click();
    await page.getByTestId('provider-base-url').fill(`${up.url}/wrong`);
    await page.getByTestId('provider-save').click();
    await expect.poll(() => page.getByTestId('provider-openai').textContent()).toContain('/wrong');
    expect((await t.admin.providers.list())[0]?.keyHint).toContain(MASTER_KEY.slice(-4));
    up.handle((_req, _body, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{}');
    });
    await page.getByTestId('provider-test-openai').click();
    await expect
      .poll(() => page.getByTestId('provider-test-result-openai').textContent())
      .toContain('does /v1 belong in it?');
    const changed = (await t.admin.audit.list({ action: 'provider.changed' })).entries[0];
    expect(changed?.rule).toContain('key');
    expect(changed?.rule).toContain('kept');
    // Back to the working address, still without the key.
    await page.getByTestId('provider-change-openai').click();
    await page.getByTestId('provider-base-url').fill(up.url);
    await page.getByTestId('provider-save').click();
    await expect.poll(() => page.getByTestId('provider-openai').textContent()).not.toContain('/wrong');
  });

  it('creates an agent with the provider picker; "Used by" follows at once', async () => {
    await page.goto(`${t.url}/#/agents/new`);
    await page.getByTestId('agent-name').fill('edit-bot');
    // The picker offers the configured provider with its kind.
    expect(await page.getByTestId('template-provider').textContent()).toContain('openai · OpenAI');
    await page.getByTestId('template-provider').selectOption('openai');
    await page.getByTestId('template-models').fill('gpt-4o-mini');
    await page.getByTestId('template-budget').fill('2');
    await page.getByTestId('create-agent').click();
    token = (await page.getByTestId('credential-token').textContent())?.trim() ?? '';
    expect(token).toMatch(/^akc_/);
    await page.getByTestId('stored-it').click();
    agentId = (await t.admin.agents.list()).find((a) => a.name === 'edit-bot')?.id ?? '';
    await page.goto(`${t.url}/#/providers`);
    await expect.poll(() => page.getByTestId('provider-used-by-openai').textContent()).toBe('edit-bot');
  });

  it('edits the agent in the form: the diff names the change, widening asks first, the audit names it', async () => {
    await page.goto(`${t.url}/#/agents/${agentId}`);
    await page.getByTestId('edit-agent').click();
    await page.getByTestId('template-models').fill('gpt-4o-mini, gpt-4.1');
    await page.getByTestId('template-budget').fill('5');
    const diff = page.getByTestId('agent-diff');
    await expect.poll(() => diff.textContent()).toContain('openai models: + gpt-4.1');
    expect(await diff.textContent()).toContain('openai budget $2.00 a day → $5.00 a day');
    await shot('agent-edit');
    await page.getByTestId('save-agent').click();
    const confirm = page.getByTestId('widen-dialog');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('Give edit-bot more access?');
    await page.getByTestId('widen-confirm').click();
    await expect
      .poll(async () => (await t.admin.agents.get(agentId)).scopes.providers?.['openai']?.models)
      .toEqual(['gpt-4o-mini', 'gpt-4.1']);
    const entry = (await t.admin.audit.list({ agentId, action: 'agent.changed' })).entries[0];
    expect(entry?.rule).toBe('Changed: openai models: + gpt-4.1, openai budget $2.00 a day → $5.00 a day');
    expect(entry?.facts).toMatchObject({ widens: true });
    // The agent's SDK call with the newly allowed model goes through.
    const client = new OpenAI({ baseURL: `${t.url}/v1/proxy/openai`, apiKey: token, maxRetries: 0 });
    up.handle(consoleChatHandler({ masterKey: MASTER_KEY }));
    const out = await client.chat.completions.create({
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 20,
    });
    expect(out.model).toBe('gpt-4.1');
  });

  it('edits in JSON: typos get "did you mean", the error clears when fixed, narrowing saves without asking', async () => {
    await page.goto(`${t.url}/#/agents/${agentId}/edit`);
    await page.getByTestId('open-scope-json').click();
    const scopes = {
      providers: { openai: { models: ['gpt-4o-mini'], budget: { usd: 5, per: 'day' }, aproval: 'always' } },
    };
    await page.getByTestId('scope-json').fill(JSON.stringify(scopes, null, 2));
    const issues = page.getByTestId('scope-json-issues');
    await expect.poll(() => issues.textContent()).toContain('Did you mean "approval"?');
    await shot('agent-edit-json-error');
    await page.getByTestId('save-agent').click();
    await expect.poll(() => page.getByTestId('form-error').textContent()).toContain('Fix the scope JSON');
    const fixed = {
      providers: { openai: { models: ['gpt-4o-mini'], budget: { usd: 5, per: 'day' }, approval: 'always' } },
    };
    await page.getByTestId('scope-json').fill(JSON.stringify(fixed, null, 2));
    // The banner belongs to the broken text: it goes when the text is fixed.
    await expect.poll(() => page.getByTestId('form-error').count()).toBe(0);
    expect(await page.getByTestId('scope-json-issues').count()).toBe(0);
    // JSON → form: the form shows what the JSON says.
    await page.getByTestId('close-scope-json').click();
    expect(await page.getByTestId('template-models').inputValue()).toBe('gpt-4o-mini');
    expect(await page.getByTestId('template-approval').inputValue()).toBe('always');
    await expect
      .poll(() => page.getByTestId('agent-diff').textContent())
      .toContain('openai models: − gpt-4.1');
    await page.getByTestId('save-agent').click();
    // Narrowing only: saved at once, no confirmation.
    await expect.poll(() => page.url()).toBe(`${t.url}/#/agents/${agentId}`);
    expect(await page.getByTestId('widen-dialog').count()).toBe(0);
    const entry = (await t.admin.audit.list({ agentId, action: 'agent.changed' })).entries[0];
    expect(entry?.rule).toBe('Changed: openai models: − gpt-4.1, openai approval never → always');
    expect(entry?.facts).toMatchObject({ widens: false });
  });

  it('layouts hold at 800×600 and in dark mode', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    await page.goto(`${t.url}/#/agents/${agentId}`);
    const revoke = page.getByTestId(`revoke-${agentId}`);
    await revoke.waitFor();
    const box = await revoke.boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(800);
    await shot('agents-800x600');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${t.url}/#/agents/${agentId}/edit`);
    await page.getByTestId('agent-diff').waitFor();
    await shot('agent-edit-dark-800x600');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('Settings counts every audit entry, live', async () => {
    await page.goto(`${t.url}/#/settings`);
    const count = async (): Promise<number> => {
      const text = (await page.getByTestId('audit-count').textContent()) ?? '';
      return Number(text.replace(/[^0-9]/g, ''));
    };
    await expect.poll(count).toBe((await t.admin.vault.status()).counts.auditEntries);
    await t.admin.providers.put('extra', { kind: 'openai', baseUrl: up.url, key: 'sk-extra-key-000000001' });
    await expect.poll(count).toBe((await t.admin.vault.status()).counts.auditEntries);
  });

  it('Activity shows one row per request that resolves to its real outcome: caller left, denied by you', async () => {
    // edit-bot now needs approval for every call (set in the JSON test above).
    await page.goto(`${t.url}/#/activity`);
    await page.getByTestId('activity-feed').waitFor();
    const client = new OpenAI({ baseURL: `${t.url}/v1/proxy/openai`, apiKey: token, maxRetries: 0 });
    const ask = (signal?: AbortSignal): Promise<unknown> =>
      client.chat.completions
        .create(
          { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], max_completion_tokens: 20 },
          signal ? { signal } : {},
        )
        .catch((e: unknown) => e);
    const requestOf = async (n: number): Promise<string> => {
      await expect
        .poll(
          async () =>
            (await t.admin.audit.list({ agentId, action: 'llm.request', decision: 'pending' })).entries
              .length,
        )
        .toBe(n);
      return (
        (await t.admin.audit.list({ agentId, action: 'llm.request', decision: 'pending' })).entries[0]
          ?.requestId ?? ''
      );
    };
    const rowOf = (requestId: string) =>
      page.locator(`[data-testid="activity-row"][data-request="${requestId}"]`);

    // 1. The caller gives up while the request waits: the row ends as "Caller left", not "Waiting" forever.
    const abort = new AbortController();
    const first = ask(abort.signal);
    const r1 = await requestOf(1);
    await expect.poll(() => rowOf(r1).getAttribute('data-outcome')).toBe('Waiting for you');
    await shot('activity-waiting');
    abort.abort();
    await first;
    await expect.poll(() => rowOf(r1).getAttribute('data-outcome')).toBe('Caller left');
    expect(await rowOf(r1).count()).toBe(1);

    // 2. The owner denies: one row, "Denied by you", and the approval folded into it.
    const second = ask();
    const r2 = await requestOf(2);
    const prompt = page
      .getByRole('alertdialog')
      .filter({ hasText: 'POST /chat/completions with gpt-4o-mini' });
    await prompt.waitFor();
    await prompt.getByTestId('deny').click();
    expect(await second).toBeInstanceOf(OpenAI.PermissionDeniedError);
    await expect.poll(() => rowOf(r2).getAttribute('data-outcome')).toBe('Denied by you');
    expect(await rowOf(r2).count()).toBe(1);
    const entries = (await t.admin.audit.list({ agentId })).entries.filter((e) => e.requestId === r2);
    expect(entries.length).toBeGreaterThanOrEqual(3); // held, decided by the owner, refused
    await rowOf(r2).click();
    await expect.poll(() => page.getByTestId('request-timeline').locator('li').count()).toBe(entries.length);
    await shot('activity-grouped');
    // The Filter button does something with an empty query: it reloads and says what is shown.
    await page.getByTestId('activity-search').fill('');
    await page.getByTestId('filter-submit').click();
    await page.getByTestId('filter-feedback').waitFor();
  });

  it('when the daemon stops, a banner says so and the vault chip greys out', async () => {
    await page.goto(`${t.url}/#/agents/${agentId}`);
    expect(await page.getByTestId('vault-chip').getAttribute('data-state')).toBe('unlocked');
    await t.daemon.stop();
    const banner = page.getByTestId('offline-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('The keychain daemon is not answering');
    expect(await page.getByTestId('vault-chip').getAttribute('data-state')).toBe('unknown');
    expect(await page.getByTestId('lock-vault').isDisabled()).toBe(true);
    await shot('daemon-down');
  });
});
