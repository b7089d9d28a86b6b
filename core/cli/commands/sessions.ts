// akc sessions list|end: the live owner sessions (this shell's and others'), and ending one.
import type { Command } from 'commander';
import type { CliIo } from '../context.ts';
import { action, arg, table, when } from './util.ts';

export function registerSessions(program: Command, io: CliIo): void {
  const group = program.command('sessions').description('Live owner sessions of the command line');
  group
    .command('list')
    .description('List live owner sessions')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx) => {
        const { sessions } = await ctx.call('ownerSessionsList', {});
        ctx.print(sessions, () =>
          sessions.length === 0
            ? 'No live owner sessions.'
            : table(
                ['ID', 'SHELL', 'STARTED', 'ENDS', 'ACTS'],
                sessions.map((s) => [
                  s.id,
                  `pid ${s.anchor.pid} ${s.anchor.command}`.slice(0, 40),
                  when(s.createdAt),
                  when(s.expiresAt),
                  String(s.acts),
                ]),
              ),
        );
      }),
    );
  group
    .command('end')
    .description('End an owner session now')
    .argument('<id>', 'session id (osn_…)')
    .action(
      action(io, async (ctx, cmd) => {
        const id = arg(cmd);
        await ctx.call('ownerSessionEnd', { id });
        ctx.print({ ended: id }, () => `Owner session ${id} ended.`);
      }),
    );
}
