// `npm start`: builds the UI when its sources changed, then starts the Electron tray app where an Electron
// runtime and a display exist, and the same core headless (browser console) where they do not.
// `npm start -- --headless` forces headless.
import { existsSync, readdirSync, statSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const forceHeadless = args.includes('--headless');

function newest(dir: string): number {
  let max = 0;
  if (!existsSync(dir)) return max;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

function buildIfStale(): void {
  const built = join(root, 'out', 'renderer', 'index.html');
  const sources = Math.max(
    newest(join(root, 'renderer')),
    newest(join(root, 'shared')),
    newest(join(root, 'electron')),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources && existsSync(join(root, 'out', 'main')))
    return;
  process.stdout.write('Building the UI (first start or sources changed)…\n');
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
    {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  if (result.status !== 0) {
    process.stderr.write(
      'The UI build failed (see above). Starting anyway; the console page will say it is not built.\n',
    );
  }
}

/** The Electron binary, when one is installed and can run here; otherwise why not. */
function electronRuntime(): { binary: string } | { reason: string } {
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile))
    return { reason: 'no Electron runtime is installed (node_modules/electron has no binary)' };
  const binary = join(root, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return { reason: `the Electron binary ${binary} is missing` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  }
  return { binary };
}

buildIfStale();
const runtime = forceHeadless ? { reason: '--headless was given' } : electronRuntime();
if ('binary' in runtime) {
  const child = spawn(runtime.binary, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
} else {
  process.stdout.write(`Starting headless: ${runtime.reason}.\n`);
  const { runHeadless } = await import('../core/cli/headless.ts');
  await runHeadless();
}
