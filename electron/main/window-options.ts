// Constructor options for every window we open. Pure (type-only Electron import) so each hardening item
// is unit-tested. docs/ARCHITECTURE.md, invariant 6: context isolation, sandbox, no Node integration.
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

export interface WindowOptionsInput {
  /** Absolute path of the built preload script (out/preload/index.cjs). */
  preload: string;
  /** DevTools only in unpackaged builds. */
  devTools: boolean;
}

/** The renderer gets the preload's typed bridge and nothing else from the main process. */
export function hardenedWebPreferences(input: WindowOptionsInput): WebPreferences {
  return {
    preload: input.preload,
    // Page scripts and the preload live in separate JS worlds; only contextBridge values cross.
    contextIsolation: true,
    // The renderer is an OS-sandboxed Chromium process; the preload gets only the sandboxed Electron API.
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    // Same-origin policy stays on; no http content inside our https/file pages.
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    // The spellchecker would send typed text (names, reasons) to a dictionary service.
    spellcheck: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    devTools: input.devTools,
  };
}

export function mainWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'Agent Keychain',
    width: 1100,
    height: 720,
    minWidth: 760,
    minHeight: 480,
    show: false,
    autoHideMenuBar: true,
    webPreferences: hardenedWebPreferences(input),
  };
}

/** The approval prompt: small, always on top, shown without stealing focus (showInactive). */
export function approvalWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    title: 'Approval needed — Agent Keychain',
    width: 440,
    height: 560,
    minWidth: 360,
    minHeight: 420,
    show: false,
    alwaysOnTop: true,
    resizable: true,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    autoHideMenuBar: true,
    webPreferences: hardenedWebPreferences(input),
  };
}
