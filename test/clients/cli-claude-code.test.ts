// The Claude Code recipe of docs/clients.md: ANTHROPIC_BASE_URL at the proxy, the agent credential as
// ANTHROPIC_API_KEY, HOME in a temp dir, non-essential traffic off. The real binary answers a prompt (it
// streams), and a refused model shows our reason, sent once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProgram, type AkcResult } from '../helpers/child.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/env.ts';
import { ANTHROPIC_MODEL, startHarness, type Harness } from './harness.ts';

const CLAUDE = join(ROOT, 'node_modules/.bin/claude');

let h: Harness;
let home: string;

beforeAll(async () => {
  h = await startHarness();
  home = mkdtempSync(join(tmpdir(), 'akc-claude-home-'));
});
afterAll(async () => {
  await h.stop();
  rmSync(home, { recursive: true, force: true });
});

function claude(model: string): Promise<AkcResult> {
  return runProgram(CLAUDE, ['-p', 'say hi', '--model', model], {
    cwd: home,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: home,
      ANTHROPIC_BASE_URL: h.base.anthropic,
      ANTHROPIC_API_KEY: h.token,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_MAX_RETRIES: '0',
    },
  });
}

describe('Claude Code', () => {
  it('answers through the proxy, and a refusal shows our reason without a retry', async () => {
    const ok = await claude(ANTHROPIC_MODEL);
    expect(ok.stdout, ok.stderr).toContain('hello from claude');
    expect(ok.code).toBe(0);
    const calls = h.up.anthropic.received.filter((r) => r.url.startsWith('/v1/messages'));
    expect(calls.length).toBeGreaterThan(0);
    expect(JSON.parse(calls.at(-1)?.body ?? '{}')).toMatchObject({ model: ANTHROPIC_MODEL, stream: true });
    expect(calls.at(-1)?.headers['x-api-key']).toBe('sk-ant-MASTER-key-for-client-tests-0002');

    const before = await h.denials();
    const seen = h.up.anthropic.received.length;
    const refused = await claude('claude-opus-4-1');
    expect(refused.stdout + refused.stderr).toContain('providers.anthropic.models');
    expect(await h.denials()).toBe(before + 1);
    expect(h.up.anthropic.received.length).toBe(seen);
  });
});
