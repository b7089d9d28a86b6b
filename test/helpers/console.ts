// What every console e2e spec sets up: the built console, a real daemon serving it, Debian's Chromium with
// one page (signed in through the daemon's one-time link unless told otherwise), screenshots, and a fake
// OpenAI upstream that answers chat completions (and the models list, for Test connection). One place, so each spec states only what it tests.
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { IncomingMessage } from 'node:http';
import { startTestDaemon, type TestDaemon } from './daemon.ts';
import { chatHandler, startUpstream, type FakeUpstream, type Handler } from './upstream.ts';
import { CONSOLE_DIR, ensureConsoleBuilt, launchChromium } from './browser.ts';
import { hasChromium, CHROMIUM, ROOT } from './env.ts';
import type { StartOptions } from '../../core/daemon.ts';

/** Saved on every run under test-results/; AKC_UPDATE_SCREENSHOTS=1 refreshes the README's copies in docs/. */
export const SHOTS =
  process.env.AKC_UPDATE_SCREENSHOTS === '1'
    ? join(ROOT, 'docs', 'screenshots')
    : join(ROOT, 'test-results', 'screenshots');

/** True when the spec cannot run here; prints why, once, so the skip is never silent. */
export function noChromium(spec: string): boolean {
  if (!hasChromium) console.log(`[skip] ${spec}: no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return !hasChromium;
}

/**
 * A fake OpenAI: chat completions answer `content` for the model asked; with `masterKey`, GET /models
 * answers only that key (like the real API), for "Test connection".
 */
export function consoleChatHandler(opts: { content?: string; masterKey?: string } = {}): Handler {
  const chat = chatHandler(opts.content !== undefined ? { content: opts.content } : {});
  return (req: IncomingMessage, body, res) => {
    if (opts.masterKey !== undefined && req.url === '/models') {
      const ok = req.headers.authorization === `Bearer ${opts.masterKey}`;
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(ok ? '{"object":"list","data":[]}' : '{"error":{"message":"bad key"}}');
      return;
    }
    return chat(req, body, res);
  };
}

export interface ConsoleRig {
  t: TestDaemon;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** The fake OpenAI (consoleChatHandler), closed with the rig. */
  up: FakeUpstream;
  /** Saves a screenshot of the page under SHOTS. */
  shot: (name: string) => Promise<Buffer>;
  close: () => Promise<void>;
}

export interface ConsoleOptions {
  daemon?: Partial<StartOptions> & { init?: boolean };
  /** Open the one-time login link first (default true). */
  signIn?: boolean;
  /** Default timeout of page actions (default 10 s). */
  timeout?: number;
  /** A script run in the page before the app's own (e.g. a transport recorder). */
  initScript?: string;
  /** How the fake OpenAI answers (see consoleChatHandler). */
  upstream?: { content?: string; masterKey?: string };
}

export async function openConsole(opts: ConsoleOptions = {}): Promise<ConsoleRig> {
  ensureConsoleBuilt();
  const up = await startUpstream(consoleChatHandler(opts.upstream));
  const t = await startTestDaemon({ consoleDir: CONSOLE_DIR, ...opts.daemon });
  const browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    reducedMotion: 'reduce',
    acceptDownloads: true,
  });
  if (opts.initScript !== undefined) await context.addInitScript(opts.initScript);
  const page = await context.newPage();
  page.setDefaultTimeout(opts.timeout ?? 10_000);
  if (opts.signIn !== false) {
    await page.goto(t.daemon.loginUrl ?? '');
    await page.waitForURL(`${t.url}/#/`);
  }
  return {
    t,
    browser,
    context,
    page,
    up,
    shot: (name) => page.screenshot({ path: join(SHOTS, `${name}.png`) }),
    close: async () => {
      await browser.close();
      await t.stop();
      await up.close();
    },
  };
}
