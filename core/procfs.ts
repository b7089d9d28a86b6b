// What Linux's /proc says about local processes and loopback TCP connections, read by the daemon itself
// (never what a caller claims): which socket inode is the client end of a connection to our server, which
// processes hold that socket open, and a process's parent. One reader for the approvals' "who is calling"
// (core/approvals/process.ts), the caller on audit entries (core/audit/caller.ts), session credentials
// bound to a process tree (core/agents/session-peer.ts) and owner sessions bound to a shell
// (core/owner/tree.ts). Elsewhere than Linux there is no /proc.
import { readFileSync } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { endianness } from 'node:os';

const TCP_TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

/** A TCP connection as our server's end of it sees it (a net.Socket has these fields). */
export interface Connection {
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
  localAddress?: string | undefined;
  localPort?: number | undefined;
}

/** The connection's four ends now (a socket loses them once closed). */
export function connectionOf(socket: Connection): Connection {
  const { remoteAddress, remotePort, localAddress, localPort } = socket;
  return { remoteAddress, remotePort, localAddress, localPort };
}

const portHex = (port: number): string => port.toString(16).toUpperCase().padStart(4, '0');
const LITTLE_ENDIAN = endianness() === 'LE';
const MAPPED = '00000000000000000000ffff';

/**
 * An address as 32 hex digits in network order, IPv4 as IPv4-mapped IPv6 (so a row of either table and
 * either form of Node's address compare alike); null when it cannot be read.
 */
function addressKey(address: string): string | null {
  if (isIPv4(address))
    return (
      MAPPED +
      address
        .split('.')
        .map((b) => Number(b).toString(16).padStart(2, '0'))
        .join('')
    );
  if (!isIPv6(address)) return null;
  let host: string;
  try {
    // The URL parser's canonical form: hex groups only, "::" at most once, no embedded IPv4, no zone.
    host = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
  const [head = '', tail] = host.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.length === 8 ? groups.map((g) => g.padStart(4, '0')).join('') : null;
}

/** An address column of /proc/net/tcp{,6} ("0100007F", or 32 digits): each 32-bit word is in host order. */
function procAddressKey(hex: string): string | null {
  if (hex.length !== 8 && hex.length !== 32) return null;
  let out = '';
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8).toLowerCase();
    out += LITTLE_ENDIAN ? word.slice(6, 8) + word.slice(4, 6) + word.slice(2, 4) + word.slice(0, 2) : word;
  }
  return hex.length === 8 ? MAPPED + out : out;
}

/** "address:port" keys of a connection's two ends: the client's (the row's local) and ours (its remote). */
function endKeys(conn: Connection): { client: string; server: string } | null {
  const { remoteAddress, remotePort, localAddress, localPort } = conn;
  if (remoteAddress === undefined || remotePort === undefined) return null;
  if (localAddress === undefined || localPort === undefined) return null;
  const client = addressKey(remoteAddress);
  const server = addressKey(localAddress);
  if (client === null || server === null) return null;
  return { client: `${client}:${portHex(remotePort)}`, server: `${server}:${portHex(localPort)}` };
}

function procEndKey(column: string): string | null {
  const at = column.lastIndexOf(':');
  const address = at < 0 ? null : procAddressKey(column.slice(0, at));
  return address === null ? null : `${address}:${column.slice(at + 1)}`;
}

/**
 * For each connection, the inode of its client end: the row of /proc/net/tcp{,6} whose local end is the
 * client's address and port and whose remote end is our address and port. All four are compared, never the
 * ports alone: a same-user process could otherwise connect from another loopback address on the port of a
 * trusted process's connection and be taken for that process. A connection that no row, or more than one,
 * claims is left out: who is behind it stays unknown (fail closed).
 */
function inodesIn<C extends Connection>(tables: readonly string[], conns: readonly C[]): Map<C, string> {
  const wanted = new Map<string, C | null>();
  for (const conn of conns) {
    const keys = endKeys(conn);
    if (keys === null) continue;
    const key = `${keys.client}>${keys.server}`;
    wanted.set(key, wanted.has(key) ? null : conn); // two connections, one key: neither is answered
  }
  const found = new Map<C, string | null>();
  for (const table of tables) {
    for (const line of table.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols[1] local address (the client's end), cols[2] remote address (ours), cols[9] inode
      const [local, remote, inode] = [cols[1], cols[2], cols[9]];
      if (local === undefined || remote === undefined || inode === undefined || inode === '0') continue;
      const client = procEndKey(local);
      const server = procEndKey(remote);
      if (client === null || server === null) continue;
      const conn = wanted.get(`${client}>${server}`);
      if (conn === undefined || conn === null) continue;
      found.set(conn, found.has(conn) ? null : inode);
    }
  }
  const out = new Map<C, string>();
  for (const [conn, inode] of found) if (inode !== null) out.set(conn, inode);
  return out;
}

/** The tables that could be read (a host without IPv6 has no tcp6). */
async function readTables(): Promise<string[]> {
  const tables: string[] = [];
  for (const path of TCP_TABLES) {
    try {
      tables.push(await readFile(path, 'utf8'));
    } catch {
      // absent
    }
  }
  return tables;
}

/** The client-end inodes of several connections to our server, from one read of the TCP tables. */
export async function connectionInodes<C extends Connection>(conns: readonly C[]): Promise<Map<C, string>> {
  return inodesIn(await readTables(), conns);
}

/** The inode of the client end of one loopback TCP connection to our server, or null. */
export async function socketInode(conn: Connection): Promise<string | null> {
  return (await connectionInodes([conn])).get(conn) ?? null;
}

/** The same, synchronously (the owner check runs inside one synchronous step). */
export function socketInodeSync(conn: Connection): string | null {
  const tables: string[] = [];
  for (const path of TCP_TABLES) {
    try {
      tables.push(readFileSync(path, 'utf8'));
    } catch {
      // absent
    }
  }
  return inodesIn(tables, [conn]).get(conn) ?? null;
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
