// Runs inside the sandbox, between bubblewrap and the command: Node starts with every signal at its
// default disposition (the launcher had bubblewrap ignore Ctrl+C so that the terminal's SIGINT does not
// kill the sandbox itself), then replaces itself with the command, same pid, same terminal.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

function resolveCommand(cmd: string): string {
  if (cmd.includes('/')) return cmd;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, cmd);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  process.stderr.write(`akc run: ${cmd}: command not found\n`);
  process.exit(127);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === undefined) {
  process.stderr.write('akc run: no command given\n');
  process.exit(127);
}
const file = resolveCommand(cmd);
try {
  if (typeof process.execve !== 'function')
    throw new Error('this Node has no process.execve (Node 22.15 or later needed)');
  process.execve(file, [cmd, ...args], process.env);
} catch (err) {
  process.stderr.write(`akc run: cannot run ${cmd}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(126);
}
