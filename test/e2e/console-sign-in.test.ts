// Sign-in pages: a used login link gets a page in the app's look (light and dark) that says what to do; a
// tab that never signed in and a tab signed out by a daemon restart each get the instruction that fits.
// Real daemon (restarted on the same port and data directory), real Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { CONSOLE_DIR } from '../helpers/browser.ts';
import { SHOTS, noChromium, openConsole } from '../helpers/console.ts';

describe.skipIf(noChromium('console sign-in e2e'))('sign-in pages', () => {
  let t: TestDaemon;
  let browser: Browser;

  beforeAll(async () => {
    // The spec opens its own pages; the daemon is restarted in the middle, so it is stopped here by hand.
    ({ t, browser } = await openConsole({ signIn: false }));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('a daemon restart signs the tab out, and the tab says so with the steps for a new link', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    await page.goto(t.daemon.loginUrl ?? '');
    await page.waitForURL(`${t.url}/#/`);
    await page.getByTestId('vault-chip').waitFor();

    const port = Number(new URL(t.url).port);
    const dir = t.dir;
    await t.daemon.stop();
    t = await startTestDaemon({ consoleDir: CONSOLE_DIR, dir, port });
    expect(t.url).toBe(`http://127.0.0.1:${port}`);

    await page.reload();
    await page.getByTestId('login-needed').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Signed out: sign in again');
    const why = (await page.getByTestId('login-why').textContent()) ?? '';
    expect(why).toContain('the keychain was restarted');
    expect(why).toContain('Reloading will not help');
    const steps = (await page.getByTestId('login-needed').textContent()) ?? '';
    expect(steps).toContain('npm start');
    await page.screenshot({ path: join(SHOTS, 'signed-out-after-restart.png') });

    // The new run's link signs the same tab in again.
    await page.goto(t.daemon.loginUrl ?? '');
    await page.waitForURL(`${t.url}/#/`);
    await page.getByTestId('vault-chip').waitFor();
    await page.close();
  });
  it('a used link: 401 and a styled page with the steps, light and dark; nothing else on it', async () => {
    // This run's link was used by the previous test to sign in again.
    const link = t.daemon.loginUrl ?? '';

    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme });
      const res = await page.goto(link);
      expect(res?.status()).toBe(401);
      expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
      await page.getByRole('heading', { name: 'This login link no longer works' }).waitFor();
      const text = (await page.locator('body').textContent()) ?? '';
      expect(text).toContain('already used, has expired, or was printed before the keychain restarted');
      expect(text).toContain('npm start');
      expect(text).toContain('Ctrl+C');
      // Styled like the app: its background and card colours for each scheme, not the browser's defaults.
      const bg = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      expect(bg).toBe(colorScheme === 'light' ? 'rgb(247, 247, 248)' : 'rgb(23, 23, 26)');
      const font = await page.evaluate<string>('getComputedStyle(document.body).fontFamily');
      expect(font).toContain('system-ui');
      await page.screenshot({
        path: join(SHOTS, `login-link-used${colorScheme === 'dark' ? '-dark' : ''}.png`),
      });
      // "Open the console" leads to the console, which asks to sign in (this tab never had a session).
      await page.getByRole('link', { name: 'Open the console' }).click();
      await page.getByTestId('login-needed').waitFor();
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign-in needed');
      expect(await page.getByTestId('login-why').textContent()).toContain('This tab is not signed in');
      await page.close();
    }
  });
});
