// akc providers list|set|remove and akc secrets list|set|remove. Keys and values are write-only: read
// from a no-echo prompt or stdin, never from an argument; listings show a hint (last 4) only.
import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions, type CliIo } from '../context.ts';
import { readSecretInput } from '../input.ts';
import { ProviderKind } from '../../../shared/facts.ts';
import { action, arg, itemCommand, listCommand, when } from './util.ts';

const SetOptions = z.object({
  kind: ProviderKind,
  baseUrl: z.string().optional(),
  authHeader: z.string().optional(),
  authPrefix: z.string().optional(),
});

export function registerProviders(program: Command, io: CliIo): void {
  const providers = program.command('providers').description('Provider master keys (write-only)');
  listCommand(providers, io, {
    description: 'List providers with their key hint',
    read: async (ctx) => (await ctx.call('providersList', {})).providers,
    empty:
      'No providers yet. Add one with `akc providers set ID --kind openai` (the key is asked, never an argument).',
    columns: ['ID', 'KIND', 'BASE URL', 'KEY', 'UPDATED', 'USED BY'],
    row: (p) => [p.id, p.kind, p.baseUrl, `…${p.keyHint}`, when(p.updatedAt), p.usedBy.join(', ')],
  });
  providers
    .command('set')
    .description(
      'Add a provider or replace its key (confirmed in the app or with --passphrase); the key comes from a prompt or stdin',
    )
    .argument('<id>', 'provider id, e.g. openai')
    .requiredOption('--kind <kind>', `one of ${ProviderKind.options.join(', ')}`)
    .option('--base-url <url>', 'upstream base URL (default: the provider’s own)')
    .option('--auth-header <name>', 'header that carries the key (generic http providers)')
    .option('--auth-prefix <prefix>', 'prefix before the key in that header')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const opts = parseOptions(SetOptions, cmd.opts());
        // Presence first (it may read the passphrase from stdin's first line), then the key.
        await ctx.passphraseIfAsked();
        const key = await readSecretInput(`Master key for ${arg(cmd)}`, 'rest');
        const out = await ctx.call('providerPut', {
          id: arg(cmd),
          kind: opts.kind,
          key,
          ...(opts.baseUrl !== undefined ? { baseUrl: opts.baseUrl } : {}),
          ...(opts.authHeader !== undefined ? { authHeader: opts.authHeader } : {}),
          ...(opts.authPrefix !== undefined ? { authPrefix: opts.authPrefix } : {}),
        });
        ctx.print(out, () => `Provider ${out.id} (${out.kind}) at ${out.baseUrl}, key …${out.keyHint}.`);
      }),
    );
  itemCommand(providers, io, {
    name: 'remove',
    description: 'Remove a provider and its key',
    argument: ['<id>', 'provider id'],
    act: (ctx, id) => ctx.call('providerDelete', { id }),
    done: (id) => `Provider ${id} and its key were removed.`,
  });
}

export function registerSecrets(program: Command, io: CliIo): void {
  const secrets = program.command('secrets').description('Named secrets agents may read (write-only)');
  listCommand(secrets, io, {
    description: 'List secret names with a hint',
    read: async (ctx) => (await ctx.call('secretsList', {})).secrets,
    empty: 'No secrets yet. Add one with `akc secrets set NAME` (the value is asked, never an argument).',
    columns: ['NAME', 'HINT', 'UPDATED', 'USED BY'],
    row: (s) => [s.name, s.hint, when(s.updatedAt), s.usedBy.join(', ')],
  });
  secrets
    .command('set')
    .description(
      'Store or replace a secret (confirmed in the app or with --passphrase); the value comes from a prompt or stdin',
    )
    .argument('<name>', 'secret name')
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        await ctx.passphraseIfAsked();
        const value = await readSecretInput(`Value of ${arg(cmd)}`, 'rest');
        const out = await ctx.call('secretPut', { name: arg(cmd), value });
        ctx.print(out, () => `Secret ${out.name} stored (${out.hint}).`);
      }),
    );
  itemCommand(secrets, io, {
    name: 'remove',
    description: 'Remove a secret',
    argument: ['<name>', 'secret name'],
    act: (ctx, name) => ctx.call('secretDelete', { name }),
    done: (name) => `Secret ${name} removed.`,
  });
}
