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

    // The request path never waits: the first answer is null, and the connection is queued once.
    expect(callerOf(socket, port)).toBeNull();
    const caller = await resolveCaller(socket, port);
    expect(caller).toMatchObject({ pid: child.pid, exe: realpathSync(NODE22) });
    expect(caller?.cmdline).toContain('akc-caller-marker');
    expect(callerOf(socket, port)).toEqual(caller);

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end('bye');
    await exited;
    socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
