// Installs the lockdown of hardening-rules.ts on Electron's default session and app, before the first window.
import { app, session } from 'electron';
import { applyHardening } from './hardening-rules.ts';
import type { RendererLocation } from './ipc.ts';

export function installHardening(location: RendererLocation): void {
  applyHardening(session.defaultSession, app, location);
}
