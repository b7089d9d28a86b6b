// Issue 10 in the browser console: `akc login` asks for an owner session; the signed-in console tab shows
// the prompt with the calling process as the daemon resolved it; Allow lets `akc agents list` work, Deny
// makes the command exit non-zero with the reason. Real daemon, real `akc` child processes, real Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { TestDaemon } from '../helpers/daemon.ts';
import { runAkc } from '../helpers/child.ts';
import { noChromium, openConsole, type ConsoleRig } from '../helpers/console.ts';

describe.skipIf(noChromium('console owner-prompt e2e'))('owner prompts in the console', () => {
  let rig: ConsoleRig;
  let t: TestDaemon;
  let page: Page;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    rig = await openConsole({ timeout: 15_000 });
    ({ t, page } = rig);
    env = {
      ...process.env,
      AKC_DATA_DIR: t.dir,
      XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'akc-rt-')),
    };
    await page
      .getByRole('link', { name: /Agents/ })
      .first()
      .waitFor();
  }, 180_000);

  afterAll(async () => {
    await rig?.close();
  });

  it('shows a CLI session request with the calling process; Allow lets akc agents list work', async () => {
    await t.admin.agents.create({ name: 'prompt-bot', scopes: {} });
    let akcPid = 0;
    const login = runAkc(['login'], env, { onSpawn: (pid) => (akcPid = pid) });
    const prompt = page.locator('[data-testid^="owner-prompt-"]');
    await prompt.waitFor();
    const text = (await prompt.textContent()) ?? '';
    expect(text).toContain('A command line asks for owner access');
    // The process the daemon resolved from the socket: the akc child this test started.
    expect(text).toContain(`pid ${akcPid}`);
    expect(text).toContain('akc.ts login');
    // Deny has the focus: Enter alone never grants.
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Deny');
    await page.getByRole('button', { name: 'Allow for 15 min' }).click();
    const done = await login;
    expect(done.code, done.stderr).toBe(0);
    await prompt.waitFor({ state: 'detached' });

    const list = await runAkc(['agents', 'list', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    const names = (JSON.parse(list.stdout) as { name: string }[]).map((a) => a.name);
    expect(names).toContain('prompt-bot');
    const sessions = t.daemon.owner.listSessions();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.process.pid).toBe(akcPid);
    for (const s of sessions) t.daemon.owner.endSession(s.id, 'ended');
  });

  it('Deny makes the command exit non-zero with the reason, and no session is made', async () => {
    const login = runAkc(['login'], env);
    const prompt = page.locator('[data-testid^="owner-prompt-"]');
    // The command must still be waiting for the owner when the prompt shows.
    await Promise.race([
      prompt.waitFor(),
      login.then((r) => {
        throw new Error(`akc login ended before the prompt showed: ${JSON.stringify(r)}`);
      }),
    ]);
    await page.getByRole('button', { name: 'Deny' }).click();
    const done = await login;
    expect(done.code).toBe(4);
    expect(done.stderr.toLowerCase()).toContain('denied');
    expect(t.daemon.owner.listSessions()).toHaveLength(0);
  });
});
