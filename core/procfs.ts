// What Linux's /proc says about local processes and loopback TCP connections, read by the daemon itself
// (never what a caller claims): which socket inode joins a client port to our server port, which processes
// hold that socket open, and a process's parent. One reader for the approvals' "who is calling"
// (core/approvals/process.ts), the caller on audit entries (core/audit/caller.ts), session credentials
// bound to a process tree (core/agents/session-peer.ts) and owner sessions bound to a shell
// (core/owner/tree.ts). Elsewhere than Linux there is no /proc.
import { readFileSync } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';

const TCP_TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

const portHex = (port: number): string => port.toString(16).toUpperCase().padStart(4, '0');

/** The inode in one /proc/net/tcp{,6} table of the connection from `clientPort` to `serverPort`, or null. */
function inodeIn(table: string, clientPort: number, serverPort: number): string | null {
  const local = `:${portHex(clientPort)}`;
  const remote = `:${portHex(serverPort)}`;
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    // cols[1] local address, cols[2] remote address, cols[9] inode
    if (cols[1]?.endsWith(local) && cols[2]?.endsWith(remote) && cols[9] && cols[9] !== '0') return cols[9];
  }
  return null;
}

/** The inode of the client end of a loopback TCP connection (client port → server port), or null. */
export async function socketInode(clientPort: number, serverPort: number): Promise<string | null> {
  for (const path of TCP_TABLES) {
    let table: string;
    try {
      table = await readFile(path, 'utf8');
    } catch {
      continue;
    }
    const inode = inodeIn(table, clientPort, serverPort);
    if (inode !== null) return inode;
  }
  return null;
}

/** The same, synchronously (the owner check runs inside one synchronous step). */
export function socketInodeSync(clientPort: number, serverPort: number): string | null {
  for (const path of TCP_TABLES) {
    let table: string;
    try {
      table = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const inode = inodeIn(table, clientPort, serverPort);
    if (inode !== null) return inode;
  }
  return null;
}

/**
 * The pids whose open files include socket `inode` (at most one with `first`; this process left out with
 * `skipSelf`), or null when /proc cannot be listed. Processes of other users cannot be read and are missed.
 */
export async function socketHolders(
  inode: string,
  options: { first?: boolean; skipSelf?: boolean } = {},
): Promise<number[] | null> {
  const found = await holdersOf(new Set([inode]), options);
  return found === null ? null : (found.get(inode) ?? []);
}

/**
 * For several socket inodes at once, in one pass over /proc (or over the processes `among`): inode → the pids
 * holding it (the first one only with `first`, and the pass ends once every inode has one). Null when /proc
 * cannot be listed.
 */
export async function holdersOf(
  inodes: ReadonlySet<string>,
  options: { first?: boolean; skipSelf?: boolean; among?: readonly number[] } = {},
): Promise<Map<string, number[]> | null> {
  const wanted = new Map([...inodes].map((inode) => [`socket:[${inode}]`, inode]));
  let pids: readonly number[];
  try {
    // `among`: look only at these processes (a cheap first pass over the usual callers).
    pids = options.among ?? (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return null;
  }
  const found = new Map<string, number[]>();
  for (const pid of pids) {
    if (options.first === true && wanted.size === 0) break;
    if (options.skipSelf === true && pid === process.pid) continue;
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
      const inode = wanted.get(link);
      if (inode === undefined) continue;
      const list = found.get(inode) ?? [];
      if (!list.includes(pid)) list.push(pid);
      found.set(inode, list);
      if (options.first === true) wanted.delete(link);
    }
  }
  return found;
}

/** The parent of `pid` (0 for the kernel's own), or null when the process is gone or unreadable. */
export async function parentPid(pid: number): Promise<number | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may hold spaces or ")": fields start after the last ")".
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(after[1]);
    return Number.isInteger(ppid) && ppid > 0 ? ppid : null;
  } catch {
    return null;
  }
}
