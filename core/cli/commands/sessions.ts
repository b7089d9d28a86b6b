// akc sessions list|end: the live owner sessions (this shell's and others'), and ending one.
import type { Command } from 'commander';
import type { CliIo } from '../context.ts';
import { itemCommand, listCommand, when } from './util.ts';

export function registerSessions(program: Command, io: CliIo): void {
  const group = program.command('sessions').description('Live owner sessions of the command line');
  listCommand(group, io, {
    description: 'List live owner sessions',
    read: async (ctx) => (await ctx.call('ownerSessionsList', {})).sessions,
    empty: 'No live owner sessions.',
    columns: ['ID', 'SHELL', 'STARTED', 'ENDS', 'ACTS'],
    row: (s) => [
      s.id,
      `pid ${s.anchor.pid} ${s.anchor.command}`.slice(0, 40),
      when(s.createdAt),
      when(s.expiresAt),
      String(s.acts),
    ],
  });
  itemCommand(group, io, {
    name: 'end',
    description: 'End an owner session now',
    argument: ['<id>', 'session id (osn_…)'],
    act: (ctx, id) => ctx.call('ownerSessionEnd', { id }),
    done: (id) => `Owner session ${id} ended.`,
  });
}
