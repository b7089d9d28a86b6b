// Drives `akc run` as a real process tree against a real daemon: the agent's key in a 0600 file, the
// daemon found through daemon.json in its data directory, exactly as a person would run it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestDaemon } from '../helpers/daemon.ts';
import { NODE22, ROOT } from '../helpers/env.ts';
import { generateAgentKey, saveKeyToFile, type StoredAgentKey } from '../../core/identity/key-store.ts';
import { publicPart } from '../../core/identity/jwk.ts';

export const AKC = join(ROOT, 'core/cli/akc.ts');

export interface Enrolled {
  id: string;
  name: string;
  key: StoredAgentKey;
  keyFile: string;
  token: string;
}

export async function enrolledAgent(
  t: TestDaemon,
  name: string,
  scopes: Parameters<TestDaemon['admin']['agents']['create']>[0]['scopes'],
): Promise<Enrolled> {
  const created = await t.admin.agents.create({ name, scopes });
  const key = await generateAgentKey(created.agent);
  const keyFile = join(mkdtempSync(join(tmpdir(), 'akc-key-')), `${name}.key.json`);
  saveKeyToFile(keyFile, key);
  await t.admin.call('agentEnroll', { id: created.agent.id, publicKey: publicPart(key.privateJwk) });
  return { id: created.agent.id, name, key, keyFile, token: created.token };
}

export interface Run {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `akc run` (or another akc command) with the daemon's data directory in its environment. */
export function akc(
  t: TestDaemon,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  stdin: 'ignore' | 'pipe' = 'ignore',
): Run {
  const proc = spawn(NODE22, ['--no-warnings', AKC, ...args], {
    cwd: ROOT,
    env: { ...process.env, AKC_DATA_DIR: t.dir, ...env },
    stdio: [stdin, 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, stdout: () => out, stderr: () => err, exit };
}

/** Resolves once the text appears in the output (the child says it is ready), or rejects when it exits. */
export function waitFor(run: Run, what: () => string, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (what().includes(text)) {
        cleanup();
        resolve();
      }
    };
    const onExit = (): void => {
      cleanup();
      reject(new Error(`exited before "${text}":\n${run.stdout()}\n${run.stderr()}`));
    };
    const cleanup = (): void => {
      run.proc.stdout?.off('data', check);
      run.proc.stderr?.off('data', check);
      run.proc.off('exit', onExit);
    };
    run.proc.stdout?.on('data', check);
    run.proc.stderr?.on('data', check);
    run.proc.on('exit', onExit);
    check();
  });
}
