// akc status: is the daemon running, where, which version; with an owner session, the vault and counts.
// Never asks for a session, so scripts can check liveness without prompting anyone.
import type { Command } from 'commander';
import type { CliIo } from '../context.ts';
import { loadSession } from '../session-store.ts';
import { action, when } from './util.ts';
import { Status } from '../../../shared/models.ts';

export function registerStatus(program: Command, io: CliIo): void {
  program
    .command('status')
    .description('Show whether Agent Keychain runs, where, and (with an owner session) the vault state')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx) => {
        const daemon = ctx.daemon();
        const session = loadSession(daemon.url, io.env);
        let status: Status | null = null;
        if (session) {
          const res = await ctx.http('GET', '/admin/v1/status', { token: session.token });
          if (res.ok) status = await ctx.answer(res, Status, 'the vault status');
        }
        ctx.print(
          {
            daemon,
            session: session ? { id: session.sessionId, expiresAt: session.expiresAt } : null,
            status,
          },
          () =>
            [
              `Agent Keychain ${daemon.version} is running at ${daemon.url} (pid ${daemon.pid})`,
              status
                ? `Vault: ${status.vault}${status.vaultError ? ` — ${status.vaultError}` : ''} · ${status.counts.activeAgents}/${status.counts.agents} agents active · ${status.counts.pendingApprovals} approvals waiting`
                : 'Vault: (run `akc login` for an owner session to see more)',
              session
                ? `Owner session ${session.sessionId}, ends ${when(session.expiresAt)}`
                : 'No owner session in this shell.',
            ].join('\n'),
        );
      }),
    );
}
