// Runs the real headless daemon as a child process (node core/cli/headless.ts) and waits for its
// ready line, so tests exercise exactly what `npm start -- --headless` runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { NODE22, ROOT } from './env.ts';

export interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  url: string;
  exit: Promise<number | null>;
}

export function runHeadless(env: NodeJS.ProcessEnv): Promise<Child> {
  const proc = spawn(NODE22, [join(ROOT, 'core/cli/headless.ts')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /running headless on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1] && out.includes('Stop with Ctrl+C'))
        resolve({ proc, stdout: () => out, stderr: () => err, url: m[1], exit });
    });
    proc.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    void exit.then((code) =>
      reject(new Error(`headless exited with ${String(code)} before it was ready:\n${out}\n${err}`)),
    );
  });
}

/** Runs the headless command to completion (for starts that must refuse). */
export function runHeadlessToExit(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(NODE22, [join(ROOT, 'core/cli/headless.ts')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, stdout: out, stderr: err })));
}

/** The environment of a process outside any D-Bus session: no Secret Service can be reached. */
export function withoutDbus(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy.DISPLAY;
  delete copy.WAYLAND_DISPLAY;
  // No bus at all: not the session's, and not the user's default one under $XDG_RUNTIME_DIR/bus either.
  copy.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/akc-no-bus';
  copy.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'akc-nobus-'));
  return copy;
}

/**
 * The opt-in owner credential for unattended servers (AKC_ADMIN_TOKEN_FILE), placed outside the data
 * directory: child-process tests use it the way an unattended server would. Nothing is written by default.
 */
export function ownerTokenFile(): { env: { AKC_ADMIN_TOKEN_FILE: string }; read: () => string } {
  const file = join(mkdtempSync(join(tmpdir(), 'akc-owner-')), 'owner-token');
  return {
    env: { AKC_ADMIN_TOKEN_FILE: file },
    read: () => readFileSync(file, 'utf8').trim(),
  };
}

export interface AkcResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to its end as a child process of this test and collects what it printed. Without `input`
 * its stdin is closed (ignored); with it, `input` is written and stdin ended.
 */
export function runProgram(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; input?: string; onSpawn?: (pid: number) => void },
): Promise<AkcResult> {
  const proc = spawn(command, args, {
    env: options.env,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (proc.pid !== undefined) options.onSpawn?.(proc.pid);
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  if (options.input !== undefined) proc.stdin?.end(options.input);
  return new Promise((resolve) => proc.on('close', (code) => resolve({ code, stdout: out, stderr: err })));
}

/** Runs the real `akc` command (core/cli/akc.ts on Node 22) as a child process of this test. */
export function runAkc(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options: { input?: string; onSpawn?: (pid: number) => void } = {},
): Promise<AkcResult> {
  return runProgram(NODE22, [join(ROOT, 'core/cli/akc.ts'), ...args], {
    env,
    input: options.input ?? '',
    ...(options.onSpawn !== undefined ? { onSpawn: options.onSpawn } : {}),
  });
}
