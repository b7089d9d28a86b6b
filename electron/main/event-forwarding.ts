// Core events go to every window of ours over IPC_EVENT; the preload hands them to window.akc.onEvent.
import { BrowserWindow } from 'electron';
import { IPC_EVENT } from '../../shared/bridge.ts';
import type { AppEvent } from '../../shared/events.ts';

export function forwardToWindows(event: AppEvent): void {
  // Every BrowserWindow in this app loads only our renderer (navigation is locked in hardening.ts).
  for (const win of BrowserWindow.getAllWindows()) {
    if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(IPC_EVENT, event);
  }
}
