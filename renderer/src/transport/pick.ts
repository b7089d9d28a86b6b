// IPC inside the Electron window (the preload exposed window.akc), HTTP + SSE in the browser console.
import { createHttpTransport } from './http.ts';
import { createIpcTransport } from './ipc.ts';
import type { Transport } from './types.ts';

export function pickTransport(): Transport {
  return window.akc ? createIpcTransport(window.akc) : createHttpTransport();
}
