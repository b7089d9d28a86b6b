// The newcomer's first run in real Chromium: vault setup preselects what works, the recovery code is shown
// once and checked, the getting-started checklist ticks itself, the credential screen gives paste-ready
// lines, and the recovery code unlocks the vault and offers a new key source.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import type { Page } from 'playwright-core';
import { TEST_PASSPHRASE, type TestDaemon } from '../helpers/daemon.ts';
import type { FakeUpstream } from '../helpers/upstream.ts';
import { hasKeyring } from '../helpers/env.ts';
import { noChromium, openConsole, type ConsoleRig } from '../helpers/console.ts';

const MASTER_KEY = 'sk-first-run-MASTER-key-77d0c4e2';

describe.skipIf(noChromium('first-run e2e'))('first run in the console', () => {
  let rig: ConsoleRig;
  let t: TestDaemon;
  let up: FakeUpstream;
  let page: Page;
  let code = '';
  let token = '';

  beforeAll(async () => {
    rig = await openConsole({ daemon: { init: false }, signIn: false, timeout: 15_000 });
    ({ t, page, up } = rig);
  }, 180_000);

  afterAll(async () => {
    await rig?.close();
  });

  const shot = (name: string): Promise<Buffer> => rig.shot(name);

  it('setup preselects what works here and shows the recovery code once, with a check', async () => {
    await page.goto(t.daemon.loginUrl ?? '');
    await page.getByTestId('vault-setup').waitFor();
    // The daemon asked the keychain at start: keychain when there is one, passphrase when not.
    expect(await page.getByTestId('setup-keychain').isChecked()).toBe(hasKeyring);
    expect(await page.getByTestId('setup-passphrase').isChecked()).toBe(!hasKeyring);
    await shot('vault-setup');
    // The passphrase fields say what is wrong in place, once, and Create focuses the field to fix.
    await page.getByTestId('setup-passphrase').check();
    await page.getByTestId('passphrase').fill('short');
    await page.getByTestId('vault-init').click();
    expect(await page.getByText('At least 12 characters · 5 so far.').count()).toBe(1);
    await expect
      .poll(() => page.evaluate("document.activeElement?.getAttribute('data-testid')"), { timeout: 10_000 })
      .toBe('passphrase');
    await page.getByTestId('passphrase').fill(`${TEST_PASSPHRASE}!`);
    await page.getByTestId('passphrase-confirm').fill(TEST_PASSPHRASE);
    await page.getByTestId('vault-init').click();
    expect(await page.getByText('The two passphrases differ.').count()).toBe(1);
    await expect
      .poll(() => page.evaluate("document.activeElement?.getAttribute('data-testid')"), { timeout: 10_000 })
      .toBe('passphrase-confirm');
    await page.getByTestId('show-passphrase').check();
    expect(await page.getByTestId('passphrase').getAttribute('type')).toBe('text');
    expect((await t.admin.vault.status()).vault).toBe('uninitialized');
    if (hasKeyring) await page.getByTestId('setup-keychain').check();
    if (!hasKeyring) {
      await page.getByTestId('passphrase').fill(TEST_PASSPHRASE);
      await page.getByTestId('passphrase-confirm').fill(TEST_PASSPHRASE);
    }
    await page.getByTestId('vault-init').click();
    await page.getByTestId('recovery-code').waitFor();
    code = (await page.getByTestId('recovery-code-value').textContent())?.trim() ?? '';
    expect(code).toMatch(/^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$/);
    await shot('recovery-code');
    await page.getByTestId('recovery-check').fill('XXXX');
    await page.getByTestId('recovery-saved').click();
    expect(await page.getByTestId('recovery-code').count()).toBe(1);
    await page.getByTestId('recovery-check').fill(code.slice(-4).toLowerCase());
    await page.getByTestId('recovery-saved').click();
    await page.getByTestId('getting-started').waitFor();
    expect(JSON.stringify(await t.admin.vault.status())).not.toContain(code);
  });

  it('the checklist ticks itself: provider, agent, first call; the key screen has paste-ready lines', async () => {
    expect(await page.getByTestId('step-1').getAttribute('data-done')).toBe('false');
    await shot('getting-started');
    // Added from outside the console (the CLI or API): the checklist still sees it.
    await t.admin.providers.put('openai', { kind: 'openai', baseUrl: up.url, key: MASTER_KEY });
    await expect.poll(() => page.getByTestId('step-1').getAttribute('data-done')).toBe('true');
    await page.goto(`${t.url}/#/agents/new`);
    await page.getByTestId('agent-name').fill('first-bot');
    await page.getByTestId('template-provider').selectOption('openai');
    await page.getByTestId('create-agent').click();
    token = (await page.getByTestId('credential-token').textContent())?.trim() ?? '';
    expect(await page.getByTestId('export-lines').textContent()).toContain(
      `export OPENAI_BASE_URL=${t.url}/v1/proxy/openai\nexport OPENAI_API_KEY=${token}`,
    );
    expect(await page.getByTestId('akc-run-line').textContent()).toBe(
      'akc run --agent first-bot -- python3 agent.py',
    );
    await shot('credential-snippets');
    await page.getByTestId('stored-it').click();
    await page.goto(`${t.url}/#/agents`);
    await expect.poll(() => page.getByTestId('step-2').getAttribute('data-done')).toBe('true');
    const client = new OpenAI({ baseURL: `${t.url}/v1/proxy/openai`, apiKey: token, maxRetries: 0 });
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 5,
    });
    // The agent's first call completes the checklist, which then steps aside.
    await expect.poll(() => page.getByTestId('getting-started').count()).toBe(0);
  });

  it('the recovery code unlocks a locked vault and offers a new key source', async () => {
    await page.getByTestId('lock-vault').click();
    await page.getByTestId('vault-locked').waitFor();
    await page.getByTestId('use-recovery').click();
    await page.getByTestId('recover-code').fill('0000-0000-0000-0000-0000-0000-0000-0000');
    await page.getByTestId('recover').click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Wrong recovery code');
    // Focus stays in the field with the wrong text selected.
    expect(await page.evaluate('document.activeElement?.dataset?.testid')).toBe('recover-code');
    await page.getByTestId('recover-code').fill(code);
    await page.getByTestId('recover').click();
    const offer = page.getByTestId('key-source-offer');
    await offer.waitFor();
    await shot('key-source-offer');
    // A new keychain entry where there is a keychain; "Later" where there is none.
    await page.getByTestId(hasKeyring ? 'key-source-save' : 'key-source-later').click();
    await expect.poll(() => offer.count()).toBe(0);
    expect((await t.admin.audit.list({ action: 'vault.recovered' })).entries).toHaveLength(1);
    expect((await t.admin.audit.list({ action: 'vault.recover_failed' })).entries).toHaveLength(1);
    expect((await t.admin.vault.status()).vault).toBe('unlocked');
  });
});
