// The Electron app's build (electron-vite: out/main, out/preload, out/renderer) and whether it is older than
// its sources. Used by `npm start` (scripts/start.ts) and by `npm install` (scripts/prepare.ts).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir: string): number {
  let max = 0;
  if (!existsSync(dir)) return max;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

/** True when the app was never built, or a source of the renderer, shared/ or electron/ changed since. */
export function appStale(root: string): boolean {
  const built = join(root, 'out', 'renderer', 'index.html');
  const sources = Math.max(
    newest(join(root, 'renderer')),
    newest(join(root, 'shared')),
    newest(join(root, 'electron')),
  );
  return !(existsSync(built) && statSync(built).mtimeMs >= sources && existsSync(join(root, 'out', 'main')));
}

/** `node <these>` builds the app. */
export function appBuildArgs(root: string): string[] {
  return [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'];
}
