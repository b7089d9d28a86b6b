// What the window, tray and IPC modules share: where the renderer and preload are, and dev/packaged mode.
import type { RendererLocation } from './ipc.ts';

export interface ShellContext {
  location: RendererLocation;
  /** Absolute path of the built sandboxed preload. */
  preload: string;
  /** DevTools are available only in unpackaged builds. */
  devTools: boolean;
}
