// Secrets typed by the owner (provider keys, secret values, the vault passphrase): never a command-line
// argument (visible in /proc/PID/cmdline and shell history). On a terminal they are asked with no echo;
// otherwise they are read from stdin: the passphrase (with --passphrase) is the first line, a key or
// value is the rest.
import { CliError, EXIT } from './exit.ts';

let buffered: string | null = null;
let offset = 0;

async function stdinText(): Promise<string> {
  if (buffered !== null) return buffered;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  buffered = Buffer.concat(chunks).toString('utf8');
  return buffered;
}

export async function readSecretInput(label: string, take: 'line' | 'rest'): Promise<string> {
  let value: string;
  if (process.stdin.isTTY) {
    const { default: password } = await import('@inquirer/password');
    // The prompt writes to stderr so that stdout stays the command's result.
    value = await password({ message: `${label}:`, mask: false }, { output: process.stderr });
  } else {
    const text = await stdinText();
    const rest = text.slice(offset);
    if (take === 'line') {
      const nl = rest.indexOf('\n');
      value = (nl >= 0 ? rest.slice(0, nl) : rest).replace(/\r$/, '');
      offset += nl >= 0 ? nl + 1 : rest.length;
    } else {
      value = rest.replace(/\r?\n$/, '');
      offset = text.length;
    }
  }
  if (value.length === 0)
    throw new CliError(
      EXIT.usage,
      `No ${label.toLowerCase()} given: type it at the prompt, or pipe it on stdin.`,
      'usage',
    );
  return value;
}
