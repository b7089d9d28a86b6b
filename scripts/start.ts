// `npm start`: starts the Electron tray app where an Electron runtime and a display exist (building it first
// when its sources changed), and the same core headless (browser console) where they do not; headless
// serves at once and builds a stale console alongside.
// `npm start -- --headless` forces headless; `--help` and `--version` answer and exit; unknown flags are
// an error (exit 2).
import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { join, dirname } from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { constants } from 'node:os';
import { appBuildArgs, appStale } from './app-build.ts';
import { buildBundle, DAEMON_NODE_FLAGS, freshBundle, HEADLESS } from './headless-bundle.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const cli = new Command()
  .name('npm start --')
  .description(
    'Starts Agent Keychain: the desktop tray app where Electron and a display exist, otherwise headless with\n' +
      'the browser console on the loopback port (its one-time login link is printed here, once).\n' +
      'Environment: AKC_PORT, AKC_DATA_DIR, AKC_PASSPHRASE_FILE, AKC_ADMIN_TOKEN_FILE (see README).',
  )
  .version(pkg.version, '-V, --version', 'print the version')
  .helpOption('-h, --help', 'show this help')
  .option('--headless', 'start headless (browser console) even where the desktop app could run')
  .option('--hidden', 'desktop app: start in the tray without opening the window')
  .showHelpAfterError('(run `npm start -- --help` for usage)')
  .exitOverride();
try {
  cli.parse(process.argv.slice(2), { from: 'user' });
} catch (err) {
  process.exit(err instanceof CommanderError ? (err.exitCode === 0 ? 0 : 2) : 1);
}
const options = cli.opts<{ headless?: boolean; hidden?: boolean }>();
const forceHeadless = options.headless === true;

const BUILD_ARGS = appBuildArgs(root);

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

/**
 * Headless runs the daemon as plain JavaScript (scripts/headless-bundle.ts), rebuilt first when its sources
 * changed, in a child process that has no TypeScript loader in it. It stops when this launcher stops, even
 * on SIGKILL: it watches the IPC channel. If the bundle cannot be built, the sources run here instead.
 */
async function startHeadless(): Promise<void> {
  const bundle = { root, ...HEADLESS };
  let file = freshBundle(bundle);
  if (file === null) {
    process.stdout.write('Building the headless daemon (first start or sources changed)…\n');
    try {
      file = await buildBundle(bundle);
    } catch (err) {
      process.stderr.write(
        `Building the headless daemon failed (${err instanceof Error ? err.message : String(err)}); ` +
          'starting it from the TypeScript sources instead.\n',
      );
      const { runHeadless } = await import('../core/cli/headless.ts');
      await runHeadless();
      return;
    }
  }
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, file], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  forwardSignals(child);
}

/**
 * This launcher passes stop signals on to the app and ends as it ends (128 + n for a signal, as a shell).
 * `npm start` runs it under `sh -c`, and a shell killed with SIGTERM does not pass the signal on: when this
 * process's parent is gone (it is re-parented), the app is stopped as if the signal had reached it.
 */
function forwardSignals(child: ChildProcess): void {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) child.kill('SIGTERM');
  }, PARENT_CHECK_MS).unref();
  child.on('exit', (code, signal) =>
    process.exit(code ?? (signal !== null ? 128 + constants.signals[signal] : 1)),
  );
}

/** How often the launcher looks whether its parent (npm's shell) is still there. */
const PARENT_CHECK_MS = 500;

const runtime = forceHeadless ? { reason: '--headless was given' } : electronRuntime();
if ('binary' in runtime) {
  if (appStale(root)) buildNow();
  const child = spawn(runtime.binary, [root, ...(options.hidden === true ? ['--hidden'] : [])], {
    stdio: 'inherit',
  });
  forwardSignals(child);
} else {
  process.stdout.write(`Starting headless: ${runtime.reason}.\n`);
  if (appStale(root)) buildInBackground();
  await startHeadless();
}
