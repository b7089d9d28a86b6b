// The Python recipes of docs/clients.md with the real `openai` and `anthropic` packages (a venv that
// .ci/run creates: .venv-clients). Where the venv or a package is missing the test says why and skips.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram } from '../helpers/child.ts';
import { ROOT } from '../helpers/env.ts';
import { startHarness, type Harness } from './harness.ts';

const PYTHON = process.env.AKC_CLIENTS_PYTHON ?? join(ROOT, '.venv-clients/bin/python');

function skipReason(): string | null {
  if (!existsSync(PYTHON))
    return `no Python venv at ${PYTHON}: create it with \`python3 -m venv .venv-clients && .venv-clients/bin/pip install openai anthropic\` (.ci/run does)`;
  const probe = spawnSync(PYTHON, ['-c', 'import openai, anthropic'], { encoding: 'utf8' });
  if (probe.status !== 0)
    return `the venv lacks a package (pip could not get it?): ${probe.stderr.trim().split('\n').at(-1) ?? ''}`;
  return null;
}

const reason = skipReason();
if (reason !== null) process.stdout.write(`[skip] test/clients/python.test.ts: ${reason}\n`);

let h: Harness;
beforeAll(async () => {
  if (reason === null) h = await startHarness();
});
afterAll(async () => {
  if (reason === null) await h.stop();
});

describe.skipIf(reason !== null)('Python openai and anthropic', () => {
  it('call, stream and refusal for each, as the recipes show', async () => {
    const { code, stdout, stderr } = await runProgram(
      PYTHON,
      [join(import.meta.dirname, 'python_recipes.py')],
      {
        env: {
          PATH: process.env.PATH ?? '',
          AKC_TOKEN: h.token,
          OPENAI_BASE_URL: h.base.openai,
          ANTHROPIC_BASE_URL: h.base.anthropic,
        },
      },
    );
    expect(code, stderr).toBe(0);
    const before = h.up.openai.received.length + h.up.anthropic.received.length;
    const out = JSON.parse(stdout) as Record<string, string | null>;
    expect(out).toMatchObject({
      openai_call: 'hello from upstream',
      openai_stream: 'hello stream',
      openai_refusal_code: 'scope_denied',
      anthropic_call: 'hello from claude',
      anthropic_stream: 'hello from claude',
    });
    expect(out.openai_refusal).toContain('providers.openai.models');
    expect(out.anthropic_refusal).toContain('providers.anthropic.models');
    // Each refusal was sent once (the SDKs' default retries leave a 403 alone), reached no provider.
    expect(await h.denials()).toBe(2);
    expect(before).toBe(4);
  });
});
