// `akc run` as a real process tree: SDKs in the child with no key of their own, the session credential
// refused once the child exits or akc run is killed, refused and audited when copied to another process,
// exit codes and signals passed through, a TTY kept, nesting refused, sessions listed and ended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { raw, type TestDaemon } from '../helpers/daemon.ts';
import { LLM_KEYS, startLlmDaemon } from '../helpers/llm-daemon.ts';
import { answerJson, chatHandler, type FakeUpstream } from '../helpers/upstream.ts';
import { NODE22, ROOT } from '../helpers/env.ts';
import { AKC, akc, enrolledAgent, waitFor, type Enrolled, type Run } from './helpers.ts';
import type { AuditEntry } from '../../shared/models.ts';

let t: TestDaemon;
let openaiUp: FakeUpstream;
let anthropicUp: FakeUpstream;
let bot: Enrolled;
// Inside the project, so that the child scripts resolve the project's packages.
const scratch = mkdtempSync(join(ROOT, 'test-results', 'akc-run-'));

beforeAll(async () => {
  ({ t, openaiUp, anthropicUp } = await startLlmDaemon({
    openai: chatHandler({
      model: 'gpt-4o-mini',
      content: 'hi from openai',
      promptTokens: 3,
      completionTokens: 2,
    }),
    anthropic: answerJson({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-3-5-haiku-latest',
      content: [{ type: 'text', text: 'hi from anthropic' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 3, output_tokens: 2 },
    }),
  }));
  bot = await enrolledAgent(t, 'run-bot', {
    providers: {
      openai: { models: ['gpt-4o-mini'], paths: ['/chat/completions'] },
      anthropic: { models: ['claude-3-5-haiku-latest'], paths: ['/v1/messages'] },
    },
  });
});
afterAll(async () => {
  await t.stop();
});

function script(name: string, body: string): string {
  const file = join(scratch, name);
  writeFileSync(file, body);
  return file;
}

/**
 * `akc run` with a child that writes the session credential it was given to a file, says "ready" and idles
 * until it is killed; resolves once it is ready, with that credential.
 */
async function runIdleChild(agent: Enrolled, label: string): Promise<{ run: Run; token: string }> {
  const child = script(
    'idle.mjs',
    `import { writeFileSync } from 'node:fs'; writeFileSync(process.argv[2], process.env.AKC_TOKEN); console.log('ready'); setInterval(() => {}, 1000);`,
  );
  const out = join(scratch, `${label}-token`);
  const run = akc(t, runAs(agent, '--', NODE22, child, out));
  await waitFor(run, run.stdout, 'ready');
  return { run, token: readFileSync(out, 'utf8') };
}

/** `akc run` as this enrolled agent, then the rest of the command line. */
const runAs = (agent: Enrolled, ...rest: string[]): string[] => [
  'run',
  '--agent',
  agent.name,
  '--key-file',
  agent.keyFile,
  ...rest,
];

async function status(token: string): Promise<number> {
  return (await raw(t.url, { path: '/v1/whoami', headers: { authorization: `Bearer ${token}` } })).status;
}

/** Resolves with the first audit entry the predicate accepts, as it is appended. */
function nextAudit(pred: (e: AuditEntry) => boolean): Promise<AuditEntry> {
  return new Promise((resolve) => {
    const off = t.daemon.core.bus.subscribe((event) => {
      if (event.name === 'audit.appended' && pred(event.data)) {
        off();
        resolve(event.data);
      }
    });
  });
}

describe('akc run', () => {
  it('gives the child the real SDKs through the proxy with no key of its own; the credential dies with it', async () => {
    const child = script(
      'sdk.mjs',
      `import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { writeFileSync } from 'node:fs';
const o = await new OpenAI({ maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
const a = await new Anthropic({ maxRetries: 0 }).messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] });
writeFileSync(process.argv[2], JSON.stringify({ token: process.env.OPENAI_API_KEY, env: process.env }));
console.log(o.choices[0].message.content + ' / ' + a.content[0].text);
`,
    );
    const out = join(scratch, 'sdk-out.json');
    const run = akc(t, runAs(bot, '--', NODE22, child, out), {
      OPENAI_API_KEY: 'sk-parent-LEAK-must-not-reach-child',
      ANTHROPIC_AUTH_TOKEN: 'sk-ant-parent-LEAK',
      STRIPE_API_KEY: 'sk_live_parent_LEAK',
      NODE_PATH: join(ROOT, 'node_modules'),
    });
    const { code } = await run.exit;
    expect(run.stderr()).toBe('');
    expect(code).toBe(0);
    expect(run.stdout()).toBe('hi from openai / hi from anthropic\n');
    const seen = JSON.parse(readFileSync(out, 'utf8')) as { token: string; env: Record<string, string> };
    expect(seen.token).toMatch(/^akc_/);
    expect(seen.token).not.toBe(bot.token);
    expect(seen.env.ANTHROPIC_API_KEY).toBe(seen.token);
    expect(seen.env.AKC_TOKEN).toBe(seen.token);
    expect(seen.env.AKC_URL).toBe(t.url);
    expect(seen.env.OPENAI_BASE_URL).toBe(`${t.url}/v1/proxy/openai`);
    expect(seen.env.ANTHROPIC_BASE_URL).toBe(`${t.url}/v1/proxy/anthropic`);
    expect(JSON.stringify(seen.env)).not.toMatch(/LEAK/);
    expect(seen.env.DBUS_SESSION_BUS_ADDRESS).toBeUndefined();
    // The providers got the master keys, never the session credential.
    expect(openaiUp.received.at(-1)?.headers.authorization).toBe(`Bearer ${LLM_KEYS.openai}`);
    expect(anthropicUp.received.at(-1)?.headers['x-api-key']).toBe(LLM_KEYS.anthropic);
    // akc run returned: the session is already over.
    expect(await status(seen.token)).toBe(401);
    const ended = await t.admin.audit.list({ action: 'session.ended' });
    expect(ended.entries[0]?.rule).toMatch(/control connection closed/);
  });

  it('refuses a copy of the session credential used by another process, audits it, and keeps serving the child', async () => {
    const child = script(
      'hold.mjs',
      `import { writeFileSync } from 'node:fs';
const r = await fetch(process.env.AKC_URL + '/v1/whoami', { headers: { authorization: 'Bearer ' + process.env.AKC_TOKEN } });
writeFileSync(process.argv[2], process.env.AKC_TOKEN);
console.log('child-status ' + r.status);
setInterval(() => {}, 1000);
process.on('SIGTERM', async () => {
  const again = await fetch(process.env.AKC_URL + '/v1/whoami', { headers: { authorization: 'Bearer ' + process.env.AKC_TOKEN } });
  console.log('child-again ' + again.status);
  process.exit(0);
});
`,
    );
    const out = join(scratch, 'hold-token');
    const run = akc(t, runAs(bot, '--', NODE22, child, out));
    await waitFor(run, run.stdout, 'child-status 200');
    const copied = readFileSync(out, 'utf8');
    const misuse = nextAudit((e) => e.action === 'auth.failed' && /outside its process/.test(e.rule ?? ''));
    // This test process is no descendant of that akc run.
    const res = await raw(t.url, { path: '/v1/whoami', headers: { authorization: `Bearer ${copied}` } });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'invalid_token' } });
    expect((res.json() as { error: { message: string } }).error.message).toMatch(/outside its process/);
    const entry = await misuse;
    expect(entry).toMatchObject({ decision: 'deny', reason: 'invalid_token', agentId: bot.id });
    // Another process started fresh (not under akc run) fails the same way, e.g. curl-like node.
    const other = spawn(NODE22, [
      '-e',
      `fetch('${t.url}/v1/whoami',{headers:{authorization:'Bearer ${copied}'}}).then(r=>console.log(r.status))`,
    ]);
    let otherOut = '';
    other.stdout.on('data', (c: Buffer) => (otherOut += c.toString()));
    await new Promise((r) => other.on('exit', r));
    expect(otherOut.trim()).toBe('401');
    // Listed for the owner with the launcher's pid and the command.
    const { sessions } = await t.admin.call('sessionsList', {});
    const mine = sessions.find((s) => s.agentId === bot.id);
    expect(mine).toMatchObject({ agentName: bot.name, pid: run.proc.pid });
    expect(mine?.command).toContain('hold.mjs');
    // The child itself still gets through after the refused copy.
    run.proc.kill('SIGTERM');
    const { code } = await run.exit;
    expect(run.stdout()).toContain('child-again 200');
    expect(code).toBe(0);
  });

  it('SIGKILL of akc run ends the session (the daemon sees the control connection close)', async () => {
    const { run, token } = await runIdleChild(bot, 'kill');
    const ended = nextAudit((e) => e.action === 'session.ended' && e.agentId === bot.id);
    run.proc.kill('SIGKILL');
    await run.exit;
    await ended;
    expect(await status(token)).toBe(401);
  });

  it('passes the exit code through, forwards SIGTERM and SIGHUP, and reports death by signal as 128+n', async () => {
    const seven = akc(t, runAs(bot, '--', 'sh', '-c', 'exit 7'));
    expect((await seven.exit).code).toBe(7);
    for (const [signal, expected] of [
      ['SIGTERM', 9],
      ['SIGHUP', 11],
    ] as const) {
      const trap = akc(
        t,
        runAs(
          bot,
          '--',
          'sh',
          '-c',
          `trap 'exit 9' TERM; trap 'exit 11' HUP; echo ready; while :; do sleep 0.05; done`,
        ),
      );
      await waitFor(trap, trap.stdout, 'ready');
      trap.proc.kill(signal);
      expect((await trap.exit).code).toBe(expected);
    }
    const plain = akc(t, runAs(bot, '--', NODE22, '-e', 'console.log("ready"); setInterval(() => {}, 1000)'));
    await waitFor(plain, plain.stdout, 'ready');
    plain.proc.kill('SIGTERM');
    expect((await plain.exit).code).toBe(143);
    const missing = akc(t, runAs(bot, '--no-sandbox', '--', 'no-such-command-akc'));
    expect((await missing.exit).code).toBe(127);
  });

  it('keeps a TTY: the command sees a terminal on stdin and stdout (through script)', async () => {
    const cmd = `${NODE22} --no-warnings ${AKC} run --agent ${bot.name} --key-file ${bot.keyFile} -- sh -c 'test -t 0 && test -t 1 && echo TTY-OK'`;
    const run = spawn('script', ['-q', '-e', '-c', cmd, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, AKC_DATA_DIR: t.dir },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    run.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((r) => run.on('exit', r));
    expect(out).toContain('TTY-OK');
    expect(code).toBe(0);
  });

  it('refuses akc run inside akc run, even with its marker variable removed', async () => {
    const nested = akc(
      t,
      runAs(
        bot,
        '--no-sandbox',
        '--',
        'sh',
        '-c',
        `${NODE22} --no-warnings ${AKC} run --agent ${bot.name} --key-file ${bot.keyFile} -- true; echo "inner=$?"; env -u AKC_RUN_SESSION ${NODE22} --no-warnings ${AKC} run --agent ${bot.name} --key-file ${bot.keyFile} -- true; echo "stripped=$?"`,
      ),
    );
    await nested.exit;
    expect(nested.stdout()).toContain('inner=125');
    expect(nested.stdout()).toContain('stripped=125');
    expect(nested.stderr()).toMatch(/cannot be started inside another akc run session/);
  });

  it('ends with the agent: revoking it refuses the live session at once', async () => {
    const agent = await enrolledAgent(t, 'doomed-bot', {});
    const { run } = await runIdleChild(agent, 'doomed');
    const { sessions } = await t.admin.call('sessionsList', {});
    const session = sessions.find((s) => s.agentId === agent.id);
    expect(session).toBeDefined();
    await t.admin.agents.revoke(agent.id, { reason: 'test', severity: 'low' });
    expect((await t.admin.call('sessionsList', {})).sessions.some((s) => s.agentId === agent.id)).toBe(false);
    run.proc.kill('SIGTERM');
    await run.exit;
  });

  it('lets the owner end one session on its own', async () => {
    const child = script(
      'probe.mjs',
      `console.log('ready');
process.stdin.once('data', async () => {
  try {
    const r = await fetch(process.env.AKC_URL + '/v1/whoami', { headers: { authorization: 'Bearer ' + process.env.AKC_TOKEN } });
    console.log('after-end ' + r.status);
  } catch (err) {
    console.log('after-end failed ' + err);
  }
  process.exit(0);
});`,
    );
    const run = akc(t, runAs(bot, '--no-sandbox', '--', NODE22, child), {}, 'pipe');
    await waitFor(run, run.stdout, 'ready');
    const session = (await t.admin.call('sessionsList', {})).sessions.find((s) => s.pid === run.proc.pid);
    if (!session) throw new Error('session not listed');
    await t.admin.call('sessionEnd', { id: session.id });
    // The child shares akc run's stdin: a line tells it to probe.
    run.proc.stdin?.write('probe\n');
    await run.exit;
    expect(run.stdout()).toContain('after-end 401');
    const ended = await t.admin.audit.list({ action: 'session.ended' });
    expect(ended.entries[0]?.rule).toMatch(/ended by the owner/);
  });

  it('fails clearly without a usable key or daemon, and prints nothing else', async () => {
    const noKey = akc(t, [
      'run',
      '--agent',
      'nobody',
      '--key-file',
      join(scratch, 'missing.json'),
      '--',
      'true',
    ]);
    expect((await noKey.exit).code).toBe(125);
    expect(noKey.stderr()).toMatch(/akc run: .*missing\.json/);
    const quiet = akc(t, runAs(bot, '--', 'echo', 'hello'));
    expect((await quiet.exit).code).toBe(0);
    expect(quiet.stdout()).toBe('hello\n');
    expect(quiet.stderr()).toBe('');
  });
});
