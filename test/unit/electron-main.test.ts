// The Electron main process (electron/main/index.ts and the glue it wires: IPC, windows, tray,
// notifications, event forwarding) loaded against the stand-in Electron runtime, with the real core
// (a real daemon on a temp data dir, port 0) behind it. Drives it as Electron and a person would: the app
// becomes ready, the window calls the bridge, an agent asks for approval, the tray revokes, the app quits.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DB_FILE } from '../../core/storage/db.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IPC_EVENT, IPC_EXPORT, IPC_INVOKE } from '../../shared/bridge.ts';
import type * as Runtime from './electron-runtime.ts';

vi.mock('electron', () => import('./electron-runtime.ts'));

type R = typeof Runtime;
const PASSPHRASE = 'correct horse battery staple';
const saved = { env: { ...process.env }, argv: [...process.argv] };
const PROCESS_EVENTS = ['SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection'] as const;
type Handler = (...args: unknown[]) => void;
const processListeners = (): Map<string, Handler[]> =>
  new Map(
    PROCESS_EVENTS.map((ev): [string, Handler[]] => [
      ev,
      (process as NodeJS.EventEmitter).listeners(ev) as Handler[],
    ]),
  );
/** The app's own process-level handlers, taken off the test worker so they never act on it. */
let appHandlers = new Map<string, Handler[]>();

/** Loads electron/main/index.ts afresh with this environment; returns the stand-in it talks to. */
async function launch(env: Record<string, string>, setup?: (e: R) => void): Promise<R> {
  vi.resetModules();
  // The same instance the app's `import 'electron'` receives (the mock registry outlives resetModules).
  const e = (await import('electron')) as unknown as R;
  e.resetRuntime();
  setup?.(e);
  process.env = { ...saved.env, ...env };
  await import('../../electron/main/index.ts');
  return e;
}

/** Moves the handlers the app added to `process` since `before` into appHandlers. */
function takeAppHandlers(before: Map<string, Handler[]>): void {
  appHandlers = new Map();
  for (const [ev, now] of processListeners()) {
    const added = now.filter((l) => !(before.get(ev) ?? []).includes(l));
    for (const l of added) process.removeListener(ev, l);
    appHandlers.set(ev, added);
  }
}

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'akc-electron-main-'));
  dirs.push(d);
  return d;
};

afterAll(() => {
  process.env = saved.env;
  process.argv = saved.argv;
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the Electron main process, start to quit', () => {
  let e: R;
  let mainWin: Runtime.BrowserWindow;
  let dataDir: string;
  let url: string;

  const call = async (name: string, input: unknown, from = mainWin): Promise<unknown> =>
    e.invokeMain(IPC_INVOKE, from, name, input);
  const ok = async <T>(name: string, input: unknown): Promise<T> => {
    const r = (await call(name, input)) as { ok: boolean; value?: T; error?: unknown };
    if (!r.ok) throw new Error(`${name} failed: ${JSON.stringify(r.error)}`);
    return r.value as T;
  };
  const eventsTo = (w: Runtime.BrowserWindow): { name: string }[] =>
    w.webContents.sent.filter((s) => s.channel === IPC_EVENT).map((s) => s.args[0] as { name: string });

  beforeAll(async () => {
    dataDir = tempDir();
    e = await launch({ AKC_DATA_DIR: dataDir, AKC_PORT: '0' });
    // Nothing happens before Electron is ready, except the sandbox switch and the profile path.
    expect(e.runtime.sandboxEnabled).toBe(true);
    expect(e.runtime.paths['userData']).toBe(join(dataDir, 'electron'));
    const shown = once(e.created, 'window');
    const before = processListeners();
    e.app.becomeReady();
    [mainWin] = (await shown) as [Runtime.BrowserWindow];
    takeAppHandlers(before);
    url = (JSON.parse(readFileSync(join(dataDir, 'daemon.json'), 'utf8')) as { url: string }).url;
  });

  it('hardens the session and opens the window on the first-run screen of our own page', () => {
    const ses = e.session.defaultSession;
    expect(ses.permissionRequest).not.toBeNull();
    expect(ses.headersReceived).not.toBeNull();
    expect(mainWin.options['webPreferences']).toMatchObject({ sandbox: true, contextIsolation: true });
    expect(mainWin.loads).toHaveLength(1);
    expect(mainWin.loads[0]).toMatch(/\/electron\/renderer\/index\.html#\/$/);
    mainWin.emit('ready-to-show');
    expect(mainWin.visible).toBe(true);
    expect(e.runtime.trays).toHaveLength(1);
  });

  it('answers the bridge only for our own top frame', async () => {
    expect(await call('status', {})).toMatchObject({ ok: true, value: { vault: 'uninitialized' } });
    const stranger = new e.BrowserWindow({});
    await stranger.loadURL('https://evil.example/');
    expect(await call('status', {}, stranger)).toEqual({
      ok: false,
      error: { code: 'forbidden_origin', message: 'This page may not use Agent Keychain.' },
    });
    // A frame of our page that is an iframe (it has a parent) is refused too.
    const framed = { senderFrame: { url: mainWin.webContents.mainFrame.url, parent: {} }, sender: null };
    expect(await e.invokeMain(IPC_INVOKE, framed, 'status', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden_origin' },
    });
    expect(await call('notAnOperation', {})).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    stranger.close();
  });

  it('forwards core events to our windows and never to a window showing another page', async () => {
    const stranger = new e.BrowserWindow({});
    await stranger.loadURL('https://evil.example/');
    await ok('vaultInit', { keySource: 'passphrase', passphrase: PASSPHRASE });
    expect(eventsTo(mainWin).map((ev) => ev.name)).toContain('vault.state');
    expect(eventsTo(stranger)).toEqual([]);
    stranger.close();
  });

  it('keeps the tray menu in step with the agents and revokes from it after one confirmation', async () => {
    const tray = e.runtime.trays[0];
    if (!tray) throw new Error('no tray');
    const created = await ok<{ agent: { id: string }; token: string }>('agentCreate', {
      name: 'research-bot',
      scopes: {},
    });
    const revokeId = `agent:${created.agent.id}:revoke`;
    await vi.waitFor(() => expect(tray.menu?.getMenuItemById(revokeId)).not.toBeNull());
    expect(tray.tooltip).toMatch(/Agent Keychain/);

    // The owner cancels first: nothing happens.
    e.runtime.messageBoxAnswers.push(1);
    tray.menu?.getMenuItemById(revokeId)?.click?.();
    await vi.waitFor(() => expect(e.runtime.messageBoxes).toHaveLength(1));
    expect(e.runtime.messageBoxes[0]).toMatchObject({
      buttons: ['Revoke', 'Cancel'],
      defaultId: 0,
      cancelId: 1,
    });
    expect(await ok<{ status: string }>('agentGet', { id: created.agent.id })).toMatchObject({
      status: 'active',
    });

    e.runtime.messageBoxAnswers.push(0);
    tray.menu?.getMenuItemById(revokeId)?.click?.();
    await vi.waitFor(async () =>
      expect(await ok<{ status: string }>('agentGet', { id: created.agent.id })).toMatchObject({
        status: 'revoked',
        revokeReason: 'tray quick revoke',
      }),
    );
    const res = await fetch(`${url}/v1/whoami`, { headers: { authorization: `Bearer ${created.token}` } });
    expect(res.status).toBe(401);
  });

  it('announces a held request: notification, approval window on top; a decision closes it', async () => {
    await ok('secretPut', { name: 'crm_api_key', value: 'not-a-real-secret-value' });
    const created = await ok<{ agent: { id: string }; token: string }>('agentCreate', {
      name: 'mail-bot',
      scopes: { vault: { readOnly: ['crm_api_key'], approval: 'always' } },
    });
    const windowShown = once(e.created, 'window');
    const notified = once(e.created, 'notification');
    const held = fetch(`${url}/v1/secrets/crm_api_key`, {
      headers: { authorization: `Bearer ${created.token}` },
    });
    const [prompt] = (await windowShown) as [Runtime.BrowserWindow];
    const [note] = (await notified) as [Runtime.Notification];
    expect(prompt.alwaysOnTop).toEqual([true, 'floating']);
    expect(prompt.loads[0]).toMatch(/#\/prompt$/);
    prompt.emit('ready-to-show');
    expect(prompt.visible).toBe(true);
    expect(note.options).toMatchObject({ title: 'Approval needed: mail-bot' });
    expect(JSON.stringify(note.options)).not.toContain('crm_api_key');
    expect(note.shown).toBe(true);

    // Clicking the notification opens the main window on the approvals screen.
    note.emit('click');
    expect(mainWin.loads.at(-1)).toMatch(/#\/approvals$/);

    const waiting = await ok<{ approvals: { id: string }[] }>('approvalsList', {});
    expect(waiting.approvals).toHaveLength(1);
    await ok('approvalDecide', { id: waiting.approvals[0]?.id, decision: 'deny' });
    expect((await held).status).toBe(403);
    await vi.waitFor(() => expect(prompt.isDestroyed()).toBe(true));
  });

  it('exports the audit to the chosen file with mode 0600, also over an existing file', async () => {
    const target = join(tempDir(), 'audit.jsonl');
    writeFileSync(target, 'old content\n');
    chmodSync(target, 0o644);
    e.runtime.savePath = target;
    const r = await e.invokeMain(IPC_EXPORT, mainWin, {}, 'jsonl');
    expect(r).toEqual({ ok: true, value: target });
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const lines = readFileSync(target, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.map((l) => (JSON.parse(l) as { action: string }).action)).toContain('agent.revoked');
    expect(readFileSync(target, 'utf8')).not.toContain('not-a-real-secret-value');

    e.runtime.savePath = null;
    expect(await e.invokeMain(IPC_EXPORT, mainWin, {}, 'csv')).toEqual({ ok: true, value: null });
    expect(await e.invokeMain(IPC_EXPORT, mainWin, {}, 'xml')).toMatchObject({
      ok: false,
      error: { code: 'bad_request', path: 'format' },
    });
    const stranger = new e.BrowserWindow({});
    await stranger.loadURL('https://evil.example/');
    expect(await e.invokeMain(IPC_EXPORT, stranger, {}, 'jsonl')).toMatchObject({
      ok: false,
      error: { code: 'forbidden_origin' },
    });
    stranger.close();
  });

  it('locks the vault from the tray and reloads its lists when the vault state changes', async () => {
    const tray = e.runtime.trays[0];
    await vi.waitFor(() => expect(tray?.menu?.getMenuItemById('lock')).not.toBeNull());
    tray?.menu?.getMenuItemById('lock')?.click?.();
    await vi.waitFor(async () => expect(await ok('status', {})).toMatchObject({ vault: 'locked' }));
    await vi.waitFor(() => expect(tray?.menu?.getMenuItemById('unlock')).not.toBeNull());
  });

  it('a second launch or a dock click focuses the window; closing every window keeps the app', () => {
    mainWin.minimized = true;
    e.app.emit('second-instance');
    expect(mainWin.minimized).toBe(false);
    expect(mainWin.focused).toBe(true);
    e.app.emit('window-all-closed');
    expect(e.runtime.quits).toBe(0);
    mainWin.close();
    const reopened = once(e.created, 'window');
    e.app.emit('activate');
    return reopened.then(([w]) => {
      mainWin = w as Runtime.BrowserWindow;
      expect(mainWin.loads[0]).toMatch(/#\/agents$/);
    });
  });

  it('quits as the tray’s Quit does: the daemon stops first, then the app really quits', async () => {
    const quits = e.runtime.quits;
    e.app.quit();
    await vi.waitFor(() => expect(e.runtime.quits).toBe(quits + 2), { timeout: 10_000 });
    expect(e.runtime.trays[0]?.destroyed).toBe(true);
    expect(existsSync(join(dataDir, 'daemon.json'))).toBe(false);
  });
});

describe('the Electron main process after an unexpected error', () => {
  it('stops the core, audits the stop, says so in a dialog and exits 70', async () => {
    const dataDir = tempDir();
    const e = await launch({ AKC_DATA_DIR: dataDir, AKC_PORT: '0' });
    const shown = once(e.created, 'window');
    const before = processListeners();
    e.app.becomeReady();
    await shown;
    takeAppHandlers(before);
    const url = (JSON.parse(readFileSync(join(dataDir, 'daemon.json'), 'utf8')) as { url: string }).url;
    const [onError] = appHandlers.get('uncaughtException') ?? [];
    expect(appHandlers.get('unhandledRejection')).toHaveLength(1);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    onError?.(new TypeError('value sk-should-not-be-logged'));
    await vi.waitFor(() => expect(e.runtime.exitCodes).toEqual([70]));
    logged.mockRestore();
    expect(e.runtime.errorBoxes[0]?.title).toBe('Agent Keychain stopped');
    expect(e.runtime.errorBoxes[0]?.content).toMatch(/no longer forwards any request/);
    expect(JSON.stringify([e.runtime.errorBoxes, logged.mock.calls])).not.toContain(
      'sk-should-not-be-logged',
    );
    await expect(fetch(`${url}/v1/whoami`)).rejects.toThrow();
    const db = new Database(join(dataDir, DB_FILE), { readonly: true });
    const last = db.prepare('SELECT action, decision, reason FROM audit ORDER BY seq DESC LIMIT 1').get();
    db.close();
    expect(last).toEqual({ action: 'system.failure', decision: 'error', reason: 'internal_error' });
  });
});

describe('the Electron main process when it cannot start', () => {
  it('a bad AKC_PORT is shown in a dialog and the app exits 1', async () => {
    const e = await launch({ AKC_DATA_DIR: tempDir(), AKC_PORT: 'seventy' });
    e.app.becomeReady();
    await vi.waitFor(() => expect(e.runtime.exitCodes).toEqual([1]));
    expect(e.runtime.errorBoxes[0]?.title).toBe('Agent Keychain could not start');
    expect(e.runtime.errorBoxes[0]?.content).toMatch(/AKC_PORT must be a port number/);
  });

  it('a data directory that cannot be used is shown in a dialog and the app exits 1', async () => {
    const file = join(tempDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    const e = await launch({ AKC_DATA_DIR: file, AKC_PORT: '0' });
    e.app.becomeReady();
    await vi.waitFor(() => expect(e.runtime.exitCodes).toEqual([1]));
    expect(e.runtime.errorBoxes).toHaveLength(1);
    expect(e.runtime.errorBoxes[0]?.title).toBe('Agent Keychain could not start');
  });

  it('a second instance quits at once and starts nothing', async () => {
    const e = await launch({ AKC_DATA_DIR: tempDir(), AKC_PORT: '0' }, (r) => {
      r.runtime.singleInstance = false;
    });
    expect(e.runtime.quits).toBe(1);
    expect(e.BrowserWindow.getAllWindows()).toHaveLength(0);
  });
});
