// akc approvals list|approve|deny and akc grants list|remove. Each held request is shown with the same
// summary as the prompt; approving from the CLI is confirmed in the app (or with --passphrase), denying
// needs only the session.
import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions, type CliIo } from '../context.ts';
import { CliError, EXIT } from '../exit.ts';
import type { ApprovalView } from '../../../shared/models.ts';
import { action, arg, itemCommand, listCommand, when } from './util.ts';

function program(command: string | null): string {
  const first = (command ?? '').trim().split(/\s+/)[0] ?? '';
  return first.slice(first.lastIndexOf('/') + 1) || 'unknown process';
}

/** The prompt's content as text: the act, who asks, why it was held, context. */
export function approvalText(a: ApprovalView): string {
  return [
    `${a.id}  ${a.summary}${a.count > 1 ? ` ×${a.count}` : ''}`,
    `  ${a.agentName} via ${program(a.process.command)}${a.process.pid !== null ? ` · pid ${a.process.pid}` : ''}`,
    `  Held: ${a.reason}`,
    ...a.usage.map((u) => `  ${u.label}: ${u.used} of ${u.limit}`),
    `  Waiting since ${when(a.createdAt)} · auto-deny ${when(a.expiresAt)}`,
  ].join('\n');
}

const ApproveOptions = z.object({
  minutes: z.coerce.number().int().min(1).max(1440).optional(),
  uses: z.coerce.number().int().min(1).max(1000).optional(),
});

export function registerApprovals(prog: Command, io: CliIo): void {
  const approvals = prog.command('approvals').description('Requests held for the owner’s decision');
  approvals
    .command('list')
    .description('List held requests, with the same summary as the prompt')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx) => {
        const { approvals: list } = await ctx.call('approvalsList', {});
        ctx.print(list, () =>
          list.length === 0 ? 'Nothing is waiting for you.' : list.map(approvalText).join('\n\n'),
        );
      }),
    );
  approvals
    .command('approve')
    .description('Approve a held request (confirmed in the app or with --passphrase)')
    .argument('<id>', 'approval id (apr_…)')
    .option('--minutes <n>', 'also remember the approval for n minutes')
    .option('--uses <n>', 'also remember the approval for n uses')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const opts = parseOptions(ApproveOptions, cmd.opts());
        const id = arg(cmd);
        const held = (await ctx.call('approvalsList', {})).approvals.find((a) => a.id === id);
        if (!held)
          throw new CliError(
            EXIT.notFound,
            `No held request ${id} (decided, timed out, or cut).`,
            'not_found',
          );
        if (!ctx.json) ctx.note(approvalText(held));
        const remember =
          opts.minutes !== undefined || opts.uses !== undefined
            ? {
                ...(opts.minutes !== undefined ? { minutes: opts.minutes } : {}),
                ...(opts.uses !== undefined ? { uses: opts.uses } : {}),
              }
            : undefined;
        const out = await ctx.call('approvalDecide', {
          id,
          decision: 'approve',
          ...(remember ? { remember } : {}),
        });
        ctx.print(out, () => `Approved ${id}${out.grant ? `; remembered: ${out.grant.covers}` : ''}.`);
      }),
    );
  approvals
    .command('deny')
    .description('Deny a held request')
    .argument('<id>', 'approval id (apr_…)')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const id = arg(cmd);
        const out = await ctx.call('approvalDecide', { id, decision: 'deny' });
        ctx.print(out, () => `Denied ${id}.`);
      }),
    );

  const grants = prog.command('grants').description('Remembered approvals');
  listCommand(grants, io, {
    description: 'List remembered approvals',
    read: async (ctx) => (await ctx.call('grantsList', {})).grants,
    empty: 'No remembered approvals.',
    columns: ['ID', 'COVERS', 'USES LEFT', 'ENDS'],
    row: (g) => [g.id, g.covers, g.usesLeft === null ? '—' : String(g.usesLeft), when(g.expiresAt)],
  });
  itemCommand(grants, io, {
    name: 'remove',
    description: 'Remove a remembered approval',
    argument: ['<id>', 'grant id (grt_…)'],
    act: (ctx, id) => ctx.call('grantDelete', { id }),
    done: (id) => `Removed ${id}.`,
  });
}
