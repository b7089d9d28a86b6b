// The preload bridge the Electron window exposes; absent in the browser console.
import type { AkcBridge } from '../../shared/bridge.ts';

declare global {
  interface Window {
    akc?: AkcBridge;
  }
}

export {};
