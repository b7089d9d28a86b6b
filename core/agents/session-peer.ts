// Which processes sit at the other end of a loopback connection, and whether they descend from a given
// process: the basis of session credentials bound to a process tree (Linux, through /proc). The answer
// is cached per connection: a socket does not change hands between processes of the same tree in a way
// that matters here, and the lookup (a scan of /proc/<pid>/fd) must not run on every request.
import type { Socket } from 'node:net';
import { connectionOf, parentPid, socketHolders, socketInode, type Connection } from '../procfs.ts';

export interface PeerProcesses {
  /** Every process holding the connection's client end, each with its ancestors (nearest first). */
  holders: { pid: number; ancestors: number[] }[];
  note: string | null;
}

const cache = new WeakMap<Socket, Promise<PeerProcesses>>();

export async function ancestorsOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  let p = await parentPid(pid);
  while (p !== null && p > 1 && out.length < 64) {
    out.push(p);
    p = await parentPid(p);
  }
  return out;
}

async function lookup(connection: Connection): Promise<PeerProcesses> {
  if (process.platform !== 'linux')
    return { holders: [], note: `Process lookup is not available on ${process.platform}.` };
  if (connection.remotePort === undefined) return { holders: [], note: 'The connection has no client port.' };
  const inode = await socketInode(connection);
  if (!inode) return { holders: [], note: 'The calling socket was not found in /proc/net.' };
  const pids = await socketHolders(inode, { skipSelf: true });
  if (pids === null) return { holders: [], note: '/proc cannot be read.' };
  const holders: PeerProcesses['holders'] = [];
  for (const pid of pids) holders.push({ pid, ancestors: await ancestorsOf(pid) });
  return {
    holders,
    note:
      holders.length === 0 ? 'The calling process could not be found (it may run as another user).' : null,
  };
}

/** The processes at the other end of this connection, looked up once per connection. */
export function peerProcesses(socket: Socket): Promise<PeerProcesses> {
  let found = cache.get(socket);
  if (!found) {
    found = lookup(connectionOf(socket));
    cache.set(socket, found);
  }
  return found;
}

/**
 * True only when the connection is held by processes that all descend from root (strictly: root itself,
 * the launcher, does not count). Unknown peers are outside: binding fails closed.
 */
export function allDescendFrom(peer: PeerProcesses, root: number): boolean {
  return peer.holders.length > 0 && peer.holders.every((h) => h.pid !== root && h.ancestors.includes(root));
}
