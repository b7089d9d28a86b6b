// End-to-end through the real Electron app (Playwright _electron): launch, the hardened bridge, a tray
// quick revoke, and an approval answered from the approval window. Runs only where an Electron binary and
// a display exist; elsewhere it reports itself skipped with the reason (the build machines have no Electron binary).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import type { AkcBridge, BridgeResult } from '../../shared/bridge.ts';
import type { AdminOpName } from '../../shared/contract.ts';

const root = join(import.meta.dirname, '..', '..');

/** Finds the Electron binary the way node_modules/electron does, without its download fallback. */
function detectElectron(): { ok: true; executablePath: string } | { ok: false; reason: string } {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  let executablePath: string;
  if (override) executablePath = join(override, relative || 'electron');
  else if (relative) executablePath = join(pkg, 'dist', relative);
  else
    return { ok: false, reason: 'no Electron binary (node_modules/electron/path.txt and dist/ are missing)' };
  if (!existsSync(executablePath)) return { ok: false, reason: `no Electron binary at ${executablePath}` };
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    return { ok: false, reason: `Electron binary at ${executablePath} is not executable` };
  }
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    return { ok: false, reason: 'no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  if (!existsSync(join(root, 'renderer', 'index.html')))
    return { ok: false, reason: 'renderer/index.html does not exist yet' };
  return { ok: true, executablePath };
}

const electron = detectElectron();
if (!electron.ok) console.log(`[e2e electron] skipped: ${electron.reason}`);

/** The tray's latest native menu, recorded by wrapping Tray.prototype.setContextMenu in the main process. */
type MenuItemLike = { click: () => void };
type TrayMenuHolder = { __akcTrayMenu?: { getMenuItemById(id: string): MenuItemLike | null } };
type SetContextMenu = (this: Electron.Tray, menu: Electron.Menu) => void;
type BridgeWindow = { akc?: AkcBridge; require?: unknown; process?: unknown };

const PASSPHRASE = 'correct horse battery staple';

async function invoke(page: Page, name: string, input: unknown): Promise<BridgeResult<unknown>> {
  return page.evaluate(
    async ([n, i]) => {
      const akc = (globalThis as unknown as BridgeWindow).akc;
      if (!akc) throw new Error('window.akc is missing');
      // The bridge is typed per operation; this test drives it by name.
      return akc.invoke(n as AdminOpName, i as never);
    },
    [name, input] as const,
  );
}

async function ok<T>(page: Page, name: string, input: unknown): Promise<T> {
  const r = await invoke(page, name, input);
  if (!r.ok) throw new Error(`${name} failed: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

describe.skipIf(!electron.ok)(`Electron app${electron.ok ? '' : ` (skipped: ${electron.reason})`}`, () => {
  let app: ElectronApplication;
  let main: Page;
  let dataDir: string;
  let baseUrl: string;

  beforeAll(async () => {
    if (!electron.ok) return;
    const built = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'].every((f) =>
      existsSync(join(root, f)),
    );
    if (!built)
      execFileSync(join(root, 'node_modules', '.bin', 'electron-vite'), ['build'], {
        cwd: root,
        stdio: 'inherit',
      });
    dataDir = mkdtempSync(join(tmpdir(), 'akc-electron-e2e-'));
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    Object.assign(env, { AKC_DATA_DIR: dataDir, AKC_PORT: '0' });
    app = await _electron.launch({
      executablePath: electron.executablePath,
      // Chromium refuses its sandbox as root (CI containers); the app's own settings are checked below.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root],
      env,
    });
    main = await app.firstWindow();
    const daemonInfo = JSON.parse(readFileSync(join(dataDir, 'daemon.json'), 'utf8')) as { url: string };
    baseUrl = daemonInfo.url;
  });

  afterAll(async () => {
    await app?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('launches with only the typed bridge exposed to the page', async () => {
    const surface = await main.evaluate(() => {
      const w = globalThis as unknown as BridgeWindow;
      return { keys: Object.keys(w.akc ?? {}).sort(), require: typeof w.require, process: typeof w.process };
    });
    expect(surface).toEqual({
      keys: ['exportAudit', 'invoke', 'onEvent'],
      require: 'undefined',
      process: 'undefined',
    });
    expect(await invoke(main, 'notAnOperation', {})).toEqual({
      ok: false,
      error: { code: 'bad_request', message: 'Unknown operation.' },
    });
    const status = await fetch(`${baseUrl}/v1/whoami`);
    expect(status.status).toBe(401);
  });

  it('revokes an agent from the tray with one confirmation, Revoke focused', async () => {
    await ok(main, 'vaultInit', { keySource: 'passphrase', passphrase: PASSPHRASE });
    // The app exposes no test hook: record the real native menu the tray is given. Creating the agent
    // below rebuilds the menu (agent.updated), so the recorder is installed first.
    await app.evaluate(({ Tray }) => {
      const proto = Tray.prototype as unknown as { setContextMenu: SetContextMenu };
      const set = proto.setContextMenu;
      proto.setContextMenu = function (menu) {
        (globalThis as unknown as { __akcTrayMenu?: Electron.Menu }).__akcTrayMenu = menu;
        set.call(this, menu);
      };
    });
    const created = await ok<{ agent: { id: string }; token: string }>(main, 'agentCreate', {
      name: 'research-bot',
      scopes: {},
    });
    const id = created.agent.id;

    const revokeId = `agent:${id}:revoke`;
    await expect
      .poll(() =>
        app.evaluate(
          (_e, itemId) =>
            (globalThis as unknown as TrayMenuHolder).__akcTrayMenu?.getMenuItemById(itemId) != null,
          revokeId,
        ),
      )
      .toBe(true);

    // Answer the native confirmation as a click on "Revoke" would, recording what was asked.
    await app.evaluate(({ dialog }) => {
      const g = globalThis as unknown as { __asked: unknown[] };
      g.__asked = [];
      dialog.showMessageBox = (opts: unknown) => {
        g.__asked.push(opts);
        return Promise.resolve({ response: 0, checkboxChecked: false });
      };
    });
    await app.evaluate((_e, itemId) => {
      (globalThis as unknown as TrayMenuHolder).__akcTrayMenu?.getMenuItemById(itemId)?.click();
    }, revokeId);
    await expect
      .poll(async () => (await ok<{ status: string }>(main, 'agentGet', { id })).status)
      .toBe('revoked');

    const asked = await app.evaluate(
      () =>
        (globalThis as unknown as { __asked: { buttons: string[]; defaultId: number; cancelId: number }[] })
          .__asked,
    );
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ buttons: ['Revoke', 'Cancel'], defaultId: 0, cancelId: 1 });

    const agent = await ok<{ status: string; revokeReason: string | null }>(main, 'agentGet', { id });
    expect(agent).toMatchObject({ status: 'revoked', revokeReason: 'tray quick revoke' });
    const res = await fetch(`${baseUrl}/v1/whoami`, {
      headers: { authorization: `Bearer ${created.token}` },
    });
    expect(res.status).toBe(401);
  });

  it('shows a held request in the always-on-top approval window and denies it from there', async () => {
    await ok(main, 'secretPut', { name: 'crm_api_key', value: 'not-a-real-secret-value' });
    const created = await ok<{ agent: { id: string }; token: string }>(main, 'agentCreate', {
      name: 'mail-bot',
      scopes: { vault: { readOnly: ['crm_api_key'], approval: 'always' } },
    });

    const promptShown = app.waitForEvent('window', { predicate: (p) => p.url().includes('#/prompt') });
    const held = fetch(`${baseUrl}/v1/secrets/crm_api_key`, {
      headers: { authorization: `Bearer ${created.token}` },
    });
    const prompt = await promptShown;

    const onTop = await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows()
        .filter((w) => w.webContents.getURL().includes('#/prompt'))
        .map((w) => w.isAlwaysOnTop()),
    );
    expect(onTop).toEqual([true]);

    const waiting = await ok<{ approvals: { id: string; agentName: string; summary: string }[] }>(
      prompt,
      'approvalsList',
      {},
    );
    expect(waiting.approvals).toHaveLength(1);
    const approval = waiting.approvals[0];
    expect(approval?.agentName).toBe('mail-bot');
    await ok(prompt, 'approvalDecide', { id: approval?.id, decision: 'deny' });

    const res = await held;
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { code: string } };
    expect(body.error.code).toBe('approval_denied');
    expect(JSON.stringify(body)).not.toContain('not-a-real-secret-value');
  });
});
