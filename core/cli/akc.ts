// The akc command line (provisional entry: the owner commands register here too).
import { Command } from 'commander';
import { VERSION } from '../core.ts';
import { runCommand } from './commands/run.ts';
import { tokenCommand } from './commands/token.ts';

const program = new Command('akc')
  .version(VERSION)
  .description('Agent Keychain command line')
  .enablePositionalOptions();
program.addCommand(runCommand());
program.addCommand(tokenCommand());
await program.parseAsync(process.argv);
