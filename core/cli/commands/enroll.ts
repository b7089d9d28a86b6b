// akc agents enroll NAME: gives an agent its Ed25519 key (key id = RFC 7638 thumbprint), which `akc run`
// and `akc token` use to get short-lived credentials. By default the daemon generates the key and keeps the
// private half in the OS keychain entry those commands read; --key-file generates it here, sends only the
// public key, and writes the private key to a new 0600 file (for an agent on another account). Enrolling
// voids the agent's previous key and everything minted from it; it is a sensitive act, so the owner
// confirms it in the app/console (or with --passphrase).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { parseOptions, type CliIo } from '../context.ts';
import { CliError, EXIT } from '../exit.ts';
import { generateAgentKey, saveKeyToFile } from '../../identity/key-store.ts';
import { publicPart } from '../../identity/jwk.ts';
import { action, arg, resolveAgent } from './util.ts';

export function registerEnroll(agents: Command, io: CliIo): void {
  agents
    .command('enroll')
    .description(
      'Give the agent a new Ed25519 key for akc run / akc token (its previous key stops working); kept in the OS keychain, or in a new 0600 --key-file',
    )
    .argument('<agent>', 'name or id')
    .option(
      '--key-file <path>',
      'write the private key to this new file (mode 0600) instead of the OS keychain',
    )
    .option('--json', 'print JSON')
    .action(
      action(io, async (ctx, cmd) => {
        const opts = parseOptions(z.object({ keyFile: z.string().min(1).optional() }), cmd.opts());
        // Checked before enrolling: enrolling voids the previous key, so a write that fails after it would
        // leave the agent with no usable key.
        if (opts.keyFile !== undefined && existsSync(opts.keyFile))
          throw new CliError(
            EXIT.usage,
            `${opts.keyFile} already exists; choose a new file for the key.`,
            'bad_request',
          );
        const agent = await resolveAgent(ctx, arg(cmd));
        if (opts.keyFile === undefined) {
          const out = await ctx.call('agentEnroll', { id: agent.id, store: 'os-keychain' });
          ctx.print(
            { key: out.key, stored: 'os-keychain' },
            () => `Enrolled key ${out.key.kid} for ${agent.name}; the private key is in the OS keychain.`,
          );
          return;
        }
        const key = await generateAgentKey(agent);
        const out = await ctx.call('agentEnroll', { id: agent.id, publicKey: publicPart(key.privateJwk) });
        // Written only after the daemon registered it: a refused enrollment leaves no key file behind.
        saveKeyToFile(opts.keyFile, key);
        ctx.print(
          { key: out.key, stored: opts.keyFile },
          () =>
            `Enrolled key ${out.key.kid} for ${agent.name}; the private key is in ${opts.keyFile} (0600).`,
        );
      }),
    );
}
