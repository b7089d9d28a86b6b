// Who is calling: on Linux, map the caller's TCP port to a PID and command line through /proc. Used only
// when a request is held for approval (never on the hot path). Elsewhere the process is "unknown".
import { readFile } from 'node:fs/promises';
import { parentPid, socketHolders, socketInode, type Connection } from '../procfs.ts';
import type { ProcessInfo } from '../../shared/models.ts';

const UNKNOWN = (note: string): ProcessInfo => ({ pid: null, command: null, parents: [], note });

async function commandOf(pid: number): Promise<string> {
  try {
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    const cmd = raw.split('\0').filter(Boolean).join(' ');
    return cmd.length > 300 ? `${cmd.slice(0, 300)}…` : cmd;
  } catch {
    return '?';
  }
}

export async function lookupProcess(connection: Connection): Promise<ProcessInfo> {
  if (process.platform !== 'linux') return UNKNOWN(`Process lookup is not available on ${process.platform}.`);
  if (connection.remotePort === undefined) return UNKNOWN('The connection has no client port.');
  const inode = await socketInode(connection);
  if (!inode) return UNKNOWN('The calling socket was not found in /proc/net.');
  const holders = await socketHolders(inode, { first: true });
  if (holders === null) return UNKNOWN('/proc cannot be read.');
  const [pid] = holders;
  if (pid !== undefined) {
    const parents: { pid: number; command: string }[] = [];
    let parent = await parentPid(pid);
    while (parent !== null && parent > 1 && parents.length < 5) {
      parents.push({ pid: parent, command: await commandOf(parent) });
      parent = await parentPid(parent);
    }
    return { pid, command: await commandOf(pid), parents, note: null };
  }
  return UNKNOWN('The calling process could not be found (it may run as another user).');
}
