// akc run --agent NAME [--ttl 15m] [--no-sandbox] [--verbose] -- COMMAND ARGS…
// Starts COMMAND with a session credential of the agent, bound to its process tree, in a sandbox where
// bubblewrap exists. The command's exit code is akc run's; akc run's own failures exit 125.
import { Command } from 'commander';
import { z } from 'zod';
import { readConfig } from '../../config.ts';
import { daemonUrl } from '../../run/daemon-url.ts';
import { EXIT, runSession } from '../../run/launcher.ts';
import { agentKey, parseDuration } from './agent-key.ts';

const Options = z.object({
  agent: z.string().min(1).max(100),
  keyFile: z.string().min(1).optional(),
  ttl: z.string().default('15m'),
  sandbox: z.boolean().default(true),
  verbose: z.boolean().default(false),
  url: z.url().optional(),
});

export function runCommand(): Command {
  return new Command('run')
    .description(
      'Run a command with a short-lived session credential of an agent, bound to the command’s process tree, in a sandbox',
    )
    .requiredOption('--agent <name>', 'the agent whose enrolled key opens the session')
    .option('--key-file <path>', 'the agent key file (default: the OS keychain entry)')
    .option('--ttl <duration>', 'session lifetime, renewed while the command runs (e.g. 15m)', '15m')
    .option('--no-sandbox', 'do not hide the keychain’s files and the Secret Service from the command')
    .option('--verbose', 'say what happens (on stderr)')
    .option('--url <url>', 'the daemon URL (default: from daemon.json)')
    .argument('<command>', 'the command to run')
    .argument('[args...]', 'its arguments')
    .passThroughOptions()
    .action(async (command: string, args: string[], raw: unknown) => {
      const say = (line: string): void => {
        process.stderr.write(`${line}\n`);
      };
      try {
        const opts = Options.parse(raw);
        const ttlSeconds = parseDuration(opts.ttl);
        const url = daemonUrl(opts.url);
        const key = await agentKey(opts.agent, opts.keyFile);
        const code = await runSession({
          url,
          key,
          keyFile: opts.keyFile,
          dataDir: readConfig().dataDir,
          command,
          args,
          ttlSeconds,
          sandbox: opts.sandbox,
          verbose: opts.verbose,
          env: process.env,
          say,
        });
        process.exitCode = code;
      } catch (err) {
        say(
          `akc run: ${err instanceof z.ZodError ? (err.issues[0]?.message ?? 'bad options') : err instanceof Error ? err.message : String(err)}`,
        );
        process.exitCode = EXIT.launcherFailed;
      }
    });
}
