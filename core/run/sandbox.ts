// The `akc run` sandbox (Linux, bubblewrap): the command sees the same files as its user, except the
// keychain's own data directory, any owner credential file, the agent's key file, the keyring files, the
// D-Bus session bus and systemd's user manager, which are hidden (an empty tmpfs over folders, /dev/null
// over files and sockets). It gets its own PID namespace and /proc, so it cannot reach other processes' files through
// /proc/<pid>/root either, and cannot type into the owner's terminal (seccomp.ts). The network is shared
// (loopback must reach the daemon). README "akc run".
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve, sep } from 'node:path';
import { ttyInjectionFilter } from './seccomp.ts';

export function findBwrap(env: NodeJS.ProcessEnv): string | null {
  if (process.platform !== 'linux') return null;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'bwrap');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}

export interface SandboxInput {
  env: NodeJS.ProcessEnv;
  dataDir: string;
  /** The agent key file akc run read, if any: the child must not mint credentials with it. */
  keyFile?: string;
}

export interface SandboxPlan {
  /** bwrap options, up to and including "--". */
  args: string[];
  hidden: string[];
  /** The system-call filter bwrap reads from SECCOMP_FD (seccomp.ts), or null where there is none. */
  seccomp: Buffer | null;
}

/** The descriptor the launcher hands the filter to bubblewrap on. */
export const SECCOMP_FD = 3;

/** The session bus socket the child must not reach; throws when it cannot be hidden by a mount. */
function busSocket(address: string | undefined): string | null {
  if (address === undefined || address === '') return null;
  for (const part of address.split(';')) {
    const [transport, rest = ''] = part.split(':', 2);
    const fields = new Map(
      rest.split(',').map((kv) => {
        const i = kv.indexOf('=');
        return [kv.slice(0, i), decodeURIComponent(kv.slice(i + 1))] as const;
      }),
    );
    if (transport === 'unix' && fields.has('path')) return fields.get('path') ?? null;
    if (transport === 'unix' && fields.has('abstract'))
      throw new Error(
        'The D-Bus session bus listens on an abstract socket, which the sandbox cannot hide without cutting the network. ' +
          'Run with --no-sandbox if you accept that the command can reach the Secret Service.',
      );
    if (transport === 'tcp' || transport === 'nonce-tcp')
      throw new Error(
        'The D-Bus session bus listens on TCP, which the sandbox cannot hide; use --no-sandbox to run anyway.',
      );
  }
  return null;
}

export function sandboxPlan(input: SandboxInput): SandboxPlan {
  const { env } = input;
  const home = env.HOME ?? homedir();
  const dataHome = env.XDG_DATA_HOME?.startsWith('/') ? env.XDG_DATA_HOME : join(home, '.local', 'share');
  const runtime = env.XDG_RUNTIME_DIR;
  const folders = [
    input.dataDir,
    join(dataHome, 'keyrings'),
    join(home, '.local', 'share', 'keyrings'),
    ...(runtime ? [join(runtime, 'keyring')] : []),
    // systemd's user manager (its private socket): `systemd-run --user` would start a command outside the
    // sandbox, and `systemctl --user` could change what runs as the owner.
    ...(runtime ? [join(runtime, 'systemd')] : []),
  ];
  const files = [
    env.AKC_ADMIN_TOKEN_FILE,
    env.AKC_PASSPHRASE_FILE,
    input.keyFile,
    busSocket(env.DBUS_SESSION_BUS_ADDRESS),
    ...(runtime ? [join(runtime, 'bus')] : []),
  ];
  const args = [
    '--bind',
    '/',
    '/',
    '--dev-bind',
    '/dev',
    '/dev',
    '--proc',
    '/proc',
    '--unshare-pid',
    '--die-with-parent',
  ];
  // The command must not type into the owner's terminal (seccomp.ts). Where no filter is written for this
  // architecture, a session of its own does it instead, at the cost of the terminal's signals and /dev/tty.
  const seccomp = ttyInjectionFilter();
  args.push(...(seccomp !== null ? ['--seccomp', String(SECCOMP_FD)] : ['--new-session']));
  const hidden: string[] = [];
  const inside = (p: string): boolean => hidden.some((h) => p === h || p.startsWith(h + sep));
  for (const f of folders) {
    const p = resolve(f);
    if (!existsSync(p) || inside(p)) continue;
    args.push(
      statSync(p).isDirectory() ? '--tmpfs' : '--ro-bind',
      ...(statSync(p).isDirectory() ? [p] : ['/dev/null', p]),
    );
    hidden.push(p);
  }
  for (const f of files) {
    if (f === undefined || f === null || f === '') continue;
    const p = resolve(f);
    if (!existsSync(p) || inside(p)) continue;
    if (statSync(p).isDirectory()) args.push('--tmpfs', p);
    else args.push('--ro-bind', '/dev/null', p);
    hidden.push(p);
  }
  args.push('--');
  return { args, hidden, seccomp };
}
