// akc agents …, akc revoke-all: the owner's agent controls. Creating, widening, resuming and rotating ask
// the owner to confirm in the app/console (or --passphrase); suspend and revoke need only the session.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions, type CliContext, type CliIo } from '../context.ts';
import { CliError, EXIT } from '../exit.ts';
import { Severity, type AgentView } from '../../../shared/models.ts';
import { Scopes } from '../../../shared/scopes.ts';
import { describeIssue } from '../../../shared/issue-path.ts';
import { action, arg, resolveAgent, when, listCommand } from './util.ts';

const ScopeOptions = z.object({
  scopes: z.string().optional(),
  scopesFile: z.string().optional(),
});

/** --scopes and --scopes-file (read by scopesFrom), for create and edit. */
function withScopeOptions(command: Command, what: string): Command {
  return command
    .option('--scopes <json>', `${what} as JSON (see README "Scopes")`)
    .option('--scopes-file <file>', `${what} from a JSON file`);
}

/** The scopes of --scopes / --scopes-file, checked against the contract here, so a typo fails before anything is asked of the owner. */
function scopesFrom(opts: z.output<typeof ScopeOptions>): Scopes | undefined {
  if (opts.scopes !== undefined && opts.scopesFile !== undefined)
    throw new CliError(EXIT.usage, 'Give --scopes or --scopes-file, not both.', 'usage');
  const text =
    opts.scopesFile !== undefined
      ? (() => {
          try {
            return readFileSync(opts.scopesFile, 'utf8');
          } catch (err) {
            throw new CliError(
              EXIT.usage,
              `Cannot read ${opts.scopesFile}: ${(err as Error).message}`,
              'usage',
            );
          }
        })()
      : opts.scopes;
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(EXIT.usage, '--scopes must be JSON, e.g. \'{"providers":{"openai":{}}}\'.', 'usage');
  }
  const scopes = Scopes.safeParse(json);
  if (scopes.success) return scopes.data;
  throw new CliError(
    EXIT.usage,
    `The scopes are not valid (${describeIssue(scopes.error.issues, 'scopes')}); see README "Scopes".`,
    'usage',
  );
}

function describe(a: AgentView): string {
  return [
    `${a.name} (${a.id}) — ${a.status}`,
    ...a.scopeSummary.map((s) => `  ${s}`),
    `  credential ${a.credentialId} · created ${when(a.createdAt)} · last seen ${when(a.lastSeenAt)}` +
      (a.expiresAt ? ` · expires ${when(a.expiresAt)}` : ''),
    ...a.usage.map((u) => `  ${u.label}: ${u.used}/${u.limit}`),
    ...(a.revokedAt
      ? [`  revoked ${when(a.revokedAt)}: ${a.revokeReason ?? ''} (${a.revokeSeverity ?? ''})`]
      : []),
  ].join('\n');
}

function withCut(ctx: CliContext, out: { agent: AgentView; cut: number }, verb: string): void {
  ctx.print(
    out,
    () =>
      `${out.agent.name} (${out.agent.id}) ${verb}${out.cut > 0 ? `; ${out.cut} request(s) in flight were cut` : ''}.`,
  );
}

const RevokeOptions = z.object({ reason: z.string().trim().min(1), severity: Severity });

export function registerAgents(program: Command, io: CliIo): void {
  const agents = program.command('agents').description('Agents and their credentials');

  listCommand(agents, io, {
    description: 'List agents',
    read: async (ctx) => (await ctx.call('agentsList', {})).agents,
    empty: 'No agents yet. Create one with `akc agents create NAME --scopes JSON`.',
    columns: ['NAME', 'STATUS', 'ID', 'LAST SEEN'],
    row: (a) => [a.name, a.status, a.id, when(a.lastSeenAt)],
  });

  agents
    .command('show')
    .description('Show one agent: scopes in words, usage, status')
    .argument('<agent>', 'name or id')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const agent = await resolveAgent(ctx, arg(cmd));
        ctx.print(agent, () => describe(agent));
      }),
    );

  withScopeOptions(
    agents
      .command('create')
      .description('Create an agent (confirmed in the app or with --passphrase); prints its credential once')
      .argument('<name>', 'agent name'),
    'scopes',
  )
    .option('--expires <iso>', 'expiry time, ISO 8601')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const opts = parseOptions(ScopeOptions.extend({ expires: z.string().optional() }), cmd.opts());
        const scopes = scopesFrom(opts);
        if (scopes === undefined)
          throw new CliError(EXIT.usage, 'Give the scopes with --scopes or --scopes-file.', 'usage');
        const out = await ctx.call('agentCreate', {
          name: arg(cmd),
          scopes,
          ...(opts.expires !== undefined ? { expiresAt: opts.expires } : {}),
        });
        ctx.print(out, () => `${describe(out.agent)}\nCredential (shown once; store it now):\n${out.token}`);
      }),
    );

  withScopeOptions(
    agents
      .command('edit')
      .description('Rename an agent or change its scopes or expiry (widening is confirmed in the app)')
      .argument('<agent>', 'name or id')
      .option('--name <name>', 'new name'),
    'new scopes',
  )
    .option('--expires <iso>', 'new expiry, ISO 8601, or "never"')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const opts = parseOptions(
          ScopeOptions.extend({ name: z.string().optional(), expires: z.string().optional() }),
          cmd.opts(),
        );
        const scopes = scopesFrom(opts);
        if (opts.name === undefined && scopes === undefined && opts.expires === undefined)
          throw new CliError(EXIT.usage, 'Nothing to change: give --name, --scopes or --expires.', 'usage');
        const agent = await resolveAgent(ctx, arg(cmd));
        const out = await ctx.call('agentUpdate', {
          id: agent.id,
          ...(opts.name !== undefined ? { name: opts.name } : {}),
          ...(scopes !== undefined ? { scopes } : {}),
          ...(opts.expires !== undefined
            ? { expiresAt: opts.expires === 'never' ? null : opts.expires }
            : {}),
        });
        ctx.print(out, () => describe(out));
      }),
    );

  agents
    .command('suspend')
    .description('Pause an agent (reversible); its requests in flight are cut')
    .argument('<agent>', 'name or id')
    .option('--reason <text>', 'why')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const opts = parseOptions(z.object({ reason: z.string().optional() }), cmd.opts());
        const agent = await resolveAgent(ctx, arg(cmd));
        const out = await ctx.call('agentSuspend', {
          id: agent.id,
          ...(opts.reason ? { reason: opts.reason } : {}),
        });
        withCut(ctx, out, 'suspended');
      }),
    );

  agents
    .command('resume')
    .description('Resume a suspended agent (confirmed in the app or with --passphrase)')
    .argument('<agent>', 'name or id')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const agent = await resolveAgent(ctx, arg(cmd));
        withCut(ctx, await ctx.call('agentResume', { id: agent.id }), 'resumed');
      }),
    );

  agents
    .command('rotate')
    .description('Issue a new credential (the old one dies at once); prints it once')
    .argument('<agent>', 'name or id')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const agent = await resolveAgent(ctx, arg(cmd));
        const out = await ctx.call('agentRotate', { id: agent.id });
        ctx.print(
          out,
          () =>
            `New credential for ${out.agent.name} (shown once; the old one no longer works):\n${out.token}`,
        );
      }),
    );

  agents
    .command('revoke')
    .description('Revoke an agent for good: credential dead, requests in flight cut, approvals denied')
    .argument('<agent>', 'name or id')
    .requiredOption('--reason <text>', 'why (recorded in the audit log)')
    .requiredOption('--severity <level>', 'low, medium or high')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const opts = parseOptions(RevokeOptions, cmd.opts());
        const agent = await resolveAgent(ctx, arg(cmd));
        withCut(
          ctx,
          await ctx.call('agentRevoke', { id: agent.id, reason: opts.reason, severity: opts.severity }),
          'revoked',
        );
      }),
    );

  program
    .command('revoke-all')
    .description('Panic button: revoke every agent now')
    .option('--reason <text>', 'why (recorded in the audit log)', 'revoke-all from akc')
    .option('--severity <level>', 'low, medium or high', 'high')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const opts = parseOptions(RevokeOptions, cmd.opts());
        const out = await ctx.call('agentsRevokeAll', { reason: opts.reason, severity: opts.severity });
        ctx.print(out, () => `${out.revoked} agent(s) revoked; ${out.cut} request(s) in flight were cut.`);
      }),
    );
}
