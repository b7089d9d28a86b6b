// The Electron glue modules one by one, against the stand-in Electron runtime: the preload bridge
// (validates everything that crosses IPC), the tray's actions and their failures, the windows' edge cases,
// notifications and icons per platform. The core is a stand-in object passed as a parameter (as in
// electron-ipc.test.ts), never a module mock; the full app with the real core is electron-main.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { IPC_EVENT, IPC_EXPORT, IPC_INVOKE, type AkcBridge } from '../../shared/bridge.ts';
import type { AppEvent } from '../../shared/events.ts';
import { AppError } from '../../core/errors.ts';
import type * as Runtime from './electron-runtime.ts';
import { makeAgent, makeApproval, makeAuditEntry, makeStatus } from './view-fixtures.ts';
import type { ShellState } from '../../electron/main/tray-state.ts';
import type { Via } from '../../core/daemon-types.ts';

vi.mock('electron', () => import('./electron-runtime.ts'));

type R = typeof Runtime;
let e: R;
beforeEach(async () => {
  e = (await import('electron')) as unknown as R;
  e.resetRuntime();
});

const fileRoot = join('/opt', 'akc', 'out', 'renderer');
const ctx = { location: { fileRoot }, preload: '/opt/akc/out/preload/index.cjs', devTools: false };

describe('preload bridge', () => {
  async function loadBridge(): Promise<AkcBridge> {
    vi.resetModules();
    e = (await import('electron')) as unknown as R;
    e.resetRuntime();
    await import('../../electron/preload/index.ts');
    return e.runtime.exposed['akc'] as AkcBridge;
  }

  it('exposes exactly invoke, onEvent and exportAudit', async () => {
    const akc = await loadBridge();
    expect(Object.keys(akc).sort()).toEqual(['exportAudit', 'invoke', 'onEvent']);
  });

  it('refuses unknown operations without asking the main process', async () => {
    const akc = await loadBridge();
    const r = await akc.invoke('notAnOperation' as 'status', {});
    expect(r).toEqual({ ok: false, error: { code: 'bad_request', message: 'Unknown operation.' } });
    expect(e.ipcRenderer.invoked).toEqual([]);
  });

  it('passes an answer that matches the operation output, and refuses one that does not', async () => {
    const akc = await loadBridge();
    const status = makeStatus();
    e.ipcRenderer.answer = () => ({ ok: true, value: status });
    expect(await akc.invoke('status', {})).toEqual({ ok: true, value: status });
    expect(e.ipcRenderer.invoked[0]).toEqual({ channel: IPC_INVOKE, args: ['status', {}] });

    e.ipcRenderer.answer = () => ({ ok: true, value: { ...status, vault: 'open' } });
    const bad = await akc.invoke('status', {});
    expect(bad).toMatchObject({ ok: false, error: { code: 'internal_error' } });
    if (!bad.ok) expect(bad.error.message).toContain('vault');

    e.ipcRenderer.answer = () => 'not a result';
    expect(await akc.invoke('status', {})).toMatchObject({ ok: false, error: { code: 'internal_error' } });

    e.ipcRenderer.answer = () => ({
      ok: false,
      error: { code: 'vault_locked', message: 'Locked.', path: 'x' },
    });
    expect(await akc.invoke('status', {})).toEqual({
      ok: false,
      error: { code: 'vault_locked', message: 'Locked.', path: 'x' },
    });
  });

  it('hands the page only events that match the contract, and unsubscribes', async () => {
    const akc = await loadBridge();
    const seen: AppEvent[] = [];
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const off = akc.onEvent((ev) => seen.push(ev));
    const sender = { sender: 'main' };
    const good = { name: 'audit.appended', data: makeAuditEntry({ seq: 7 }) };
    e.ipcRenderer.emit(IPC_EVENT, sender, good);
    e.ipcRenderer.emit(IPC_EVENT, sender, { name: 'audit.appended', data: { seq: 'seven' } });
    e.ipcRenderer.emit(IPC_EVENT, sender, { name: 'shell.exec', data: {} });
    expect(seen).toEqual([good]);
    expect(errors).toHaveBeenCalledTimes(2);
    off();
    e.ipcRenderer.emit(IPC_EVENT, sender, good);
    expect(seen).toHaveLength(1);
    errors.mockRestore();
  });

  it('validates the export answer', async () => {
    const akc = await loadBridge();
    e.ipcRenderer.answer = () => ({ ok: true, value: '/tmp/audit.csv' });
    expect(await akc.exportAudit({}, 'csv')).toEqual({ ok: true, value: '/tmp/audit.csv' });
    expect(e.ipcRenderer.invoked.at(-1)).toEqual({ channel: IPC_EXPORT, args: [{}, 'csv'] });
    e.ipcRenderer.answer = () => ({ ok: true, value: 42 });
    expect(await akc.exportAudit({}, 'csv')).toMatchObject({ ok: false, error: { code: 'internal_error' } });
  });
});

describe('tray', () => {
  const agent = makeAgent('agt_1', 'A&B bot');
  let state: ShellState;
  let calls: { name: string; input: unknown; via: string }[];
  let failWith: Error;
  const opened: string[] = [];
  let quits = 0;

  const deps = (): Parameters<typeof import('../../electron/main/tray.ts').createTray>[0] => ({
    daemon: {
      dispatch: (name: string, input: unknown, via: Via): Promise<never> => {
        calls.push({ name, input, via });
        return Promise.reject(
          failWith instanceof Error ? failWith : new Error('stand-in daemon answers nothing'),
        );
      },
    },
    state: () => state,
    openRoute: (r) => opened.push(r),
    quit: () => (quits += 1),
  });

  beforeEach(() => {
    state = { status: makeStatus(), agents: [agent], approvals: [] };
    calls = [];
    failWith = new AppError('vault_locked', 'The vault is locked.');
    opened.length = 0;
    quits = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('builds the menu at once, rebuilds once per burst of changes, and stops on destroy', async () => {
    vi.useFakeTimers();
    const { createTray, TRAY_DEBOUNCE_MS } = await import('../../electron/main/tray.ts');
    const tray = createTray(deps());
    const native = e.runtime.trays[0];
    expect(native?.menu?.getMenuItemById('agent:agt_1:revoke')).not.toBeNull();
    expect(tray.model().tooltip).toBe(native?.tooltip);

    state = { ...state, approvals: [makeApproval('apr_1', agent)] };
    let rebuilds = 0;
    e.created.on('menu', () => (rebuilds += 1));
    tray.schedule();
    tray.schedule();
    vi.advanceTimersByTime(TRAY_DEBOUNCE_MS);
    expect(rebuilds).toBe(1);
    expect(native?.menu?.getMenuItemById('approvals')).not.toBeNull();
    tray.schedule();
    tray.destroy();
    vi.advanceTimersByTime(60_000);
    expect(rebuilds).toBe(1);
    expect(native?.destroyed).toBe(true);
  });

  it('opens routes, quits, and shows a dialog when an action fails', async () => {
    const { createTray } = await import('../../electron/main/tray.ts');
    const tray = createTray(deps());
    await tray.perform('open');
    expect(opened).toEqual(['/agents']);
    await tray.perform('lock');
    expect(calls).toEqual([{ name: 'vaultLock', input: {}, via: 'tray' }]);
    expect(e.runtime.messageBoxes.at(-1)).toMatchObject({
      type: 'error',
      title: 'Could not lock the vault',
      detail: 'The vault is locked.',
    });
    await tray.perform('quit');
    expect(quits).toBe(1);
    await tray.perform('no-such-item');
    expect(calls).toHaveLength(1);
    tray.destroy();
  });

  it('revoke-all: Cancel is the default; confirming revokes; a failure is shown without its internals', async () => {
    const { createTray } = await import('../../electron/main/tray.ts');
    const tray = createTray(deps());
    e.runtime.messageBoxAnswers.push(0);
    await tray.perform('revoke-all');
    expect(calls).toEqual([]);
    expect(e.runtime.messageBoxes[0]).toMatchObject({
      buttons: ['Cancel', 'Revoke all'],
      defaultId: 0,
      cancelId: 0,
    });

    failWith = new Error('SQLITE_BUSY at /home/owner/.local/share/agent-keychain/akc.db');
    e.runtime.messageBoxAnswers.push(1);
    await tray.perform('revoke-all');
    expect(calls).toEqual([
      { name: 'agentsRevokeAll', input: { reason: 'tray revoke all', severity: 'high' }, via: 'tray' },
    ]);
    const shown = e.runtime.messageBoxes.at(-1);
    expect(shown).toMatchObject({ type: 'error', title: 'Could not revoke all agents' });
    expect(JSON.stringify(shown)).not.toContain('SQLITE');

    e.runtime.messageBoxAnswers.push(0);
    await tray.perform('agent:agt_1:revoke');
    expect(calls.at(-1)).toMatchObject({ name: 'agentRevoke', input: { id: 'agt_1' } });
    expect(e.runtime.messageBoxes.at(-1)).toMatchObject({ title: 'Could not revoke A&B bot' });
    tray.destroy();
  });

  it('escapes "&" in labels on Windows only', async () => {
    const platform = Object.getOwnPropertyDescriptor(process, 'platform');
    const labels = async (): Promise<string | undefined> => {
      vi.resetModules();
      e = (await import('electron')) as unknown as R;
      e.resetRuntime();
      const { createTray } = await import('../../electron/main/tray.ts');
      const tray = createTray(deps());
      const label = e.runtime.trays[0]?.menu?.getMenuItemById('agent:agt_1')?.label;
      tray.destroy();
      return label;
    };
    try {
      expect(await labels()).toBe('A&B bot · not used yet');
      Object.defineProperty(process, 'platform', { value: 'win32' });
      expect(await labels()).toBe('A&&B bot · not used yet');
    } finally {
      if (platform) Object.defineProperty(process, 'platform', platform);
    }
  });
});

describe('tray icons', () => {
  it('PNG on Linux, ICO on Windows, template images on macOS; one image per state', async () => {
    const platform = Object.getOwnPropertyDescriptor(process, 'platform');
    const icon = async (os: string): Promise<Runtime.NativeImage> => {
      vi.resetModules();
      Object.defineProperty(process, 'platform', { value: os });
      const { trayIcon } = await import('../../electron/main/icons.ts');
      const image = trayIcon('attention') as unknown as Runtime.NativeImage;
      expect(trayIcon('attention')).toBe(image);
      return image;
    };
    try {
      expect((await icon('linux')).path).toMatch(/resources\/tray-attention\.png$/);
      expect((await icon('win32')).path).toMatch(/resources\/tray-attention\.ico$/);
      const mac = await icon('darwin');
      expect(mac.path).toMatch(/resources\/tray-attentionTemplate\.png$/);
      expect(mac.template).toBe(true);
    } finally {
      if (platform) Object.defineProperty(process, 'platform', platform);
    }
  });
});

describe('windows', () => {
  it('the main window is created once, restored and focused, and survives a failed load', async () => {
    const { createMainWindowController } = await import('../../electron/main/main-window.ts');
    const main = createMainWindowController(ctx);
    expect(main.current()).toBeNull();
    const w = main.show('/settings') as unknown as Runtime.BrowserWindow;
    expect(w.loads).toEqual([`file://${fileRoot}/index.html#/settings`]);
    expect(main.current()).toBe(w);
    w.minimized = true;
    w.failNextLoad = true;
    expect(main.show('/activity')).toBe(w);
    await Promise.resolve();
    expect(w.minimized).toBe(false);
    expect(w.webContents.getURL()).toBe(`file://${fileRoot}/index.html#/settings`);
    w.close();
    expect(main.current()).toBeNull();
  });

  it('loads from the dev server in development', async () => {
    const { loadRoute } = await import('../../electron/main/renderer-load.ts');
    const w = new e.BrowserWindow({});
    await loadRoute(w as never, { fileRoot, devUrl: 'http://localhost:5173/' }, 'approvals');
    expect(w.loads).toEqual(['http://localhost:5173/#/approvals']);
  });

  it('the approval window reopens for a new request, not for one the owner already dismissed', async () => {
    const { createApprovalWindowController } = await import('../../electron/main/approval-window.ts');
    const prompts = createApprovalWindowController(ctx);
    const agent = makeAgent('agt_1', 'mail-bot');
    const first = makeApproval('apr_1', agent);
    prompts.sync([first]);
    const w = prompts.current() as unknown as Runtime.BrowserWindow;
    expect(w.loads).toEqual([`file://${fileRoot}/index.html#/prompt`]);
    w.visible = false;
    prompts.sync([first]);
    expect(w.visible).toBe(true);

    w.close(); // the owner closes it
    prompts.sync([{ ...first, count: 2 }]);
    expect(prompts.current()).toBeNull();
    prompts.sync([first, makeApproval('apr_2', agent)]);
    const again = prompts.current() as unknown as Runtime.BrowserWindow;
    expect(again).not.toBeNull();
    again.emit('ready-to-show');
    expect(again.visible).toBe(true);

    prompts.sync([]);
    expect(again.isDestroyed()).toBe(true);
    prompts.sync([first]);
    expect(prompts.current()).not.toBeNull();
    prompts.close();
    expect(prompts.current()).toBeNull();
    prompts.close();
  });

  it('a window whose page failed to load stays closed without an error', async () => {
    const { createApprovalWindowController } = await import('../../electron/main/approval-window.ts');
    const prompts = createApprovalWindowController(ctx);
    e.created.once('window', (w: Runtime.BrowserWindow) => (w.failNextLoad = true));
    prompts.sync([makeApproval('apr_1', makeAgent('agt_1', 'x'))]);
    await Promise.resolve();
    expect(prompts.current()?.webContents.getURL()).toBe('about:blank');
  });
});

describe('notifications', () => {
  it('announce without request details, open the approvals on click, and are skipped where unsupported', async () => {
    const { createApprovalNotifier } = await import('../../electron/main/notifications.ts');
    let opened = 0;
    const notify = createApprovalNotifier(() => (opened += 1));
    const approval = makeApproval('apr_1', makeAgent('agt_1', 'mail-bot'));
    notify(approval);
    const n = e.runtime.notifications[0];
    expect(n?.options).toEqual({
      title: 'Approval needed: mail-bot',
      body: 'Open Agent Keychain to approve or deny.',
      silent: false,
    });
    n?.emit('click');
    expect(opened).toBe(1);
    notify(approval);
    e.runtime.notifications[1]?.emit('close');
    e.runtime.notificationsSupported = false;
    notify(approval);
    expect(e.runtime.notifications).toHaveLength(2);
  });
});

describe('ipc-main', () => {
  it('hides an unexpected error behind a generic message and logs only its type', async () => {
    const { registerIpc } = await import('../../electron/main/ipc-main.ts');
    const secretish = 'sk-live-should-not-appear';
    const daemon = {
      dispatch: () => Promise.reject(Object.assign(new TypeError(secretish), { code: 'EWHAT' })),
      exportAudit: (): Iterable<string> => {
        throw new Error(secretish);
      },
    };
    registerIpc(daemon as never, { fileRoot });
    const win = new e.BrowserWindow({});
    await win.loadFile(join(fileRoot, 'index.html'), { hash: '/' });
    const logged: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: string) => logged.push(line));
    const r = await e.invokeMain(IPC_INVOKE, win, 'status', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'internal_error' } });
    e.runtime.savePath = join('/tmp', `akc-glue-${process.pid}.jsonl`);
    const x = await e.invokeMain(IPC_EXPORT, win, {}, 'jsonl');
    expect(x).toMatchObject({ ok: false, error: { code: 'internal_error' } });
    spy.mockRestore();
    expect(logged).toHaveLength(2);
    expect(logged[0]).toMatch(/^\[akc\] status failed: TypeError \(EWHAT\) at .*electron-glue\.test\.ts/);
    expect(logged[1]).toMatch(/^\[akc\] exportAudit failed: Error at /);
    expect(JSON.stringify([r, x, logged])).not.toContain(secretish);
  });
});
