// ipcMain wiring for the preload bridge. Thin: checks the sender, then hands off to ipc.ts.
import { open } from 'node:fs/promises';
import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { IPC_EXPORT, IPC_INVOKE, type BridgeResult } from '../../shared/bridge.ts';
import type { DaemonHandle } from '../../core/daemon-types.ts';
import { describeInternal } from '../../core/failure.ts';
import {
  parseExportRequest,
  routeInvoke,
  toBridgeError,
  isTrustedFrame,
  type RendererLocation,
} from './ipc.ts';

const FORBIDDEN: BridgeResult<never> = {
  ok: false,
  error: { code: 'forbidden_origin', message: 'This page may not use Agent Keychain.' },
};

function trustedSender(event: IpcMainInvokeEvent, location: RendererLocation): boolean {
  return isTrustedFrame(event.senderFrame, location);
}

function logInternal(name: string, err: unknown): void {
  // Kind, code and frames only (core/failure.ts): messages of unexpected errors may carry data.
  console.error(`[akc] ${name} failed: ${describeInternal(err)}`);
}

async function exportAudit(
  daemon: DaemonHandle,
  event: IpcMainInvokeEvent,
  query: unknown,
  format: unknown,
): Promise<BridgeResult<string | null>> {
  const req = parseExportRequest(query, format);
  if (!req.ok) return req;
  try {
    const parent = BrowserWindow.fromWebContents(event.sender);
    const stamp = new Date().toISOString().slice(0, 10);
    const options = {
      title: 'Export audit log',
      defaultPath: `agent-keychain-audit-${stamp}.${req.value.format}`,
      filters: [{ name: req.value.format === 'csv' ? 'CSV' : 'JSON Lines', extensions: [req.value.format] }],
    };
    const picked = parent
      ? await dialog.showSaveDialog(parent, options)
      : await dialog.showSaveDialog(options);
    if (picked.canceled || !picked.filePath) return { ok: true, value: null };
    // 0600: the audit names agents, recipients and amounts.
    const file = await open(picked.filePath, 'w', 0o600);
    try {
      // The mode of open() applies only to a new file; an existing one (overwritten) is narrowed too.
      await file.chmod(0o600);
      for (const chunk of daemon.exportAudit(req.value.query, req.value.format)) await file.write(chunk);
    } finally {
      await file.close();
    }
    return { ok: true, value: picked.filePath };
  } catch (err) {
    const error = toBridgeError(err);
    if (error.code === 'internal_error') logInternal('exportAudit', err);
    return { ok: false, error };
  }
}

export function registerIpc(daemon: DaemonHandle, location: RendererLocation): void {
  ipcMain.handle(IPC_INVOKE, (event, name: unknown, input: unknown) => {
    if (!trustedSender(event, location)) return FORBIDDEN;
    return routeInvoke(daemon, name, input, logInternal);
  });
  ipcMain.handle(IPC_EXPORT, (event, query: unknown, format: unknown) => {
    if (!trustedSender(event, location)) return FORBIDDEN;
    return exportAudit(daemon, event, query, format);
  });
}
