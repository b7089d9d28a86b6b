// The calling process of a loopback connection, as audit entries carry it: a real child process connects,
// and its pid, executable and command line are found through /proc, once per connection.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { realpathSync } from 'node:fs';
import { callerOf, resolveCaller } from '../../core/audit/caller.ts';
import { NODE22 } from '../helpers/env.ts';

describe.skipIf(process.platform !== 'linux')('callerOf', () => {
  it('names the child process behind a connection, answering from the cache after the first lookup', async () => {
    const server = createServer();
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const port = address.port;
    const script = `const s = require('net').connect(${port}, '127.0.0.1'); process.stdin.on('data', () => s.end(() => process.exit(0)));`;
    const child = spawn(NODE22, ['-e', script, 'akc-caller-marker'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const socket = await accepted;

    // The request path never waits: the first answer is null, and the connection is queued once, however
    // many requests it carries while the lookup runs (no second lookup, no listener per request).
    const listeners = socket.listenerCount('close');
    expect(callerOf(socket)).toBeNull();
    for (let i = 0; i < 20; i += 1) expect(callerOf(socket)).toBeNull();
    expect(socket.listenerCount('close')).toBe(listeners + 1);
    const caller = await resolveCaller(socket);
    expect(caller).toMatchObject({ pid: child.pid, exe: realpathSync(NODE22) });
    expect(caller?.cmdline).toContain('akc-caller-marker');
    expect(callerOf(socket)).toEqual(caller);

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end('bye');
    await exited;
    socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('finds a new process behind a new connection even right after another process was a caller', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const port = address.port;
    // Each child opens `n` connections and holds them until told to go.
    const connectFrom = async (marker: string, n: number) => {
      const sockets: Socket[] = [];
      const all = new Promise<void>((resolve) =>
        server.on('connection', function onConnection(s: Socket) {
          sockets.push(s);
          if (sockets.length === n) {
            server.off('connection', onConnection);
            resolve();
          }
        }),
      );
      const script = `const net = require('net'); for (let i = 0; i < ${n}; i++) net.connect(${port}, '127.0.0.1'); process.stdin.on('data', () => process.exit(0));`;
      const child = spawn(NODE22, ['-e', script, marker], { stdio: ['pipe', 'ignore', 'ignore'] });
      await all;
      return { child, sockets };
    };
    const a = await connectFrom('akc-caller-a', 2);
    const fromA = await Promise.all(a.sockets.map((s) => resolveCaller(s)));
    expect(fromA.map((c) => c?.pid)).toEqual([a.child.pid, a.child.pid]);
    // A is now a recent caller, looked at first; B's connections must still be B's.
    const b = await connectFrom('akc-caller-b', 3);
    const fromB = await Promise.all(b.sockets.map((s) => resolveCaller(s)));
    expect(fromB.map((c) => c?.pid)).toEqual([b.child.pid, b.child.pid, b.child.pid]);
    expect(fromB[0]?.cmdline).toContain('akc-caller-b');
    for (const { child, sockets } of [a, b]) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end('bye');
      await exited;
      for (const s of sockets) s.destroy();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
