// Every akc command, registered in one place. A command module exports one function that adds its
// command (or command group) to the program. To add one: create commands/NAME.ts and list it here.
// Agent-side commands (`akc run`, `akc token`, `akc agents enroll`) live in their own files too and
// register the same way; `agents` subcommands find the group with agentsGroup(program).
import type { Command } from 'commander';
import type { CliIo } from '../context.ts';
import { registerStatus } from './status.ts';
import { registerLogin } from './login.ts';
import { registerAgents } from './agents.ts';
import { registerApprovals } from './approvals.ts';
import { registerProviders, registerSecrets } from './providers.ts';
import { registerAudit } from './audit.ts';
import { registerSessions } from './sessions.ts';
import { runCommand } from './run.ts';
import { tokenCommand } from './token.ts';
import { registerEnroll } from './enroll.ts';

export type RegisterCommand = (program: Command, io: CliIo) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerStatus,
  registerLogin,
  registerAgents,
  (program, io) => registerEnroll(agentsGroup(program), io),
  registerApprovals,
  registerProviders,
  registerSecrets,
  registerAudit,
  registerSessions,
  // Agent-side commands (they act as an agent, never as the owner).
  (program) => program.addCommand(runCommand()),
  (program) => program.addCommand(tokenCommand()),
];

/** The `agents` command group, for modules that add agent subcommands. */
function agentsGroup(program: Command): Command {
  const group = program.commands.find((c) => c.name() === 'agents');
  if (!group) throw new Error('The agents command group must be registered first.');
  return group;
}
