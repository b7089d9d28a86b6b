// Issue 10: the `akc` command line, driven as a real child process against a real daemon. Owner sessions
// are asked of the owner (a prompt naming the calling process), bound to the shell (here: this test's
// process) that logged in, audited with their session id, and dropped when the vault locks; sensitive
// acts ask again; narrowing acts do not.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestDaemon, raw, type TestDaemon } from '../helpers/daemon.ts';
import { runAkc } from '../helpers/child.ts';
import { VERSION } from '../../core/core.ts';
import { statOf } from '../../core/owner/tree.ts';
import { NODE22, ROOT } from '../helpers/env.ts';
import type { OwnerPromptView } from '../../shared/owner.ts';
import type { AppEvent } from '../../shared/events.ts';

let t: TestDaemon;
let env: NodeJS.ProcessEnv;
let runtimeDir: string;

/** Answers the next owner prompt as the owner would in the app (the desktop IPC path). */
function answerNext(
  decision: 'allow' | 'deny',
  check?: (p: OwnerPromptView) => void,
): Promise<OwnerPromptView> {
  return new Promise((resolve, reject) => {
    const off = t.daemon.subscribe((e: AppEvent) => {
      if (e.name !== 'owner.prompt') return;
      off();
      try {
        check?.(e.data);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      t.daemon
        .dispatch(
          'ownerPromptDecide',
          { id: e.data.id, decision, ...(decision === 'allow' ? { minutes: 15 } : {}) },
          'ipc',
        )
        .then(() => resolve(e.data), reject);
    });
  });
}

const akc = (args: string[], input?: string): ReturnType<typeof runAkc> =>
  runAkc(args, env, input === undefined ? {} : { input });

beforeAll(async () => {
  t = await startTestDaemon();
  runtimeDir = mkdtempSync(join(tmpdir(), 'akc-run-'));
  env = { ...process.env, AKC_DATA_DIR: t.dir, XDG_RUNTIME_DIR: runtimeDir };
});

afterAll(async () => {
  await t.stop();
});

let detach: (() => void) | null = null;
afterEach(async () => {
  detach?.();
  detach = null;
  // Each test starts without a session.
  for (const s of t.daemon.owner.listSessions()) t.daemon.owner.endSession(s.id, 'ended');
  await Promise.resolve();
});

describe('akc basics', () => {
  it('--help, --version, unknown flags and a daemon that is not running', async () => {
    const help = await akc(['--help']);
    expect(help.code).toBe(0);
    for (const c of [
      'status',
      'login',
      'agents',
      'approvals',
      'grants',
      'providers',
      'secrets',
      'audit',
      'sessions',
      'revoke-all',
    ])
      expect(help.stdout).toContain(c);
    const sub = await akc(['agents', 'revoke', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain('--severity');
    const version = await akc(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    const bad = await akc(['agents', 'list', '--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown option '--bogus'");
    const missing = await akc(['agents', 'revoke', 'x']);
    expect(missing.code).toBe(2);
    const nowhere = await runAkc(['agents', 'list'], {
      ...env,
      AKC_DATA_DIR: mkdtempSync(join(tmpdir(), 'akc-none-')),
    });
    expect(nowhere.code).toBe(3);
    expect(nowhere.stderr).toContain('Agent Keychain is not running');
  });

  it('scopes that do not match the contract are a usage error naming the field, before any owner prompt', async () => {
    const before = (await t.admin.agents.list()).length;
    const typo = await akc([
      'agents',
      'create',
      'typo-bot',
      '--scopes',
      '{"providers":{"openai":{"modles":["x"]}}}',
    ]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('providers.openai');
    expect(typo.stderr).toContain('modles');
    const wrongType = await akc(['agents', 'create', 'typo-bot', '--scopes', '{"vault":{"readOnly":"crm"}}']);
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toContain('vault.readOnly');
    // Nothing was asked of the owner and nothing was created.
    expect(t.daemon.owner.listSessions()).toEqual([]);
    expect(await t.admin.agents.list()).toHaveLength(before);
  });

  it('status works without a session and never prompts', async () => {
    const r = await akc(['status', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { daemon: { url: string; pid: number }; session: unknown };
    expect(out.daemon.url).toBe(t.url);
    expect(out.daemon.pid).toBe(process.pid);
    expect(out.session).toBeNull();
  });
});

describe('owner sessions', () => {
  it('with nothing open to show a prompt, says what to do and exits 4', async () => {
    const r = await akc(['agents', 'list']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('Open the Agent Keychain app, or the console');
    expect(t.daemon.owner.listSessions()).toEqual([]);
  });

  it('a request shows the calling process; allowed, akc agents list works and every act carries the session id', async () => {
    detach = t.daemon.owner.attachSurface('test');
    let akcPid = 0;
    const prompt = answerNext('allow', (p) => {
      expect(p.kind).toBe('session');
      expect(p.process.pid).toBe(akcPid);
      expect(p.process.command).toContain('core/cli/akc.ts login');
      expect(p.process.parents[0]?.pid).toBe(process.pid);
    });
    const login = await runAkc(['login'], env, { onSpawn: (pid) => (akcPid = pid) });
    await prompt;
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/Owner session osn_\S+ started/);
    const [session] = t.daemon.owner.listSessions();
    expect(session?.anchor.pid).toBe(process.pid);

    // No file in the data directory holds the session credential.
    const stored = readdirSync(join(runtimeDir, 'agent-keychain'));
    expect(stored).toHaveLength(1);
    const token = (
      JSON.parse(readFileSync(join(runtimeDir, 'agent-keychain', stored[0] ?? ''), 'utf8')) as {
        token: string;
      }
    ).token;
    for (const f of readdirSync(t.dir))
      expect(readFileSync(join(t.dir, f)).includes(Buffer.from(token)), f).toBe(false);

    const list = await akc(['agents', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(list.stdout))).toBe(true);
    // A narrowing act needs only the session; its audit entry names the session.
    const created = await t.admin.agents.create({ name: 'narrow-me', scopes: { providers: { openai: {} } } });
    const suspend = await akc(['agents', 'suspend', 'narrow-me', '--reason', 'cli test']);
    expect(suspend.code, suspend.stderr).toBe(0);
    const entries = (await t.admin.audit.list({ action: 'agent.suspended', agentId: created.agent.id }))
      .entries;
    expect(entries[0]?.facts).toMatchObject({ ownerVia: 'cli', ownerSession: session?.id });

    const sessions = await akc(['sessions', 'list', '--json']);
    expect(JSON.parse(sessions.stdout)).toEqual([expect.objectContaining({ id: session?.id, acts: 1 })]);
    const started = (await t.admin.audit.list({ action: 'owner.session.started' })).entries;
    expect(started[0]?.facts).toMatchObject({ sessionId: session?.id, pid: akcPid });

    const logout = await akc(['logout']);
    expect(logout.code).toBe(0);
    expect(t.daemon.owner.listSessions()).toEqual([]);
  });

  it('denied, the CLI exits 4 with the reason and nothing is stored', async () => {
    detach = t.daemon.owner.attachSurface('test');
    const denied = answerNext('deny');
    const r = await akc(['agents', 'list']);
    await denied;
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('The owner denied this session request.');
    expect(t.daemon.owner.listSessions()).toEqual([]);
    const audit = (await t.admin.audit.list({ action: 'owner.session.denied' })).entries;
    expect(audit[0]).toMatchObject({ decision: 'deny', reason: 'deny' });
  });

  it('the session credential is refused from any other process, and the refusal is audited', async () => {
    detach = t.daemon.owner.attachSurface('test');
    const allowed = answerNext('allow');
    expect((await akc(['login'])).code).toBe(0);
    await allowed;
    const file = readdirSync(join(runtimeDir, 'agent-keychain'))[0] ?? '';
    const { token } = JSON.parse(readFileSync(join(runtimeDir, 'agent-keychain', file), 'utf8')) as {
      token: string;
    };
    // This test process (the very shell the session is bound to) is not the akc command…
    const direct = await raw(t.url, {
      path: '/admin/v1/agents',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(direct.status).toBe(401);
    // …and an akc started by another program (an agent's shell), with the credential copied to where that
    // shell's akc looks for it, is not started by the shell that logged in.
    detach?.();
    detach = null;
    const agentShell = spawn(
      'bash',
      ['-c', `read go; ${NODE22} ${join(ROOT, 'core/cli/akc.ts')} agents list; exit $?`],
      {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    agentShell.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const start = statOf(agentShell.pid ?? 0)?.start ?? '';
    const name = createHash('sha256')
      .update(`${t.url}\n${String(agentShell.pid)}\n${start}`)
      .digest('hex')
      .slice(0, 24);
    copyFileSync(
      join(runtimeDir, 'agent-keychain', file),
      join(runtimeDir, 'agent-keychain', `owner-session-${name}.json`),
    );
    agentShell.stdin.end('go\n');
    const code = await new Promise<number | null>((resolve) => agentShell.on('close', resolve));
    expect(code).toBe(4);
    expect(stderr).toContain('nothing is open that can ask the owner');
    const misused = (await t.admin.audit.list({ action: 'owner.session.misused' })).entries;
    expect(misused.length).toBeGreaterThanOrEqual(2);
    expect(misused.map((e) => e.rule).join('\n')).toContain('is not the akc command');
    expect(misused.map((e) => e.rule).join('\n')).toContain(
      `which the shell that logged in (pid ${process.pid}) did not start`,
    );
  });
});

describe('akc remove and end', () => {
  it('say what they removed or ended (JSON with --json), and the daemon no longer has it', async () => {
    detach = t.daemon.owner.attachSurface('test');
    const prompt = answerNext('allow');
    const login = await akc(['login']);
    await prompt;
    expect(login.code, login.stderr).toBe(0);
    await t.admin.secrets.put('cli_gone', 'value-to-remove');
    await t.admin.providers.put('cli-gone', {
      kind: 'http',
      baseUrl: 'http://127.0.0.1:9',
      key: 'k-cli-gone',
    });

    const secret = await akc(['secrets', 'remove', 'cli_gone']);
    expect(secret.code, secret.stderr).toBe(0);
    expect(secret.stdout.trim()).toBe('Secret cli_gone removed.');
    expect((await t.admin.secrets.list()).map((x) => x.name)).not.toContain('cli_gone');

    const provider = await akc(['providers', 'remove', 'cli-gone', '--json']);
    expect(provider.code, provider.stderr).toBe(0);
    expect(JSON.parse(provider.stdout)).toEqual({ deleted: 'cli-gone' });
    expect((await t.admin.providers.list()).map((x) => x.id)).not.toContain('cli-gone');

    const [session] = t.daemon.owner.listSessions();
    const end = await akc(['sessions', 'end', session?.id ?? '', '--json']);
    expect(end.code, end.stderr).toBe(0);
    expect(JSON.parse(end.stdout)).toEqual({ ended: session?.id });
    expect(t.daemon.owner.listSessions()).toEqual([]);
  });
});

describe('akc agents enroll', () => {
  it('enrolls a key into a new 0600 file after the owner confirms; akc token then mints a working credential', async () => {
    detach = t.daemon.owner.attachSurface('test');
    const { agent } = await t.admin.agents.create({
      name: 'enroll-bot',
      scopes: { providers: { openai: {} } },
    });
    const allowed = answerNext('allow');
    expect((await akc(['login'])).code).toBe(0);
    await allowed;

    const keyFile = join(mkdtempSync(join(tmpdir(), 'akc-key-')), 'enroll-bot.key');
    // Enrolling is a sensitive act: the owner confirms it, and the prompt names the operation.
    const confirmed = answerNext('allow', (p) => {
      expect(p.kind).toBe('act');
      expect(p.op).toBe('agentEnroll');
    });
    const enroll = await akc(['agents', 'enroll', 'enroll-bot', '--key-file', keyFile, '--json']);
    await confirmed;
    expect(enroll.code, enroll.stderr).toBe(0);
    const { key } = JSON.parse(enroll.stdout) as { key: { kid: string; agentId: string } };
    expect(key.agentId).toBe(agent.id);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    // The daemon holds only the public half: the private key is in the file alone.
    const stored = JSON.parse(readFileSync(keyFile, 'utf8')) as { kid: string; privateJwk: { d: string } };
    expect(stored.kid).toBe(key.kid);
    for (const f of readdirSync(t.dir))
      expect(readFileSync(join(t.dir, f)).includes(Buffer.from(stored.privateJwk.d)), f).toBe(false);

    const minted = await runAkc(['token', '--agent', 'enroll-bot', '--key-file', keyFile], env);
    expect(minted.code, minted.stderr).toBe(0);
    const token = minted.stdout.trim();
    expect(token).toMatch(/^akc_/);
    const me = await raw(t.url, { path: '/v1/whoami', headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(me.json()).toMatchObject({ id: agent.id, name: 'enroll-bot' });

    // An existing file is refused before anything is enrolled (the working key is not voided).
    const again = await akc(['agents', 'enroll', 'enroll-bot', '--key-file', keyFile]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    expect(existsSync(keyFile)).toBe(true);
    const still = await raw(t.url, { path: '/v1/whoami', headers: { authorization: `Bearer ${token}` } });
    expect(still.status).toBe(200);
  });
});
