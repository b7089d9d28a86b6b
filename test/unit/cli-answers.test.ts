// The akc CLI reads the daemon's answers through the contract's schemas (as the client package does): an
// answer of another shape is an error naming the field and the mismatch, never passed on as if it were right.
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { CliContext, type CliIo } from '../../core/cli/context.ts';
import { CliError, EXIT } from '../../core/cli/exit.ts';
import { outputSchema } from '../../shared/contract.ts';
import { Status } from '../../shared/models.ts';

const io: CliIo = { stdout: () => undefined, stderr: () => undefined, env: {} };
const ctx = new CliContext(new Command(), io);
const answer = (body: string): Response =>
  new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });

async function refusal(p: Promise<unknown>): Promise<CliError> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof CliError)) throw new Error(`expected a CliError, got ${String(err)}`);
  return err;
}

describe('akc reads answers through the contract', () => {
  it('passes an answer that matches the operation’s output schema', async () => {
    const list = await ctx.answer(
      answer('{"grants":[]}'),
      outputSchema('grantsList'),
      'an answer to grantsList',
    );
    expect(list).toEqual({ grants: [] });
  });

  it('refuses a field of the wrong type, naming its path', async () => {
    const err = await refusal(
      ctx.answer(answer('{"agents":[{"id":7}]}'), outputSchema('agentsList'), 'an answer to agentsList'),
    );
    expect(err.exitCode).toBe(EXIT.failed);
    expect(err.code).toBe('invalid_response');
    expect(err.message).toContain('an answer to agentsList');
    expect(err.message).toContain('agents[0].id');
    expect(err.message).toContain('same version');
  });

  it('refuses an answer that is not JSON, or not the status it claims to be', async () => {
    const notJson = await refusal(ctx.answer(answer('<html>'), Status, 'the vault status'));
    expect(notJson.code).toBe('invalid_response');
    expect(notJson.message).toContain('the vault status');
    const wrong = await refusal(ctx.answer(answer('{"vault":"open"}'), Status, 'the vault status'));
    expect(wrong.message).toMatch(/vault: /);
  });
});
