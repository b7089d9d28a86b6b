// A hostile same-user process connects from the SAME port as a trusted process's live connection to the
// daemon, on another loopback address (an IPv4-mapped IPv6 socket bound to ::ffff:127.0.0.2:P, so its row
// sits in /proc/net/tcp6 while the trusted one is in tcp). When the daemon matched rows of /proc/net/tcp{,6}
// on the two ports alone, it took the hostile connection for the trusted process's (found by an attack
// review). Every binding that rests on that lookup is checked here with the real CLI and `akc run`:
// - a copied CLI owner session must not work from a process that is not the owner's akc;
// - a copied `akc run` session credential must not work outside its process tree;
// - an approval prompt must name the process that really sent the held request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { raw, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { runAkc } from '../helpers/child.ts';
import { NODE22, ROOT } from '../helpers/env.ts';
import type { AppEvent } from '../../shared/events.ts';
import { akc as akcRun, enrolledAgent, waitFor } from '../run/helpers.ts';

let t: TestDaemon;
let port: number;

beforeAll(async () => {
  t = await startTestDaemon();
  port = Number(new URL(t.url).port);
});
afterAll(async () => {
  await t.stop();
});

const hex = (p: number): string => p.toString(16).toUpperCase().padStart(4, '0');

/** The local port of `pid`'s TCP connection to the daemon (what any same-user process can read in /proc). */
async function daemonConnectionPort(pid: number, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const inodes = new Set<string>();
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
          if (m?.[1]) inodes.add(m[1]);
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // not started yet
    }
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[2]?.endsWith(`:${hex(port)}`) && cols[9] && inodes.has(cols[9])) {
          return parseInt(cols[1]?.split(':')[1] ?? '0', 16);
        }
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pid ${pid} opened no connection to the daemon`);
}

/**
 * A request from THIS process, sent from the given local port on another loopback address (IPv4-mapped
 * IPv6, so the row lands in /proc/net/tcp6). Host is the daemon's own, so every server check passes.
 */
function fromBorrowedPort(
  localPort: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        path,
        method: 'GET',
        headers: { host: `127.0.0.1:${port}`, ...headers },
        createConnection: () =>
          connect({ host: '::ffff:127.0.0.1', port, localAddress: '::ffff:127.0.0.2', localPort }),
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('owner plane: a copied CLI owner session', () => {
  let tail: ChildProcess | null = null;
  /** The copied owner session token, and the port of the owner's live `akc audit tail -f` connection. */
  let token = '';
  let borrowedFromTail = 0;

  beforeAll(async () => {
    const runtimeDir = mkdtempSync(join(tmpdir(), 'akc-rev8-rt-'));
    const env = { ...process.env, AKC_DATA_DIR: t.dir, XDG_RUNTIME_DIR: runtimeDir };
    // The owner logs in from their shell (this test process is that shell) and allows it in the app.
    const detach = t.daemon.owner.attachSurface('test');
    const allowed = new Promise<void>((resolve, reject) => {
      const off = t.daemon.subscribe((e: AppEvent) => {
        if (e.name !== 'owner.prompt') return;
        off();
        t.daemon
          .dispatch('ownerPromptDecide', { id: e.data.id, decision: 'allow', minutes: 15 }, 'ipc')
          .then(() => resolve(), reject);
      });
    });
    const login = await runAkc(['login'], env);
    await allowed;
    detach();
    expect(login.code, login.stderr).toBe(0);
    // The session file: readable by every same-user process (README: "worth nothing alone").
    const file = readdirSync(join(runtimeDir, 'agent-keychain'))[0] ?? '';
    ({ token } = JSON.parse(readFileSync(join(runtimeDir, 'agent-keychain', file), 'utf8')) as {
      token: string;
    });
    // The owner runs `akc audit tail -f` in that shell: a long-lived connection to the daemon.
    tail = spawn(NODE22, [join(ROOT, 'core/cli/akc.ts'), 'audit', 'tail', '-f'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    borrowedFromTail = await daemonConnectionPort(tail.pid ?? 0);
  });
  afterAll(() => {
    tail?.kill('SIGKILL');
  });

  it('is refused from a process that is not the akc command, even when it borrows the port of the owner’s live akc connection', async () => {
    // Baseline: the copy, used from this (non-akc) process, is refused.
    const direct = await raw(t.url, {
      path: '/admin/v1/agents',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(direct.status).toBe(401);
    // The hostile process borrows that port on another loopback address and sends the copied credential.
    const hijack = await fromBorrowedPort(borrowedFromTail, '/admin/v1/agents', {
      authorization: `Bearer ${token}`,
      'x-akc-pid': String(tail?.pid ?? 0),
    });
    expect(hijack.status, `owner session honoured for a non-akc process: ${hijack.body.slice(0, 200)}`).toBe(
      401,
    );
  });

  it('an approval prompt names the process that really sent the held request, not the owner’s akc whose port it borrowed', async () => {
    const tailPid = tail?.pid ?? 0;
    await t.admin.secrets.put('rev8_secret', 'rev8-secret-value');
    const { token } = await t.admin.agents.create({
      name: 'rev8-asker',
      scopes: { vault: { readOnly: ['rev8_secret'], approval: 'always' } },
    });
    // The prompt goes out at once, then again once the calling process is looked up in /proc.
    const looked = new Promise<{ id: string; pid: number | null; command: string | null }>((resolve) => {
      const off = t.daemon.subscribe((e: AppEvent) => {
        if (e.name !== 'approval.requested' || e.data.agentName !== 'rev8-asker') return;
        if (e.data.process.pid === null && /Looking up/.test(e.data.process.note ?? '')) return;
        off();
        resolve({ id: e.data.id, pid: e.data.process.pid, command: e.data.process.command });
      });
    });
    const held = fromBorrowedPort(borrowedFromTail, '/v1/secrets/rev8_secret', {
      authorization: `Bearer ${token}`,
    });
    const shown = await looked;
    await t.daemon.dispatch('approvalDecide', { id: shown.id, decision: 'deny' }, 'ipc');
    expect((await held).status).toBe(403);
    // The agent's request came from this process; the owner is shown the owner's own `akc audit tail -f`.
    expect(
      shown.pid,
      `prompt shows pid ${String(shown.pid)} (${shown.command ?? ''}); akc tail is ${tailPid}`,
    ).toBe(process.pid);
  });
});

describe('zero standing access: a copied `akc run` session credential', () => {
  it('is refused outside the launched process tree, even when it borrows the port of the child’s live connection', async () => {
    const bot = await enrolledAgent(t, 'rev8-run-bot', { providers: { openai: {} } });
    const scratch = mkdtempSync(join(ROOT, 'test-results', 'akc-rev8-'));
    const childFile = join(scratch, 'poll.mjs');
    const tokenFile = join(scratch, 'token');
    // An ordinary agent: it polls the daemon over one keep-alive connection (like any SDK client). It writes
    // its credential where the test can read it (standing in for /proc/<pid>/environ of an unsandboxed
    // child, a log or a transcript) and says which local port its connection uses (any same-user process
    // reads that in /proc/net/tcp).
    writeFileSync(
      childFile,
      `import http from 'node:http';
import { writeFileSync } from 'node:fs';
writeFileSync(process.argv[2], process.env.AKC_TOKEN);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const url = new URL(process.env.AKC_URL);
let said = false;
const poll = () => {
  const req = http.get({ host: url.hostname, port: url.port, path: '/v1/whoami', agent,
    headers: { authorization: 'Bearer ' + process.env.AKC_TOKEN } }, (res) => {
    res.resume();
    res.on('end', () => { if (!said) { said = true; console.log('ready ' + res.statusCode + ' ' + req.socket.localPort); } });
  });
};
poll();
setInterval(poll, 300);
`,
    );
    const run = akcRun(t, [
      'run',
      '--agent',
      bot.name,
      '--key-file',
      bot.keyFile,
      '--',
      NODE22,
      childFile,
      tokenFile,
    ]);
    try {
      await waitFor(run, run.stdout, 'ready 200 ');
      const borrowed = Number(/ready 200 (\d+)/.exec(run.stdout())?.[1]);
      const copied = readFileSync(tokenFile, 'utf8');
      // Baseline: the copy used from this process (no descendant of that akc run) is refused.
      const direct = await raw(t.url, { path: '/v1/whoami', headers: { authorization: `Bearer ${copied}` } });
      expect(direct.status).toBe(401);
      // The same copy, from this process, on the child's port at another loopback address.
      const stolen = await fromBorrowedPort(borrowed, '/v1/whoami', { authorization: `Bearer ${copied}` });
      expect(
        stolen.status,
        `session credential honoured outside its process tree: ${stolen.body.slice(0, 200)}`,
      ).toBe(401);
    } finally {
      run.proc.kill('SIGTERM');
      await run.exit;
    }
  });
});
