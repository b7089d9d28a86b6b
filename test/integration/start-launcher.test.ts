// `npm start` headless: the launcher (scripts/start.ts) runs the daemon built to plain JavaScript
// (scripts/headless-bundle.ts) in a child process, rebuilt whenever its sources change, and the daemon
// never outlives the launcher.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { NODE22, ROOT } from '../helpers/env.ts';
import { runProgram } from '../helpers/child.ts';
import { buildBundle, freshBundle, HEADLESS, sourcesDigest } from '../../scripts/headless-bundle.ts';

const DaemonJson = z.object({ url: z.string(), pid: z.number().int(), version: z.string() });

interface Launched {
  proc: ChildProcessByStdio<null, Readable, Readable>;
  out: () => string;
  /** Resolves when every process writing to the launcher's stdout (the launcher and the daemon) is gone. */
  outClosed: Promise<void>;
  exit: Promise<number | null>;
  daemon: z.infer<typeof DaemonJson>;
}

/** `npm start -- --headless`: the launcher itself, or under `sh -c` as npm runs it (`viaShell`). */
function launch(dir: string, viaShell = false): Promise<Launched> {
  const command = [NODE22, join(ROOT, 'scripts/start.ts'), '--headless'];
  const proc = spawn(
    viaShell ? 'sh' : NODE22,
    viaShell ? ['-c', command.map((a) => `'${a}'`).join(' ')] : command.slice(1),
    { env: { ...process.env, AKC_DATA_DIR: dir, AKC_PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  const outClosed = new Promise<void>((resolve) => proc.stdout.on('close', () => resolve()));
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  let ready = false;
  return new Promise((resolve, reject) => {
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      // Output after the ready line (the stop message) is only collected: daemon.json is gone by then.
      if (ready || !out.includes('Stop with Ctrl+C')) return;
      ready = true;
      const daemon = DaemonJson.parse(JSON.parse(readFileSync(join(dir, 'daemon.json'), 'utf8')));
      resolve({ proc, out: () => out, outClosed, exit, daemon });
    });
    void exit.then((code) => reject(new Error(`npm start exited with ${String(code)}:\n${out}\n${err}`)));
  });
}

/** Sends `signal` to the launcher: it passes it on, the daemon stops cleanly, and both exit 0. */
async function stopsCleanlyOn(run: Launched, dir: string, signal: NodeJS.Signals): Promise<void> {
  run.proc.kill(signal);
  expect(await run.exit).toBe(0);
  await run.outClosed;
  expect(run.out()).toContain(`${signal}: stopping Agent Keychain`);
  expect(existsSync(join(dir, 'daemon.json'))).toBe(false);
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
/** A temporary folder, removed after these tests. */
function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

const cmdline = (pid: number): string => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');

describe('npm start -- --headless', () => {
  it('runs the bundle built from the current sources in its own process, which answers on the loopback port', async () => {
    const dir = join(temp('akc-launch-'), 'data');
    const run = await launch(dir);
    const bundle = freshBundle({ root: ROOT, ...HEADLESS });
    expect(bundle).toBe(join(ROOT, 'out/headless/headless.js'));
    expect(readFileSync(join(ROOT, 'out/headless/sources.sha256'), 'utf8').trim()).toBe(
      sourcesDigest({ root: ROOT, ...HEADLESS }),
    );
    // The daemon is the bundle, not the launcher and not the TypeScript sources.
    expect(run.daemon.pid).not.toBe(run.proc.pid);
    expect(cmdline(run.daemon.pid)).toContain('out/headless/headless.js');
    expect(cmdline(run.daemon.pid)).not.toContain('.ts');
    const presence = await fetch(`${run.daemon.url}/admin/v1/owner/presence`);
    expect(presence.status).toBe(200);
    expect(run.out()).toContain('/console/login?code=');

    await stopsCleanlyOn(run, dir, 'SIGTERM');
  });

  it('passes SIGHUP (the terminal closed) on to the daemon, which stops cleanly', async () => {
    const dir = join(temp('akc-launch-'), 'data');
    await stopsCleanlyOn(await launch(dir), dir, 'SIGHUP');
  });

  it("stops the daemon cleanly when npm's shell is killed with SIGTERM (a shell does not pass it on)", async () => {
    const dir = join(temp('akc-launch-'), 'data');
    const run = await launch(dir, true);
    run.proc.kill('SIGTERM');
    // The launcher sees it was re-parented and stops the daemon; the pipe closes when both are gone.
    await run.outClosed;
    expect(run.out()).toContain('SIGTERM: stopping Agent Keychain');
    expect(existsSync(join(dir, 'daemon.json'))).toBe(false);
  });

  it('stops the daemon cleanly when the launcher is killed with SIGKILL', async () => {
    const dir = join(temp('akc-launch-'), 'data');
    const run = await launch(dir);
    run.proc.kill('SIGKILL');
    // The daemon holds the launcher's stdout: the pipe closes only once the daemon has exited.
    await run.outClosed;
    expect(run.out()).toContain('The launcher exited: stopping Agent Keychain');
    expect(existsSync(join(dir, 'daemon.json'))).toBe(false);
    expect(
      existsSync(`/proc/${run.daemon.pid}/cmdline`) && cmdline(run.daemon.pid).includes('headless'),
    ).toBe(false);
  });
});

describe('the headless bundle', () => {
  it('is stale as soon as any source changes, and a rebuild runs the new code', async () => {
    const root = temp('akc-bundle-');
    mkdirSync(join(root, 'core'));
    mkdirSync(join(root, 'shared'));
    writeFileSync(join(root, 'shared/word.ts'), "export const word: string = 'first';\n");
    writeFileSync(
      join(root, 'core/main.ts'),
      "import { word } from '../shared/word.ts';\nprocess.stdout.write(word);\n",
    );
    const b = { root, entry: 'core/main.ts', sources: ['core', 'shared'], outDir: 'out/x' };
    expect(freshBundle(b)).toBeNull();
    // Vite sets NODE_ENV when it is unset; the daemon started after a build must not inherit that.
    const nodeEnv = process.env.NODE_ENV;
    delete process.env.NODE_ENV;
    let file: string;
    try {
      file = await buildBundle(b);
      expect(process.env.NODE_ENV).toBeUndefined();
    } finally {
      if (nodeEnv !== undefined) process.env.NODE_ENV = nodeEnv;
    }
    expect(freshBundle(b)).toBe(file);
    expect((await runProgram(NODE22, [file], { env: process.env })).stdout).toBe('first');

    writeFileSync(join(root, 'shared/word.ts'), "export const word: string = 'second';\n");
    expect(freshBundle(b)).toBeNull();
    await buildBundle(b);
    expect((await runProgram(NODE22, [file], { env: process.env })).stdout).toBe('second');

    // A build that did not finish leaves no digest behind, so it is never taken for fresh.
    rmSync(join(root, 'out/x/sources.sha256'));
    expect(freshBundle(b)).toBeNull();
  });
});
