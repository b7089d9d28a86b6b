// Core events go to our windows over IPC_EVENT; the preload validates them and hands them to
// window.akc.onEvent.
import { BrowserWindow } from 'electron';
import { IPC_EVENT } from '../../shared/bridge.ts';
import type { AppEvent } from '../../shared/events.ts';
import { isTrustedFrame, type RendererLocation } from './ipc.ts';

/**
 * Access check: an event reaches a window only while its top frame shows our own renderer page, the same
 * rule invoke uses (ipc.ts isTrustedFrame). Navigation is locked in hardening.ts; this holds even if a
 * page got elsewhere, since events name agents, approvals and audit entries.
 */
export function forwardToWindows(event: AppEvent, location: RendererLocation): void {
  for (const win of BrowserWindow.getAllWindows()) {
    if (win.isDestroyed() || win.webContents.isDestroyed()) continue;
    if (!isTrustedFrame(win.webContents.mainFrame, location)) continue;
    win.webContents.send(IPC_EVENT, event);
  }
}
