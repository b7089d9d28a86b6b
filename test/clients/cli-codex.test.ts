// The Codex CLI recipe of docs/clients.md: a temp CODEX_HOME whose config.toml adds a model provider
// pointing at the proxy (wire_api = "responses", retries off). The real binary runs a turn (it streams),
// and a refused model shows our reason and is sent exactly once (Codex retries a 403 five times unless
// request_max_retries / stream_max_retries are 0).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProgram, type AkcResult } from '../helpers/child.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/env.ts';
import { OPENAI_MODEL, startHarness, type Harness } from './harness.ts';

const CODEX = join(ROOT, 'node_modules/.bin/codex');

let h: Harness;
let home: string;
let work: string;

beforeAll(async () => {
  h = await startHarness();
  home = mkdtempSync(join(tmpdir(), 'akc-codex-home-'));
  work = mkdtempSync(join(tmpdir(), 'akc-codex-work-'));
  // The recipe's config.toml, as documented.
  writeFileSync(
    join(home, 'config.toml'),
    [
      `model = "${OPENAI_MODEL}"`,
      'model_provider = "agent-keychain"',
      '',
      '[model_providers.agent-keychain]',
      'name = "Agent Keychain"',
      `base_url = "${h.base.openai}"`,
      'env_key = "AKC_TOKEN"',
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await h.stop();
  rmSync(home, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

function codex(args: string[]): Promise<AkcResult> {
  return runProgram(
    CODEX,
    ['exec', '--skip-git-repo-check', '--ephemeral', '--color', 'never', '-s', 'read-only', ...args],
    { cwd: work, env: { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: home, AKC_TOKEN: h.token } },
  );
}

describe('Codex CLI', () => {
  it('runs a streamed turn through the proxy, and a refusal shows our reason without a retry', async () => {
    const ok = await codex(['say hi']);
    expect(ok.stdout, ok.stderr).toContain('hello from responses');
    expect(ok.code).toBe(0);
    const calls = h.up.openai.received.filter((r) => r.url === '/v1/responses');
    expect(calls.length).toBeGreaterThan(0);
    expect(JSON.parse(calls.at(-1)?.body ?? '{}')).toMatchObject({ model: OPENAI_MODEL, stream: true });
    expect(calls.at(-1)?.headers.authorization).toBe('Bearer sk-openai-MASTER-key-for-client-tests-0001');

    const before = await h.denials();
    const seen = h.up.openai.received.length;
    const refused = await codex(['-m', 'gpt-4o', 'say hi']);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain('providers.openai.models');
    expect(await h.denials()).toBe(before + 1);
    expect(h.up.openai.received.length).toBe(seen);
  });
});
