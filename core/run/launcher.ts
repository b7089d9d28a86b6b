// `akc run`: opens the control connection (POST /v1/sessions, signed with the agent's enrolled key),
// starts the command with the session credential in its environment (in the bubblewrap sandbox where
// it exists), forwards signals, and ends the session when the command exits: the control connection is
// closed and the daemon's close is awaited, so the credential is already refused when `akc run` returns.
// If `akc run` itself dies, the kernel closes the connection and the daemon ends the session then.
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { SessionLine } from '../../shared/identity.ts';
import type { StoredAgentKey } from '../identity/key-store.ts';
import { signAssertion } from '../identity/sign.ts';
import { childEnv, SESSION_MARKER } from './child-env.ts';
import { findBwrap, SECCOMP_FD, sandboxPlan } from './sandbox.ts';

/** Exit codes of akc run itself (the command's own code passes through otherwise). */
export const EXIT = { launcherFailed: 125, notExecutable: 126, notFound: 127 } as const;

export interface RunOptions {
  url: string;
  key: StoredAgentKey;
  keyFile?: string;
  dataDir: string;
  command: string;
  args: string[];
  ttlSeconds?: number;
  sandbox: boolean;
  verbose: boolean;
  env: NodeJS.ProcessEnv;
  /** One-line notices and --verbose output (stderr). */
  say: (line: string) => void;
}

export class LaunchError extends Error {}

interface Control {
  req: ClientRequest;
  res: IncomingMessage;
  first: Extract<SessionLine, { type: 'session' }>;
  closed: Promise<void>;
}

/** Opens the control connection and reads the first line (the session) of its NDJSON stream. */
async function openControl(opts: RunOptions): Promise<Control> {
  const assertion = await signAssertion(opts.key, opts.url);
  const command = [opts.command, ...opts.args].join(' ').slice(0, 300);
  const body = JSON.stringify({
    assertion,
    command,
    ...(opts.ttlSeconds !== undefined ? { ttlSeconds: opts.ttlSeconds } : {}),
  });
  const target = new URL('/v1/sessions', opts.url);
  return new Promise((resolve, reject) => {
    const req = request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    req.on('error', (err) =>
      reject(new LaunchError(`Cannot reach Agent Keychain at ${opts.url}: ${err.message}. Is it running?`)),
    );
    req.on('response', (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      let first: Control['first'] | null = null;
      const closed = new Promise<void>((done) => res.once('close', done));
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (res.statusCode !== 200) continue;
          const parsed = SessionLine.safeParse(JSON.parse(line));
          if (!parsed.success) continue;
          if (parsed.data.type === 'session' && first === null) {
            first = parsed.data;
            resolve({ req, res, first, closed });
          } else if (parsed.data.type === 'renewed' && opts.verbose) {
            opts.say(`akc run: session renewed until ${parsed.data.expiresAt}`);
          }
        }
      });
      res.on('end', () => {
        if (first !== null) return;
        let message = `Agent Keychain answered ${res.statusCode ?? '?'}.`;
        try {
          const err = JSON.parse(buffer) as { error?: { message?: string } };
          if (err.error?.message) message = err.error.message;
        } catch {
          // Keep the status line.
        }
        reject(new LaunchError(message));
      });
    });
    req.end(body);
  });
}

/** The pid that should get forwarded signals: the command, not bubblewrap's own processes. */
async function commandPid(child: ChildProcess, sandboxed: boolean): Promise<number | undefined> {
  if (!sandboxed || child.pid === undefined) return child.pid;
  // bwrap (outer) → bwrap (pid 1 of the namespace) → the command (after the exec shim).
  let pid = child.pid;
  for (let depth = 0; depth < 2; depth += 1) {
    const next = await childOf(pid);
    if (next === undefined) return child.pid;
    pid = next;
  }
  return pid;
}

async function childOf(pid: number): Promise<number | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    const first = text.trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

export async function runSession(opts: RunOptions): Promise<number> {
  if (opts.env[SESSION_MARKER] !== undefined)
    throw new LaunchError(
      'akc run cannot be started inside another akc run session; run it from a normal shell.',
    );

  let sandboxArgs: string[] | null = null;
  let seccomp: Buffer | null = null;
  let bwrap: string | null = null;
  if (opts.sandbox) {
    bwrap = findBwrap(opts.env);
    if (bwrap === null) {
      opts.say(
        process.platform === 'linux'
          ? 'akc run: no sandbox (bubblewrap is not installed: apt install bubblewrap); the command can read the keychain’s files.'
          : `akc run: no sandbox on ${process.platform}; the command can read the keychain’s files.`,
      );
    } else {
      const plan = sandboxPlan({ env: opts.env, dataDir: opts.dataDir, keyFile: opts.keyFile });
      sandboxArgs = plan.args;
      seccomp = plan.seccomp;
      if (opts.verbose) opts.say(`akc run: sandbox hides ${plan.hidden.join(', ') || 'nothing'}`);
    }
  }

  const control = await openControl(opts);
  const { session } = control.first;
  if (opts.verbose)
    opts.say(`akc run: session ${session.id} for ${session.agentName} until ${session.expiresAt}`);
  const env = childEnv(opts.env, control.first.env, session.id, sandboxArgs !== null);

  let child: ChildProcess;
  if (sandboxArgs !== null && bwrap !== null) {
    // sh makes bubblewrap ignore the terminal's SIGINT/SIGQUIT (they still reach the command, which
    // shares the terminal); the shim inside restores default signal handling before running it.
    const shim = fileURLToPath(new URL('./exec-shim.ts', import.meta.url));
    child = spawn(
      '/bin/sh',
      [
        '-c',
        'trap "" INT QUIT; exec "$@"',
        'akc-run',
        bwrap,
        ...sandboxArgs,
        process.execPath,
        '--no-warnings',
        shim,
        opts.command,
        ...opts.args,
      ],
      // The filter goes to bubblewrap on its own descriptor (sandbox.ts SECCOMP_FD), written below.
      { stdio: seccomp !== null ? ['inherit', 'inherit', 'inherit', 'pipe'] : 'inherit', env },
    );
    if (seccomp !== null) {
      const filter = child.stdio[SECCOMP_FD];
      if (filter === null || filter === undefined || !('write' in filter)) {
        child.kill('SIGKILL');
        throw new LaunchError('The sandbox could not be given its system-call filter; nothing was run.');
      }
      // bwrap refuses to start without the whole filter: a broken pipe here means the command never runs.
      filter.on('error', () => undefined);
      filter.end(seccomp);
    }
  } else {
    child = spawn(opts.command, opts.args, { stdio: 'inherit', env });
  }

  // On a terminal, Ctrl+C, Ctrl+\ and resizes already reach the command (same process group): sending them
  // again would count twice (e.g. "press Ctrl+C again to exit"). A sandbox that gives the command a session
  // of its own (where no seccomp filter exists, sandbox.ts) cuts it off from them, so they are forwarded.
  const sharesTerminal = process.stdin.isTTY && !(sandboxArgs ?? []).includes('--new-session');
  const forward = (signal: NodeJS.Signals): void => {
    if (sharesTerminal && (signal === 'SIGINT' || signal === 'SIGQUIT' || signal === 'SIGWINCH')) return;
    void commandPid(child, sandboxArgs !== null).then((pid) => {
      if (pid === undefined) return;
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    });
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGWINCH'];
  for (const s of signals) process.on(s, forward);

  const code = await new Promise<number>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      opts.say(`akc run: cannot run ${opts.command}: ${err.message}`);
      resolve(err.code === 'ENOENT' ? EXIT.notFound : EXIT.notExecutable);
    });
    child.once('exit', (exitCode, signal) => {
      if (exitCode !== null) resolve(exitCode);
      else resolve(128 + (signal ? (constants.signals[signal] ?? 1) : 1));
    });
  });
  for (const s of signals) process.off(s, forward);

  // End the session before returning: half-close, then wait (bounded) for the daemon to close its side,
  // which it does only after the session has ended.
  control.req.socket?.end();
  await Promise.race([control.closed, new Promise((r) => setTimeout(r, 2000).unref())]);
  control.res.destroy();
  if (opts.verbose) opts.say(`akc run: session ${session.id} ended; exit code ${code}`);
  return code;
}
