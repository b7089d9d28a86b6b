// Electron main process: app lifecycle only. The core runs in process (core/daemon.ts); the windows,
// tray and IPC modules are thin glue onto it (docs/ARCHITECTURE.md, "Module map").
import { join } from 'node:path';
import { app, dialog } from 'electron';
import { startDaemon } from '../../core/daemon.ts';
import { defaultDataDir } from '../../core/paths.ts';
import { installFailurePolicy } from '../../core/failure.ts';
import type { DaemonHandle } from '../../core/daemon-types.ts';
import type { AppEvent } from '../../shared/events.ts';
import { launchConfig, type LaunchConfig } from './launch-config.ts';
import { installHardening } from './hardening.ts';
import { registerIpc } from './ipc-main.ts';
import { toBridgeError } from './ipc.ts';
import { createMainWindowController } from './main-window.ts';
import { createApprovalWindowController } from './approval-window.ts';
import { createApprovalNotifier } from './notifications.ts';
import { forwardToWindows } from './event-forwarding.ts';
import { createTray, type TrayController } from './tray.ts';
import { applyEvent, emptyShellState, type ShellState } from './tray-state.ts';
import type { ShellContext } from './shell-context.ts';

const here = import.meta.dirname; // out/main
// The dev server URL is honoured only in unpackaged runs; a packaged app always loads its own files.
const devUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const fileRoot = join(here, '..', 'renderer');
const ctx: ShellContext = {
  location: devUrl ? { devUrl, fileRoot } : { fileRoot },
  preload: join(here, '..', 'preload', 'index.cjs'),
  devTools: !app.isPackaged,
};

let config: LaunchConfig | null = null;
let configError = '';
try {
  config = launchConfig(process.env, process.argv, defaultDataDir);
} catch (err) {
  configError = err instanceof Error ? err.message : String(err);
}
// An explicit AKC_DATA_DIR gets its own Chromium profile and so its own single-instance lock: a test run
// or a second vault never collides with the owner's everyday instance.
if (config && process.env['AKC_DATA_DIR']) app.setPath('userData', join(config.dataDir, 'electron'));

// Every renderer runs sandboxed, whatever its webPreferences say.
app.enableSandbox();
if (process.platform === 'win32') app.setAppUserModelId('dev.agentkeychain.app');

const mainWindow = createMainWindowController(ctx);
const approvalWindow = createApprovalWindowController(ctx);

async function loadState(daemon: DaemonHandle): Promise<ShellState> {
  const status = await daemon.dispatch('status', {}, 'tray').catch(() => null);
  const [agents, approvals] = await Promise.all([
    daemon.dispatch('agentsList', {}, 'tray').then(
      (r) => r.agents,
      () => [],
    ),
    daemon.dispatch('approvalsList', {}, 'tray').then(
      (r) => r.approvals,
      () => [],
    ),
  ]);
  return { status, agents, approvals };
}

async function run(): Promise<void> {
  app.on('second-instance', () => {
    if (app.isReady()) mainWindow.show();
  });
  // A tray app: closing every window keeps it running; Quit is in the tray menu.
  app.on('window-all-closed', () => undefined);
  app.on('activate', () => mainWindow.show());

  await app.whenReady();
  installHardening(ctx.location);

  if (!config) {
    dialog.showErrorBox('Agent Keychain could not start', configError);
    app.exit(1);
    return;
  }
  const startHidden = config.startHidden;
  let daemon: DaemonHandle;
  try {
    daemon = await startDaemon({
      dataDir: config.dataDir,
      port: config.port,
      mode: 'electron',
      log: (line) => console.log(`[akc] ${line}`),
      ...(config.passphraseFile ? { passphraseFile: config.passphraseFile } : {}),
    });
  } catch (err) {
    // e.g. another process owns the data directory (its message says where the first one runs), or a bad
    // AKC_PORT. Start-up messages are written for people and carry no secrets; shown locally, never logged.
    dialog.showErrorBox('Agent Keychain could not start', err instanceof Error ? err.message : String(err));
    app.exit(1);
    return;
  }

  registerIpc(daemon, ctx.location);

  let state: ShellState = emptyShellState;
  let tray: TrayController | null = null;
  const notify = createApprovalNotifier(() => mainWindow.show('/approvals'));

  const refreshLists = async (): Promise<void> => {
    const loaded = await loadState(daemon);
    state = { ...loaded, status: loaded.status ?? state.status };
    approvalWindow.sync(state.approvals);
    tray?.schedule();
  };

  const unsubscribe = daemon.subscribe((event: AppEvent) => {
    forwardToWindows(event, ctx.location);
    const before = state;
    state = applyEvent(state, event);
    if (event.name === 'approval.requested') {
      const approval = event.data;
      if (!before.approvals.some((a) => a.id === approval.id)) notify(approval);
    }
    if (state.approvals !== before.approvals) approvalWindow.sync(state.approvals);
    if (state !== before) tray?.schedule();
    // Unlocking makes agents and approvals readable; reload them (reads never emit vault.state).
    if (event.name === 'vault.state') void refreshLists();
  });

  state = await loadState(daemon);
  tray = createTray({
    daemon,
    state: () => state,
    openRoute: (route) => mainWindow.show(route),
    quit: () => app.quit(),
  });
  approvalWindow.sync(state.approvals);
  // Some Linux desktops have no tray host (GNOME without AppIndicator) and it cannot be detected, so the
  // window opens at launch unless started with --hidden.
  if (!startHidden) mainWindow.show(state.status?.vault === 'unlocked' ? '/agents' : '/');

  let stopped = false;
  let stopping = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    unsubscribe();
    tray?.destroy();
    approvalWindow.close();
    daemon
      .stop()
      .catch(() => undefined)
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  // An error outside any request stops the core, fail closed, and says so in a dialog (core/failure.ts).
  installFailurePolicy(process, {
    record: (detail) => daemon.recordFailure(detail),
    stop: () => {
      stopped = true;
      unsubscribe();
      tray?.destroy();
      approvalWindow.close();
      return daemon.stop();
    },
    tell: (message) => dialog.showErrorBox('Agent Keychain stopped', message),
    log: (line) => console.error(line),
    exit: (code) => app.exit(code),
  });
}

// One app per user session: a second launch focuses the first and exits.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  run().catch((err: unknown) => {
    dialog.showErrorBox('Agent Keychain could not start', toBridgeError(err).message);
    app.exit(1);
  });
}
