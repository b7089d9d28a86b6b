// akc token --agent NAME: prints a fresh short-lived credential of the agent on stdout and nothing else,
// for key helpers (Claude Code's apiKeyHelper, Codex's model_providers.<id>.auth.command).
import { Command } from 'commander';
import { z } from 'zod';
import { TokenResponse } from '../../../shared/identity.ts';
import { daemonUrl } from '../../run/daemon-url.ts';
import { signAssertion } from '../../identity/sign.ts';
import { agentKey, parseDuration } from './agent-key.ts';

const Options = z.object({
  agent: z.string().min(1).max(100),
  keyFile: z.string().min(1).optional(),
  ttl: z.string().default('10m'),
  url: z.url().optional(),
});

export async function fetchToken(url: string, assertion: string, ttlSeconds: number): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${url}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assertion, ttlSeconds }),
    });
  } catch (err) {
    throw new Error(
      `Cannot reach Agent Keychain at ${url}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const message = z.object({ error: z.object({ message: z.string() }) }).safeParse(body);
    throw new Error(message.success ? message.data.error.message : `Agent Keychain answered ${res.status}.`);
  }
  return TokenResponse.parse(body).access_token;
}

export function tokenCommand(): Command {
  return new Command('token')
    .description('Print a fresh short-lived credential of an agent (from its enrolled key) and nothing else')
    .requiredOption('--agent <name>', 'the agent')
    .option('--key-file <path>', 'the agent key file (default: the OS keychain entry)')
    .option('--ttl <duration>', 'lifetime, 60s to 1h', '10m')
    .option('--url <url>', 'the daemon URL (default: from daemon.json)')
    .action(async (raw: unknown) => {
      try {
        const opts = Options.parse(raw);
        const ttl = parseDuration(opts.ttl);
        const url = daemonUrl(opts.url);
        const key = await agentKey(opts.agent, opts.keyFile);
        process.stdout.write(`${await fetchToken(url, await signAssertion(key, url), ttl)}\n`);
      } catch (err) {
        process.stderr.write(
          `akc token: ${err instanceof z.ZodError ? (err.issues[0]?.message ?? 'bad options') : err instanceof Error ? err.message : String(err)}\n`,
        );
        process.exitCode = 1;
      }
    });
}
