// The client end of a loopback connection is found in /proc/net/tcp{,6} by all four of its ends, so two
// connections that share a client port (on different loopback addresses, one of them IPv4-mapped IPv6)
// each resolve to their own socket. Real sockets, real /proc.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { readdirSync, readlinkSync } from 'node:fs';
import { once } from 'node:events';
import { connectionOf, socketInode, socketInodeSync } from '../../core/procfs.ts';

let server: Server;
let port: number;
const accepted: Socket[] = [];
const clients: Socket[] = [];

beforeAll(async () => {
  server = createServer((s) => accepted.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of [...clients, ...accepted]) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Connects and waits until the server has accepted the connection; returns both ends. */
async function dial(options: {
  host: string;
  localAddress: string;
  localPort?: number;
}): Promise<{ client: Socket; server: Socket }> {
  const acceptedNow = once(server, 'connection') as Promise<[Socket]>;
  const client = connect({ port, ...options });
  clients.push(client);
  await once(client, 'connect');
  const [end] = await acceptedNow;
  expect(end.remotePort).toBe(client.localPort);
  return { client, server: end };
}

/** The socket inodes this process holds. */
function ownSocketInodes(): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m?.[1]) out.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

describe('the client end of a loopback connection in /proc/net', () => {
  it('is found by address and port, so two connections from one port on two addresses never mix', async (ctx) => {
    if (process.platform !== 'linux') ctx.skip(true, 'no /proc/net outside Linux');
    const trusted = await dial({ host: '127.0.0.1', localAddress: '127.0.0.1' });
    const borrowed = trusted.client.localPort ?? 0;
    // The same port on another loopback address, from an IPv6 socket (its row is in tcp6, not tcp).
    const hostile = await dial({
      host: '::ffff:127.0.0.1',
      localAddress: '::ffff:127.0.0.2',
      localPort: borrowed,
    });
    expect(hostile.client.localPort).toBe(borrowed);
    const a = await socketInode(connectionOf(trusted.server));
    const b = await socketInode(connectionOf(hostile.server));
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(a).not.toBe(b);
    // Each is a client end this process holds, not the server's end of either connection.
    const mine = ownSocketInodes();
    expect(mine.has(a ?? '')).toBe(true);
    expect(mine.has(b ?? '')).toBe(true);
    // The synchronous reader (the owner check) agrees.
    expect(socketInodeSync(trusted.server)).toBe(a);
    expect(socketInodeSync(hostile.server)).toBe(b);
  });

  it('reads IPv6 rows too (each 32-bit word of the address in host byte order)', async (ctx) => {
    if (process.platform !== 'linux') ctx.skip(true, 'no /proc/net outside Linux');
    const v6 = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        v6.once('error', reject);
        v6.listen(0, '::1', resolve);
      });
    } catch {
      ctx.skip(true, 'IPv6 loopback (::1) is not available on this machine');
    }
    try {
      const accepted = once(v6, 'connection') as Promise<[Socket]>;
      const client = connect({ host: '::1', port: (v6.address() as { port: number }).port });
      await once(client, 'connect');
      const [end] = await accepted;
      const inode = await socketInode(connectionOf(end));
      expect(inode).not.toBeNull();
      expect(ownSocketInodes().has(inode ?? '')).toBe(true);
      client.destroy();
      end.destroy();
    } finally {
      await new Promise<void>((resolve) => v6.close(() => resolve()));
    }
  });

  it('finds nothing for a connection that is gone, or whose ends are unknown', async (ctx) => {
    if (process.platform !== 'linux') ctx.skip(true, 'no /proc/net outside Linux');
    const { client, server: end } = await dial({ host: '127.0.0.1', localAddress: '127.0.0.1' });
    const ends = connectionOf(end);
    client.destroy();
    end.destroy();
    await new Promise((resolve) => end.once('close', resolve));
    // A closed client end may linger in TIME_WAIT with no inode: never an answer.
    expect(await socketInode(ends)).toBeNull();
    expect(await socketInode({ remotePort: ends.remotePort, localPort: ends.localPort })).toBeNull();
    expect(await socketInode({ ...ends, remoteAddress: 'not an address' })).toBeNull();
  });
});
