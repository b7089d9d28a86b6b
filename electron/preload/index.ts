// Sandboxed preload: exposes exactly the typed contract (AkcBridge) as window.akc. No ipcRenderer, no
// generic send/on, no Node: the page can only call admin operations by name and listen to core events.
// Everything that comes back over IPC is validated against the contract before the page sees it.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { z } from 'zod';
import { adminOps, outputSchema } from '../../shared/contract.ts';
import { parseEvent } from '../../shared/events.ts';
import { IPC_EVENT, IPC_EXPORT, IPC_INVOKE, parseBridgeResult, type AkcBridge } from '../../shared/bridge.ts';

const ExportResult = z.string().nullable();

const bridge: AkcBridge = {
  async invoke(name, input) {
    // Only operations of the admin contract; the main process checks again (electron/main/ipc.ts).
    if (!Object.hasOwn(adminOps, name)) {
      return { ok: false, error: { code: 'bad_request', message: 'Unknown operation.' } };
    }
    const raw: unknown = await ipcRenderer.invoke(IPC_INVOKE, name, input);
    return parseBridgeResult(raw, outputSchema(name));
  },
  onEvent(listener) {
    // Only the validated event crosses; the IpcRendererEvent (with its sender) never reaches the page.
    const handler = (_event: IpcRendererEvent, raw: unknown): void => {
      const parsed = parseEvent(raw);
      if (parsed.ok) listener(parsed.event);
      else console.error(`[akc] an event from the main process was dropped (${parsed.problem})`);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
  async exportAudit(query, format) {
    const raw: unknown = await ipcRenderer.invoke(IPC_EXPORT, query, format);
    return parseBridgeResult(raw, ExportResult);
  },
};

contextBridge.exposeInMainWorld('akc', bridge);
