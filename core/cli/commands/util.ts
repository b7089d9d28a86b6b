// Small helpers the command modules share: the action wrapper, tables, names → ids, times.
import type { Command } from 'commander';
import { CliContext, type CliIo } from '../context.ts';
import { CliError, EXIT } from '../exit.ts';
import type { AgentView } from '../../../shared/models.ts';

/** Wraps a command's action: a fresh context, options read from the command itself. */
export function action(
  io: CliIo,
  fn: (ctx: CliContext, cmd: Command) => Promise<void>,
): (this: Command) => Promise<void> {
  return async function (this: Command) {
    await fn(new CliContext(this, io), this);
  };
}

/** The first positional argument (commander checks it is there when declared "<name>"). */
export function arg(cmd: Command, index = 0): string {
  const v = cmd.args[index];
  if (v === undefined) throw new CliError(EXIT.usage, 'A required argument is missing.', 'usage');
  return v;
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/**
 * A `list` subcommand: reads the items, prints them as JSON with --json, else as a table (or `empty` when
 * there are none).
 */
export function listCommand<T>(
  group: Command,
  io: CliIo,
  spec: {
    description: string;
    read: (ctx: CliContext) => Promise<T[]>;
    empty: string;
    columns: readonly string[];
    row: (item: T) => readonly string[];
  },
): void {
  group
    .command('list')
    .description(spec.description)
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx) => {
        const list = await spec.read(ctx);
        ctx.print(list, () => (list.length === 0 ? spec.empty : table(spec.columns, list.map(spec.row))));
      }),
    );
}

/**
 * A subcommand that does one thing to one item named by its argument (remove, end): `act` asks the daemon, then
 * `{ deleted: item }` (or `{ ended: item }`) is printed as JSON with --json, else `done(item)`.
 */
export function itemCommand(
  group: Command,
  io: CliIo,
  spec: {
    name: 'remove' | 'end';
    description: string;
    argument: readonly [name: string, description: string];
    act: (ctx: CliContext, item: string) => Promise<unknown>;
    done: (item: string) => string;
  },
): void {
  group
    .command(spec.name)
    .description(spec.description)
    .argument(...spec.argument)
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const item = arg(cmd);
        await spec.act(ctx, item);
        ctx.print(spec.name === 'end' ? { ended: item } : { deleted: item }, () => spec.done(item));
      }),
    );
}

/** "3 min ago", "in 12 min", or the ISO time when far away. */
export function when(iso: string | null, now = Date.now()): string {
  if (iso === null) return '—';
  const ms = Date.parse(iso) - now;
  const abs = Math.abs(ms);
  if (abs > 7 * 86_400_000) return iso.slice(0, 16).replace('T', ' ');
  const [n, unit] =
    abs < 60_000
      ? [Math.round(abs / 1000), 's']
      : abs < 3_600_000
        ? [Math.round(abs / 60_000), ' min']
        : abs < 86_400_000
          ? [Math.round(abs / 3_600_000), ' h']
          : [Math.round(abs / 86_400_000), ' d'];
  return ms < 0 ? `${n}${unit} ago` : `in ${n}${unit}`;
}

/** An agent by id (agt_…) or by exact name. */
export async function resolveAgent(ctx: CliContext, nameOrId: string): Promise<AgentView> {
  if (/^agt_[A-Za-z0-9]+$/.test(nameOrId)) return await ctx.call('agentGet', { id: nameOrId });
  const { agents } = await ctx.call('agentsList', {});
  const found = agents.filter((a) => a.name === nameOrId);
  if (found.length === 0)
    throw new CliError(EXIT.notFound, `No agent named "${nameOrId}". See \`akc agents list\`.`, 'not_found');
  if (found.length > 1)
    throw new CliError(
      EXIT.usage,
      `Several agents are named "${nameOrId}": use the id (${found.map((a) => a.id).join(', ')}).`,
      'usage',
    );
  const [agent] = found;
  if (!agent) throw new CliError(EXIT.notFound, `No agent named "${nameOrId}".`, 'not_found');
  return agent;
}
