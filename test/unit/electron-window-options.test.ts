// Every window is hardened (docs/ARCHITECTURE.md, invariant 6): one assertion per webPreferences item, for both windows.
import { describe, expect, it } from 'vitest';
import {
  approvalWindowOptions,
  hardenedWebPreferences,
  mainWindowOptions,
} from '../../electron/main/window-options.ts';

const input = { preload: '/opt/akc/out/preload/index.cjs', devTools: false };

describe.each([
  ['main window', mainWindowOptions(input)],
  ['approval window', approvalWindowOptions(input)],
])('%s webPreferences', (_name, options) => {
  const prefs = options.webPreferences ?? {};
  it('isolates the page from the preload (contextIsolation)', () =>
    expect(prefs.contextIsolation).toBe(true));
  it('runs the renderer sandboxed', () => expect(prefs.sandbox).toBe(true));
  it('gives the page no Node integration', () => expect(prefs.nodeIntegration).toBe(false));
  it('gives workers no Node integration', () => expect(prefs.nodeIntegrationInWorker).toBe(false));
  it('gives sub-frames no Node integration', () => expect(prefs.nodeIntegrationInSubFrames).toBe(false));
  it('keeps web security on', () => expect(prefs.webSecurity).toBe(true));
  it('refuses insecure content', () => expect(prefs.allowRunningInsecureContent).toBe(false));
  it('disables <webview>', () => expect(prefs.webviewTag).toBe(false));
  it('disables the spellchecker', () => expect(prefs.spellcheck).toBe(false));
  it('disables experimental web features', () => expect(prefs.experimentalFeatures).toBe(false));
  it('does not navigate on drag and drop', () => expect(prefs.navigateOnDragDrop).toBe(false));
  it('loads our preload script', () => expect(prefs.preload).toBe('/opt/akc/out/preload/index.cjs'));
  it('hides DevTools when asked', () => expect(prefs.devTools).toBe(false));
  it('is created hidden and shown when ready', () => expect(options.show).toBe(false));
});

describe('window kinds', () => {
  it('the approval window stays on top', () => {
    expect(approvalWindowOptions(input).alwaysOnTop).toBe(true);
    expect(mainWindowOptions(input).alwaysOnTop).toBeUndefined();
  });

  it('the approval window is smaller than the main window', () => {
    expect(approvalWindowOptions(input).width ?? 0).toBeLessThan(mainWindowOptions(input).width ?? 0);
  });

  it('DevTools follow the flag (unpackaged builds)', () => {
    expect(hardenedWebPreferences({ preload: '/p', devTools: true }).devTools).toBe(true);
  });

  it('each call returns a fresh object, so one window cannot loosen another', () => {
    const a = mainWindowOptions(input);
    const b = mainWindowOptions(input);
    expect(a.webPreferences).not.toBe(b.webPreferences);
  });
});
