// akc audit tail [-f] | verify | export: the tamper-evident log. Export is a sensitive act (the whole
// record of what agents did): confirmed in the app or with --passphrase.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions, type CliContext, type CliIo } from '../context.ts';
import { CliError, EXIT } from '../exit.ts';
import { queryString } from '../../../shared/contract.ts';
import { Decision, type AuditEntry } from '../../../shared/models.ts';
import { parseEvent } from '../../../shared/events.ts';
import type { AuditQuery } from '../../../shared/contract.ts';
import { action, resolveAgent } from './util.ts';

const Filters = z.object({
  agent: z.string().optional(),
  action: z.string().optional(),
  decision: Decision.optional(),
  since: z.string().optional(),
});

function line(e: AuditEntry): string {
  const session = typeof e.facts?.['ownerSession'] === 'string' ? ` [${e.facts['ownerSession']}]` : '';
  return [
    e.time.replace('T', ' ').slice(0, 19),
    e.actor.padEnd(6),
    e.action,
    e.agentName ?? '-',
    e.decision,
    `${e.reason ?? ''}${e.rule ? ` — ${e.rule}` : ''}${session}`,
  ].join('  ');
}

type Query = Omit<AuditQuery, 'limit' | 'cursor'>;

/** The filter options tail and export share (parsed with Filters). */
function withFilters(command: Command): Command {
  return command
    .option('--agent <agent>', 'only this agent (name or id)')
    .option('--action <action>', 'only this action, or a prefix like "proxy.*"')
    .option('--decision <decision>', 'only this decision (allow, deny, approved, …)')
    .option('--since <iso>', 'only entries since this time');
}

async function query(ctx: CliContext, f: z.output<typeof Filters>): Promise<Query> {
  return {
    ...(f.agent !== undefined ? { agentId: (await resolveAgent(ctx, f.agent)).id } : {}),
    ...(f.action !== undefined ? { action: f.action } : {}),
    ...(f.decision !== undefined ? { decision: f.decision } : {}),
    ...(f.since !== undefined ? { since: f.since } : {}),
  };
}

function matches(e: AuditEntry, q: Query): boolean {
  if (q.agentId !== undefined && e.agentId !== q.agentId) return false;
  if (q.decision !== undefined && e.decision !== q.decision) return false;
  if (q.action !== undefined) {
    const a = q.action;
    if (a.endsWith('.*') ? !e.action.startsWith(a.slice(0, -1)) : e.action !== a) return false;
  }
  return true;
}

/** One `audit.appended` event's data, checked against the contract; a string says what is wrong with it. */
function auditEntryOf(data: string): AuditEntry | string {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return 'not JSON';
  }
  const parsed = parseEvent({ name: 'audit.appended', data: json });
  if (!parsed.ok) return parsed.problem;
  return parsed.event.name === 'audit.appended' ? parsed.event.data : 'not an audit entry';
}

async function follow(ctx: CliContext, q: Query): Promise<void> {
  const res = await ctx.send({ method: 'GET', target: '/admin/v1/events', body: undefined }, 'read');
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body) {
    buf += decoder.decode(chunk as Uint8Array, { stream: true });
    let idx: number;
    while ((idx = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, idx);
      buf = buf.slice(idx + 2);
      if (!block.startsWith('event: audit.appended\n')) continue;
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (!data) continue;
      const entry = auditEntryOf(data.slice(6));
      if (typeof entry === 'string') {
        ctx.note(`An audit entry from the daemon was skipped: ${entry}.`);
        continue;
      }
      if (!matches(entry, q)) continue;
      ctx.io.stdout(ctx.json ? `${JSON.stringify(entry)}\n` : `${line(entry)}\n`);
    }
  }
  throw new CliError(
    EXIT.notRunning,
    'The daemon closed the event stream (it stopped or restarted).',
    'not_running',
  );
}

export function registerAudit(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('The tamper-evident audit log');
  withFilters(
    audit
      .command('tail')
      .description('Show the latest entries, oldest first; -f keeps following new ones')
      .option('-n, --lines <n>', 'how many entries', '20')
      .option('-f, --follow', 'keep printing new entries as they are written'),
  )
    .option('--json', 'print JSON (one entry per line with -f)')
    .action(
      action(io, async (ctx, cmd) => {
        const opts = parseOptions(
          Filters.extend({ lines: z.coerce.number().int().min(1).max(1000), follow: z.boolean().optional() }),
          cmd.opts(),
        );
        const q = await query(ctx, opts);
        const page = await ctx.call('auditList', { ...q, limit: opts.lines });
        const entries = [...page.entries].reverse();
        if (opts.follow !== true) {
          ctx.print(entries, () => (entries.length === 0 ? 'No entries.' : entries.map(line).join('\n')));
          return;
        }
        for (const e of entries) io.stdout(ctx.json ? `${JSON.stringify(e)}\n` : `${line(e)}\n`);
        await follow(ctx, q);
      }),
    );
  audit
    .command('verify')
    .description('Check the hash chain and its sealed head (exit 7 when broken)')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx) => {
        const out = await ctx.call('auditVerify', {});
        ctx.print(out, () =>
          out.ok
            ? `Audit log verified: ${out.checked} entries, chain intact.`
            : `Audit log BROKEN at entry ${out.firstBrokenSeq ?? '?'}: ${out.problem ?? 'the chain does not verify'} (${out.checked} checked).`,
        );
        if (!out.ok) throw new CliError(EXIT.auditBroken, 'The audit log did not verify.', 'audit_broken');
      }),
    );
  withFilters(
    audit
      .command('export')
      .description('Export the log as JSONL or CSV (confirmed in the app or with --passphrase)')
      .option('--format <format>', 'jsonl or csv', 'jsonl')
      .option('-o, --output <file>', 'write to this file instead of stdout'),
  ).action(
    action(io, async (ctx, cmd) => {
      const opts = parseOptions(
        Filters.extend({ format: z.enum(['jsonl', 'csv']), output: z.string().optional() }),
        cmd.opts(),
      );
      const q = await query(ctx, opts);
      const res = await ctx.send(
        {
          method: 'GET',
          target: `/admin/v1/audit/export${queryString({ format: opts.format, ...q })}`,
          body: undefined,
        },
        'sensitive',
      );
      if (!res.body) return;
      const source = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
      if (opts.output !== undefined) {
        await pipeline(source, createWriteStream(opts.output, { mode: 0o600 }));
        ctx.note(`Exported to ${opts.output}.`);
      } else {
        for await (const chunk of source) io.stdout((chunk as Buffer).toString('utf8'));
      }
    }),
  );
}
