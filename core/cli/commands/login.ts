// akc login / logout: an owner session for this shell, allowed by the owner in the app or the console
// (or proven with the vault passphrase). Bound to this shell; ends on logout, expiry or vault lock.
import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions, type CliIo } from '../context.ts';
import { action, when } from './util.ts';

const LoginOptions = z.object({
  minutes: z.enum(['15', '60']).optional(),
});

export function registerLogin(program: Command, io: CliIo): void {
  program
    .command('login')
    .description(
      'Ask the owner for an owner session for this shell (a prompt in the app or the console names this process)',
    )
    .option('--minutes <n>', 'how long the session may last: 15 or 60 (the owner may choose otherwise)')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const opts = parseOptions(LoginOptions, cmd.opts());
        const existing = await ctx.liveStoredSession();
        const session =
          existing ?? (await ctx.login(opts.minutes === undefined ? undefined : Number(opts.minutes)));
        ctx.print({ sessionId: session.sessionId, expiresAt: session.expiresAt }, () =>
          existing
            ? `Already signed in: owner session ${session.sessionId}, ends ${when(session.expiresAt)}.`
            : `Owner session ${session.sessionId} started; it ends ${when(session.expiresAt)}, when you run \`akc logout\`, or when the vault locks.\nIt works only for akc run from this shell.`,
        );
      }),
    );
  program
    .command('logout')
    .description('End this shell’s owner session now')
    .action(
      action(io, async (ctx) => {
        const ended = await ctx.logout();
        ctx.print({ ended }, () =>
          ended ? `Owner session ${ended} ended.` : 'No owner session in this shell.',
        );
      }),
    );
}
