// The default data directory: the OS's per-user application-data folder, shared by the desktop app and
// headless mode so a person can switch between them (README "Starting it").
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === 'darwin')
    return join(homedir(), 'Library', 'Application Support', 'Agent Keychain');
  if (process.platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Agent Keychain');
  const xdg = env.XDG_DATA_HOME;
  return join(
    xdg !== undefined && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'share'),
    'agent-keychain',
  );
}
