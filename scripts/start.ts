// `npm start`: starts the Electron tray app where an Electron runtime and a display exist (building it first
// when its sources changed), and the same core headless (browser console) where they do not; headless
// serves at once and builds a stale console alongside.
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

function isStale(): boolean {
  const built = join(root, 'out', 'renderer', 'index.html');
  const sources = Math.max(
    newest(join(root, 'renderer')),
    newest(join(root, 'shared')),
    newest(join(root, 'electron')),
  );
  return !(existsSync(built) && statSync(built).mtimeMs >= sources && existsSync(join(root, 'out', 'main')));
}

const BUILD_ARGS = [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'];

/** The Electron app needs its build before it starts. */
function buildNow(): void {
  process.stdout.write('Building the app (first start or sources changed)…\n');
  const result = spawnSync(process.execPath, BUILD_ARGS, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.status !== 0) process.stderr.write('The build failed (see above).\n');
}

/** Headless serves at once; the console is built alongside and shows up as soon as it is ready. */
function buildInBackground(): void {
  process.stdout.write(
    'Building the console in the background (first start or sources changed); the login link works when it is done.\n',
  );
  const child = spawn(process.execPath, BUILD_ARGS, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (c: Buffer) => (errors += c.toString()));
  child.on('exit', (code) => {
    if (code === 0) process.stdout.write('The console is built.\n');
    else process.stderr.write(`Building the console failed:\n${errors}\n`);
  });
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

const runtime = forceHeadless ? { reason: '--headless was given' } : electronRuntime();
if ('binary' in runtime) {
  if (isStale()) buildNow();
  const child = spawn(runtime.binary, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
} else {
  process.stdout.write(`Starting headless: ${runtime.reason}.\n`);
  if (isStale()) buildInBackground();
  const { runHeadless } = await import('../core/cli/headless.ts');
  await runHeadless();
}
