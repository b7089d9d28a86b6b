// The console by keyboard: the `?` shortcut sheet (focus kept inside, Esc closes, focus returns), `/` to the
// activity search, and every command of the ⌘/Ctrl+K palette doing what its button does — checked in the
// daemon and its audit, with the agent's real key where a command breaks it. Real daemon, real Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { raw, type TestDaemon } from '../helpers/daemon.ts';
import { hasKeyring } from '../helpers/env.ts';
import { noChromium, openConsole, type ConsoleRig } from '../helpers/console.ts';

/** Polls wait as long as page actions do: the machine may be busy with other specs. */
const POLL = { timeout: 10_000 };

describe.skipIf(noChromium('console keyboard e2e'))('the console by keyboard', () => {
  let rig: ConsoleRig;
  let t: TestDaemon;
  let page: Page;
  let agentId = '';
  let token = '';

  beforeAll(async () => {
    rig = await openConsole();
    ({ t, page } = rig);
    const created = await t.admin.agents.create({
      name: 'keys-bot',
      scopes: { providers: { openai: { models: ['gpt-4o-mini'] } } },
    });
    agentId = created.agent.id;
    token = created.token;
    await page.goto(`${t.url}/#/agents/${agentId}`);
    await page.getByTestId('detail-revoke').waitFor();
  }, 180_000);

  afterAll(async () => {
    await rig?.close();
  });

  const whoami = (key: string): Promise<number> =>
    raw(t.url, { path: '/v1/whoami', headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
  const activeInside = (testId: string): Promise<boolean> =>
    page.evaluate<boolean>(
      `document.querySelector('[data-testid="${testId}"]')?.contains(document.activeElement) ?? false`,
    );
  const focusedTestId = (): Promise<string | null> =>
    page.evaluate<string | null>("document.activeElement?.getAttribute('data-testid') ?? null");
  /** Opens the palette with the keyboard, types, and runs the highlighted command with Enter. */
  async function palette(text: string, expectLabel: string): Promise<void> {
    await page.keyboard.press('Control+k');
    const input = page.getByTestId('command-palette').getByRole('combobox');
    await input.waitFor();
    await input.fill(text);
    // The list filters on the next render: wait for the highlighted option to be the expected one (or fail
    // on the timeout), rather than reading whichever option was highlighted before the filter ran.
    const current = page.locator('[role="option"][aria-selected="true"]', { hasText: expectLabel });
    await current.waitFor();
    expect(await current.textContent()).toContain(expectLabel);
    await page.keyboard.press('Enter');
    await page.getByTestId('command-palette').waitFor({ state: 'detached' });
  }

  it('? opens the shortcut sheet: every shortcut listed, Tab stays inside, Esc closes and gives focus back', async () => {
    const rotate = page.getByTestId('rotate');
    await rotate.focus();
    await page.keyboard.press('Shift+?');
    const sheet = page.getByTestId('shortcut-sheet');
    await sheet.waitFor();
    expect(await sheet.getAttribute('aria-labelledby')).toBe('shortcuts-title');
    const text = (await sheet.textContent()) ?? '';
    for (const s of ['Ctrl', 'K', 'command palette', '?', '/', 'Search the activity log', 'Esc', 'Approve'])
      expect(text).toContain(s);
    expect(await activeInside('shortcut-sheet')).toBe(true);
    for (let i = 0; i < 4; i += 1) {
      await page.keyboard.press('Tab');
      expect(await activeInside('shortcut-sheet')).toBe(true);
      await page.keyboard.press('Shift+Tab');
      expect(await activeInside('shortcut-sheet')).toBe(true);
    }
    await rig.shot('shortcuts');
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    expect(await focusedTestId()).toBe('rotate');
    // The sidebar button opens the same sheet.
    await page.getByTestId('open-shortcuts').click();
    await sheet.waitFor();
    await page.getByTestId('shortcuts-close').click();
    await sheet.waitFor({ state: 'detached' });
  });

  it('/ goes to Activity with the cursor in its search; typed text there stays text', async () => {
    await page.locator('body').press('/');
    await expect.poll(() => page.url(), POLL).toBe(`${t.url}/#/activity`);
    const search = page.getByTestId('activity-search');
    await expect.poll(focusedTestId, POLL).toBe('activity-search');
    await page.keyboard.type('agent:keys-bot ?/');
    expect(await search.inputValue()).toBe('agent:keys-bot ?/');
    expect(await page.getByTestId('shortcut-sheet').count()).toBe(0);
    await search.fill('');
    // Going to Activity later by the sidebar does not grab the focus again.
    await page.goto(`${t.url}/#/agents`);
    await page
      .getByRole('link', { name: /Activity/ })
      .first()
      .click();
    await search.waitFor();
    expect(await focusedTestId()).not.toBe('activity-search');
  });

  it('palette: suspend and resume an agent, audited, its key refused then working again', async () => {
    expect(await whoami(token)).toBe(200);
    await palette('suspend keys', 'Suspend keys-bot');
    await expect.poll(async () => (await t.admin.agents.get(agentId)).status, POLL).toBe('suspended');
    expect(await whoami(token)).toBe(403);
    await palette('resume keys', 'Resume keys-bot');
    await expect.poll(async () => (await t.admin.agents.get(agentId)).status, POLL).toBe('active');
    expect(await whoami(token)).toBe(200);
    const actions = (await t.admin.audit.list({ agentId })).entries.map((e) => e.action);
    expect(actions).toContain('agent.suspended');
    expect(actions).toContain('agent.resumed');
  });

  it('palette: rotate asks the same confirmation as the button; Cancel keeps the key, Rotate shows the new one once', async () => {
    await palette('rotate keys', 'Rotate the key of keys-bot');
    const confirm = page.getByTestId('rotate-dialog');
    await confirm.waitFor();
    expect(await confirm.getAttribute('role')).toBe('alertdialog');
    expect(await confirm.textContent()).toContain('the running agent fails until you give it the new key');
    // Cancel has the focus: Enter alone does not break the agent.
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Cancel');
    await page.keyboard.press('Enter');
    await confirm.waitFor({ state: 'detached' });
    expect(await whoami(token)).toBe(200);

    await palette('rotate keys', 'Rotate the key of keys-bot');
    await page.getByTestId('rotate-confirm').click();
    const shown = page.getByTestId('rotated-dialog');
    await shown.waitFor();
    const fresh = (await shown.getByTestId('credential-token').textContent())?.trim() ?? '';
    expect(fresh).toMatch(/^akc_[0-9A-Za-z]{49}$/);
    expect(await whoami(token)).toBe(401);
    expect(await whoami(fresh)).toBe(200);
    await shown.getByTestId('stored-it').click();
    await shown.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(fresh);
    token = fresh;
    // The agent's own button opens the same dialog.
    await page.goto(`${t.url}/#/agents/${agentId}`);
    await page.getByTestId('rotate').click();
    await page.getByTestId('rotate-dialog').waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('rotate-dialog').waitFor({ state: 'detached' });
  });

  it('palette: verify the chain, export the activity, add a provider, go to a screen', async () => {
    await palette('verify', 'Verify the audit chain');
    await page.locator('.toast').filter({ hasText: 'Audit chain checked just now' }).waitFor();

    const download = page.waitForEvent('download');
    await palette('export csv', 'Export activity as CSV');
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.csv$/);
    const csv = readFileSync((await file.path()) ?? '', 'utf8');
    expect(csv).toContain('agent.rotated');

    await palette('add provider', 'Add provider');
    await page.getByTestId('provider-kind').waitFor();
    expect(page.url()).toBe(`${t.url}/#/providers`);

    await palette('settings', 'Go to Settings');
    await expect.poll(() => page.url(), POLL).toBe(`${t.url}/#/settings`);
    await palette('new key', 'Add agent');
    await expect.poll(() => page.url(), POLL).toBe(`${t.url}/#/agents/new`);
  });

  it('palette: revoke opens the revoke confirmation; lock vault locks it', async () => {
    await palette('revoke keys', 'Revoke keys-bot');
    const dialog = page.getByTestId('revoke-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Revoke keys-bot');
    await page.getByTestId('revoke-reason').fill('palette e2e');
    await page.getByTestId('revoke-confirm').click();
    await expect.poll(async () => (await t.admin.agents.get(agentId)).status, POLL).toBe('revoked');
    expect(await whoami(token)).toBe(401);
    // A revoked agent offers only Open.
    await page.keyboard.press('Control+k');
    await page.getByTestId('command-palette').getByRole('combobox').fill('keys-bot');
    const labels = await page.locator('[role="option"]').allTextContents();
    expect(labels.map((l) => l.replace(/revoked$/, ''))).toEqual(['Open keys-bot']);
    await page.keyboard.press('Escape');

    await palette('lock', 'Lock vault');
    await page.getByTestId('vault-locked').waitFor();
    expect((await t.admin.vault.status()).vault).toBe('locked');
    if (hasKeyring) {
      await page.getByTestId('unlock').click();
      await page.getByTestId('lock-vault').waitFor();
    }
  });
});
