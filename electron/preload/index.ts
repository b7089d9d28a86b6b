// Sandboxed preload: exposes exactly the typed contract (AkcBridge) as window.akc. No ipcRenderer, no
// generic send/on, no Node: the page can only call admin operations by name and listen to core events.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT, IPC_EXPORT, IPC_INVOKE, type AkcBridge, type BridgeResult } from '../../shared/bridge.ts';
import type { AppEvent } from '../../shared/events.ts';

const bridge: AkcBridge = {
  invoke(name, input) {
    return ipcRenderer.invoke(IPC_INVOKE, name, input) as Promise<BridgeResult<never>>;
  },
  onEvent(listener) {
    // Only the event payload crosses; the IpcRendererEvent (with its sender) never reaches the page.
    const handler = (_event: IpcRendererEvent, appEvent: AppEvent): void => listener(appEvent);
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
  exportAudit(query, format) {
    return ipcRenderer.invoke(IPC_EXPORT, query, format) as Promise<BridgeResult<string | null>>;
  },
};

contextBridge.exposeInMainWorld('akc', bridge);
