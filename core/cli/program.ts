// The akc program: global options, every command from commands/index.ts, and one place that turns
// errors into a message on stderr and an exit code (core/cli/exit.ts).
import { Command, CommanderError } from 'commander';
import { VERSION } from '../core.ts';
import { CliError, EXIT, type ExitCode } from './exit.ts';
import { processIo, type CliIo } from './context.ts';
import { COMMANDS } from './commands/index.ts';

export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command();
  program
    .name('akc')
    .description(
      'Agent Keychain from the command line: agents, approvals, providers, secrets, the audit log.\n' +
        'Owner commands need an owner session: the first one asks you to allow it in the app or the console.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    // `akc run … -- COMMAND` passes its options through: program options go before the command.
    .enablePositionalOptions()
    .option('--data-dir <dir>', 'data directory of the daemon (default: AKC_DATA_DIR or the OS default)')
    .option(
      '--passphrase',
      'prove presence with the vault passphrase (asked with no echo, or the first line of stdin) instead of a prompt in the app',
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  for (const register of COMMANDS) register(program, io);
  // Every subcommand reports usage errors the same way (exit 2) instead of exiting by itself.
  const harden = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    cmd.commands.forEach(harden);
  };
  program.commands.forEach(harden);
  return program;
}

/** Runs akc with argv (without node and script); resolves to the exit code. */
export async function runAkc(argv: readonly string[], io: CliIo = processIo): Promise<ExitCode> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with a CommanderError too, with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof CliError) {
      io.stderr(`akc: ${err.message}${err.requestId ? ` [${err.code}, request ${err.requestId}]` : ''}\n`);
      return err.exitCode;
    }
    if (err instanceof Error && err.name === 'ExitPromptError') {
      io.stderr('akc: cancelled.\n');
      return EXIT.failed;
    }
    io.stderr(`akc: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.failed;
  }
}
