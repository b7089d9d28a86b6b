// Who is calling: on Linux, map the caller's TCP port to a PID and command line through /proc. Used only
// when a request is held for approval (never on the hot path). Elsewhere the process is "unknown".
import { readFile, readdir, readlink } from 'node:fs/promises';
import type { ProcessInfo } from '../../shared/models.ts';

const UNKNOWN = (note: string): ProcessInfo => ({ pid: null, command: null, parents: [], note });

function portHex(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

/** The inode of the loopback TCP connection between these ports (Linux /proc), or null. */
export async function socketInode(clientPort: number, serverPort: number): Promise<string | null> {
  const local = `:${portHex(clientPort)}`;
  const remote = `:${portHex(serverPort)}`;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols[1] local address, cols[2] remote address, cols[9] inode
      if (cols[1]?.endsWith(local) && cols[2]?.endsWith(remote) && cols[9] && cols[9] !== '0') return cols[9];
    }
  }
  return null;
}

async function commandOf(pid: number): Promise<string> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    const cmd = raw.split('\0').filter(Boolean).join(' ');
    return cmd.length > 300 ? `${cmd.slice(0, 300)}…` : cmd;
  } catch {
    return '?';
  }
}

async function parentOf(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(after[1]);
    return Number.isInteger(ppid) && ppid > 1 ? ppid : null;
  } catch {
    return null;
  }
}

export async function lookupProcess(
  clientPort: number | undefined,
  serverPort: number,
): Promise<ProcessInfo> {
  if (process.platform !== 'linux') return UNKNOWN(`Process lookup is not available on ${process.platform}.`);
  if (clientPort === undefined) return UNKNOWN('The connection has no client port.');
  const inode = await socketInode(clientPort, serverPort);
  if (!inode) return UNKNOWN('The calling socket was not found in /proc/net.');
  const target = `socket:[${inode}]`;
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  } catch {
    return UNKNOWN('/proc cannot be read.');
  }
  for (const pidText of pids) {
    const pid = Number(pidText);
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = await readlink(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (link !== target) continue;
      const parents: { pid: number; command: string }[] = [];
      let parent = await parentOf(pid);
      while (parent !== null && parents.length < 5) {
        parents.push({ pid: parent, command: await commandOf(parent) });
        parent = await parentOf(parent);
      }
      return { pid, command: await commandOf(pid), parents, note: null };
    }
  }
  return UNKNOWN('The calling process could not be found (it may run as another user).');
}
