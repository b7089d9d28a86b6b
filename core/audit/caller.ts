// The local process behind a loopback connection, for audit entries (`caller`: pid, executable, command
// line). Linux only, through /proc: the connection's socket inode from /proc/net/tcp{,6}, then the process
// holding that inode among its file descriptors.
//
// The request path never waits for it and never pays a /proc scan per request: callerOf() answers from a
// per-connection cache and, the first time a connection is seen, queues it for the resolver. The resolver
// handles every queued connection in one pass over /proc, one pass at a time, so a client that opens a new
// connection per request costs at most one scan in flight, and the processes behind recent connections are
// looked at first, so such a client is usually found without a pass over every process. So the first entry on a new connection usually
// has no caller yet; later ones on the same connection (and its outcome entry) do.
import { readFile, readlink } from 'node:fs/promises';
import { connectionInodes, holdersOf } from '../procfs.ts';
import type { Socket } from 'node:net';
import type { AuditCaller } from '../../shared/models.ts';

const MAX_TEXT = 300;

/** undefined: not resolved yet; null: resolved, nobody found (another user, or gone). */
const known = new WeakMap<Socket, AuditCaller | null>();
/** Waiting for the next pass over /proc. */
const queued = new Set<Socket>();
/** Queued or in the pass running now: not to be queued again (nor given another close listener). */
const pending = new Set<Socket>();
const waiters = new WeakMap<Socket, ((caller: AuditCaller | null) => void)[]>();
let scanning = false;
/** The processes found behind recent connections, newest last (a short list, looked at first). */
const recent: number[] = [];
const RECENT = 8;

function remember(pid: number): void {
  const at = recent.indexOf(pid);
  if (at >= 0) recent.splice(at, 1);
  recent.push(pid);
  if (recent.length > RECENT) recent.shift();
}

function settle(socket: Socket, caller: AuditCaller | null): void {
  pending.delete(socket);
  known.set(socket, caller);
  for (const wake of waiters.get(socket) ?? []) wake(caller);
  waiters.delete(socket);
}

/** The connection's caller once resolved (for tests and for callers that can afford to wait). */
export function resolveCaller(socket: Socket): Promise<AuditCaller | null> {
  const hit = callerOf(socket);
  if (hit !== null || known.has(socket)) return Promise.resolve(hit);
  if (!pending.has(socket)) return Promise.resolve(null); // not Linux, or not a TCP connection
  return new Promise((resolve) => {
    const list = waiters.get(socket) ?? [];
    list.push(resolve);
    waiters.set(socket, list);
  });
}

/** The connection's caller if already resolved; otherwise null, and the connection is queued once. */
export function callerOf(socket: Socket): AuditCaller | null {
  const hit = known.get(socket);
  if (hit !== undefined) return hit;
  if (process.platform !== 'linux' || pending.has(socket) || socket.remotePort === undefined) return null;
  pending.add(socket);
  queued.add(socket);
  socket.once('close', () => {
    if (queued.delete(socket)) settle(socket, null);
  });
  if (!scanning) void scan();
  return null;
}

async function text(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

function clip(value: string): string {
  return value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT)}…` : value;
}

/** socket inode → the queued connection it is the client end of, from one read of the TCP tables. */
async function inodesOf(sockets: readonly Socket[]): Promise<Map<string, Socket>> {
  const found = new Map<string, Socket>();
  for (const [socket, inode] of await connectionInodes(sockets)) found.set(inode, socket);
  return found;
}

async function describe(pid: number): Promise<AuditCaller> {
  const cmd = await text(`/proc/${pid}/cmdline`);
  let exe: string | null;
  try {
    exe = clip(await readlink(`/proc/${pid}/exe`));
  } catch {
    exe = null;
  }
  return { pid, exe, cmdline: cmd === null ? null : clip(cmd.split('\0').filter(Boolean).join(' ')) };
}

async function scan(): Promise<void> {
  scanning = true;
  try {
    while (queued.size > 0) {
      const batch = [...queued];
      queued.clear();
      const wanted = await inodesOf(batch);
      // The first process holding each socket is its caller. The recent callers are looked at first: a client
      // that opens connection after connection is found without a pass over every process's descriptors.
      const inodes = new Set(wanted.keys());
      const seen = await holdersOf(inodes, { first: true, skipSelf: true, among: [...recent] });
      for (const inode of seen?.keys() ?? []) inodes.delete(inode);
      const rest = inodes.size > 0 ? await holdersOf(inodes, { first: true, skipSelf: true }) : null;
      for (const [inode, socket] of wanted) {
        const pid = seen?.get(inode)?.[0] ?? rest?.get(inode)?.[0];
        if (pid === undefined) continue;
        remember(pid);
        settle(socket, await describe(pid));
      }
      // Not found (another user's process, or it already exited): remembered, not rescanned.
      for (const socket of batch) if (!known.has(socket)) settle(socket, null);
    }
  } finally {
    scanning = false;
  }
}
