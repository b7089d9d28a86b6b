// The README recipes for coding agents with `akc token` as their key helper, run with the real CLIs
// against local fake providers: Codex (model_providers with auth.command, wire_api = "responses",
// retries off) and Claude Code (ANTHROPIC_BASE_URL + apiKeyHelper). Neither ever holds a long-lived
// credential: each call carries a short-lived token minted from the agent's enrolled key.
import { runProgram, type AkcResult } from '../helpers/child.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestDaemon } from '../helpers/daemon.ts';
import { LLM_KEYS, startLlmDaemon } from '../helpers/llm-daemon.ts';
import type { FakeUpstream } from '../helpers/upstream.ts';
import { hasKeyring, keyringSkipReason, NODE22, ROOT } from '../helpers/env.ts';
import { AKC, enrolledAgent, type Enrolled } from './helpers.ts';
import { anthropicStream, responsesStream } from '../helpers/fake-streams.ts';

if (!hasKeyring) console.log(`OS keychain enrolment test skipped: ${keyringSkipReason}`);

const MODEL = 'gpt-4o-mini';
const CLAUDE_MODEL = 'claude-haiku-4-5';

let t: TestDaemon;
let openaiUp: FakeUpstream;
let anthropicUp: FakeUpstream;
let bot: Enrolled;

beforeAll(async () => {
  ({ t, openaiUp, anthropicUp } = await startLlmDaemon({
    openai: (req, body, res) => {
      const model = (JSON.parse(body || '{}') as { model?: string }).model ?? MODEL;
      responsesStream(res, model, 'hello from responses');
    },
    anthropic: (req, body, res) => {
      const model = (JSON.parse(body || '{}') as { model?: string }).model ?? CLAUDE_MODEL;
      anthropicStream(res, model, 'hello from claude');
    },
  }));
  bot = await enrolledAgent(t, 'coder', {
    providers: { openai: { models: [MODEL] }, anthropic: { models: [CLAUDE_MODEL] } },
  });
});
afterAll(async () => {
  await t.stop();
});

const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<AkcResult> =>
  runProgram(cmd, args, { env, cwd });

/** The helper command line as the recipes write it (absolute paths, the agent's key file). */
const helper = [NODE22, '--no-warnings', AKC, 'token', '--agent', 'coder', '--key-file'];

describe('akc token', () => {
  it('prints a fresh short-lived credential and nothing else', async () => {
    const out = await run(
      helper[0] ?? '',
      [...helper.slice(1), bot.keyFile],
      { ...process.env, AKC_DATA_DIR: t.dir },
      ROOT,
    );
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^akc_[0-9A-Za-z]{49}\n$/);
    expect(out.stdout.trim()).not.toBe(bot.token);
  });
});

describe('Codex CLI with auth.command = akc token', () => {
  it('runs a streamed turn through the proxy with a minted token', async () => {
    const home = mkdtempSync(join(tmpdir(), 'akc-codex-home-'));
    const work = mkdtempSync(join(tmpdir(), 'akc-codex-work-'));
    const args = [...helper.slice(1), bot.keyFile].map((a) => JSON.stringify(a)).join(', ');
    writeFileSync(
      join(home, 'config.toml'),
      [
        `model = "${MODEL}"`,
        'model_provider = "agent-keychain"',
        '',
        '[model_providers.agent-keychain]',
        'name = "Agent Keychain"',
        `base_url = "${t.url}/v1/proxy/openai"`,
        'wire_api = "responses"',
        'requires_openai_auth = false',
        'request_max_retries = 0',
        'stream_max_retries = 0',
        '',
        '[model_providers.agent-keychain.auth]',
        `command = ${JSON.stringify(helper[0])}`,
        `args = [${args}]`,
        '',
      ].join('\n'),
    );
    const out = await run(
      join(ROOT, 'node_modules/.bin/codex'),
      ['exec', '--skip-git-repo-check', '--ephemeral', '--color', 'never', '-s', 'read-only', 'say hi'],
      { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: home, AKC_DATA_DIR: t.dir },
      work,
    );
    expect(out.stdout, out.stderr).toContain('hello from responses');
    expect(out.code).toBe(0);
    const call = openaiUp.received.filter((r) => r.url === '/v1/responses').at(-1);
    expect(call?.headers.authorization).toBe(`Bearer ${LLM_KEYS.openai}`);
    const issued = await t.admin.audit.list({ action: 'token.issued', agentId: bot.id });
    expect(issued.entries.length).toBeGreaterThan(0);
  });
});

describe('Claude Code with apiKeyHelper = akc token', () => {
  it('answers through the proxy with a minted token', async () => {
    const home = mkdtempSync(join(tmpdir(), 'akc-claude-home-'));
    const helperLine = [...helper, bot.keyFile].map((a) => `'${a}'`).join(' ');
    const before = (await t.admin.audit.list({ action: 'token.issued', agentId: bot.id })).entries.length;
    writeFileSync(join(home, 'settings.json'), JSON.stringify({ apiKeyHelper: helperLine }));
    const out = await run(
      join(ROOT, 'node_modules/.bin/claude'),
      ['-p', 'say hi', '--model', CLAUDE_MODEL, '--settings', join(home, 'settings.json')],
      {
        PATH: process.env.PATH ?? '',
        HOME: home,
        AKC_DATA_DIR: t.dir,
        ANTHROPIC_BASE_URL: `${t.url}/v1/proxy/anthropic`,
        CLAUDE_CODE_API_KEY_HELPER_TTL_MS: '300000',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        CLAUDE_CODE_MAX_RETRIES: '0',
      },
      home,
    );
    expect(out.stdout, out.stderr).toContain('hello from claude');
    expect(out.code).toBe(0);
    const call = anthropicUp.received.filter((r) => r.url.startsWith('/v1/messages')).at(-1);
    expect(call?.headers['x-api-key']).toBe(LLM_KEYS.anthropic);
    // The key came from the helper: a token was minted for this run.
    const after = (await t.admin.audit.list({ action: 'token.issued', agentId: bot.id })).entries.length;
    expect(after).toBeGreaterThan(before);
  });
});

describe.skipIf(!hasKeyring)('enrolment into the OS keychain', () => {
  it('the daemon keeps the private key in the keychain entry that akc token reads; show-once returns it once', async () => {
    const created = await t.admin.agents.create({ name: 'keychain-bot', scopes: {} });
    const enrolled = await t.admin.call('agentEnroll', { id: created.agent.id, store: 'os-keychain' });
    expect(enrolled.privateKey).toBeUndefined();
    const out = await run(
      NODE22,
      ['--no-warnings', AKC, 'token', '--agent', 'keychain-bot'],
      { ...process.env, AKC_DATA_DIR: t.dir },
      ROOT,
    );
    expect(out.stderr).toBe('');
    expect(out.stdout).toMatch(/^akc_[0-9A-Za-z]{49}\n$/);
    const once = await t.admin.call('agentEnroll', { id: created.agent.id, store: 'show-once' });
    expect(once.privateKey?.d).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(once.key.kid).not.toBe(enrolled.key.kid);
    // The keychain entry now holds a voided key: akc token says so.
    const stale = await run(
      NODE22,
      ['--no-warnings', AKC, 'token', '--agent', 'keychain-bot'],
      { ...process.env, AKC_DATA_DIR: t.dir },
      ROOT,
    );
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/voided/);
  });
});
