// The process tree as Linux's /proc shows it, read by the daemon itself (never what a caller claims).
// An owner session is bound to the shell that ran `akc login` (its "anchor"): a request is honoured only
// from an akc process that this very shell started, directly or through `npx`/`npm exec` (see README
// "Owner sessions and presence" for why, and for what remains possible).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { socketInodeSync, type Connection } from '../procfs.ts';

export interface Anchor {
  pid: number;
  /** Start time in clock ticks since boot: with the pid, names one process even after pids wrap. */
  start: string;
}

export const hasProc = process.platform === 'linux';

interface Stat {
  ppid: number;
  start: string;
}

export function statOf(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces or ")": fields start after the last ")".
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const start = fields[19];
    if (!Number.isInteger(ppid) || start === undefined) return null;
    return { ppid, start };
  } catch {
    return null;
  }
}

export function argvOf(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const argv = raw.split('\0');
    if (argv[argv.length - 1] === '') argv.pop();
    // A process that rewrote its title may leave one string padded with spaces.
    return argv.length === 1 ? (argv[0] ?? '').trim().split(/\s+/) : argv;
  } catch {
    return null;
  }
}

function exeName(pid: number): string | null {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`));
  } catch {
    return null;
  }
}

export function commandLine(pid: number): string {
  const argv = argvOf(pid);
  if (argv === null) return '?';
  const cmd = argv.join(' ');
  return cmd.length > 300 ? `${cmd.slice(0, 300)}…` : cmd;
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ash', 'busybox']);

/** True when argv runs the akc CLI entry (the launcher execs `node …/core/cli/akc.ts`). */
export function isAkcArgv(argv: readonly string[]): boolean {
  return /(^|\/)core\/cli\/akc\.(ts|js)$/.test(argv[1] ?? '');
}

/** The akc CLI itself, as run by node (the exe is checked, not only the claimed name). */
export function isAkcProcess(pid: number): boolean {
  const argv = argvOf(pid);
  return argv !== null && isAkcArgv(argv) && (exeName(pid) ?? '').startsWith('node');
}

/**
 * Launchers that stand between a shell and akc when the owner types `npx akc …` or `npm exec akc`:
 * npm renames itself "npm exec akc …", then runs `sh -c 'akc' …`. Only these exact shapes are skipped,
 * so a script that merely runs akc (`bash -c "npx akc …"` in an agent's tool, an npm lifecycle script)
 * is not skipped and becomes the anchor, which never matches the owner's shell.
 */
function isLauncher(pid: number): boolean {
  const argv = argvOf(pid);
  if (argv === null) return false;
  const exe = exeName(pid) ?? '';
  if (SHELLS.has(exe) && argv[1] === '-c') return /^'?akc'?(\s|$)/.test(argv[2] ?? '');
  if (exe.startsWith('node') && argv[0] === 'npm' && argv[1] === 'exec') {
    const rest = argv.slice(2).filter((a) => a !== '--');
    return rest[0] === 'akc';
  }
  return false;
}

/** The process an akc invocation is bound to: its first ancestor that is not an npx/npm launcher. */
export function anchorOf(pid: number): Anchor | null {
  let current = statOf(pid);
  let hops = 0;
  while (current !== null && current.ppid > 1 && hops < 8) {
    const parent = current.ppid;
    if (!isLauncher(parent)) {
      const s = statOf(parent);
      return s === null ? null : { pid: parent, start: s.start };
    }
    current = statOf(parent);
    hops += 1;
  }
  return null;
}

export function sameAnchor(a: Anchor | null, b: Anchor | null): boolean {
  return a !== null && b !== null && a.pid === b.pid && a.start === b.start;
}

/** True when pid or any ancestor is an `akc run` launcher: nothing launched for an agent acts as the owner. */
export function insideAkcRun(pid: number): boolean {
  let p: number | null = pid;
  for (let hops = 0; p !== null && p > 1 && hops < 64; hops += 1) {
    const argv = argvOf(p);
    if (argv !== null && isAkcArgv(argv) && argv.slice(2).includes('run')) {
      // `akc run` is the first word after global options.
      const words = argv.slice(2).filter((a) => !a.startsWith('-'));
      if (words[0] === 'run') return true;
    }
    p = statOf(p)?.ppid ?? null;
  }
  return false;
}

/** The pid whose open files include the socket with this inode (the hint is checked first). */
export function pidOfSocket(inode: string, hint: number | null): number | null {
  const target = `socket:[${inode}]`;
  const holds = (pid: number): boolean => {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return true;
        } catch {
          // fd closed meanwhile
        }
      }
    } catch {
      // not ours to read, or gone
    }
    return false;
  };
  if (hint !== null && hint > 1 && holds(hint)) return hint;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const p of pids) {
    const pid = Number(p);
    if (pid !== hint && holds(pid)) return pid;
  }
  return null;
}

/** The process at the other end of a loopback connection to this server, or null. */
export function peerPid(connection: Connection, hint: number | null): number | null {
  if (!hasProc || connection.remotePort === undefined) return null;
  const inode = socketInodeSync(connection);
  return inode === null ? null : pidOfSocket(inode, hint);
}

export function processInfo(pid: number): {
  pid: number;
  command: string;
  parents: { pid: number; command: string }[];
  note: string | null;
} {
  const parents: { pid: number; command: string }[] = [];
  let parent = statOf(pid)?.ppid ?? null;
  while (parent !== null && parent > 1 && parents.length < 6) {
    parents.push({ pid: parent, command: commandLine(parent) });
    parent = statOf(parent)?.ppid ?? null;
  }
  let cwd: string | null;
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    cwd = null;
  }
  return { pid, command: commandLine(pid), parents, note: cwd === null ? null : `cwd ${cwd}` };
}
