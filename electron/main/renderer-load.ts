// Loads our renderer at a hash route ("/approvals?compact=1") from the dev server or the built files.
import { join } from 'node:path';
import type { BrowserWindow } from 'electron';
import type { RendererLocation } from './ipc.ts';

export function loadRoute(win: BrowserWindow, location: RendererLocation, route: string): Promise<void> {
  const hash = route.startsWith('/') ? route : `/${route}`;
  if (location.devUrl) return win.loadURL(`${location.devUrl.replace(/\/$/, '')}/#${hash}`);
  return win.loadFile(join(location.fileRoot, 'index.html'), { hash });
}
