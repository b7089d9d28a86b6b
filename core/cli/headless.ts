// Headless mode: the same core, with the UI served as a browser console on the loopback port.
// Prints the URL, a one-time login link and what to do next; stops cleanly on SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readConfig } from '../config.ts';
import { startDaemon } from '../daemon.ts';
import { installFailurePolicy } from '../failure.ts';
import { DataDirBusy } from '../storage/data-dir.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function freshLinkFrom(dataDir: string, url: string): Promise<string | null> {
  try {
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const res = await fetch(`${url}/admin/v1/console/link`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    if (!res.ok) return null;
    return ((await res.json()) as { url?: string }).url ?? null;
  } catch {
    return null;
  }
}

export async function runHeadless(): Promise<void> {
  const config = readConfig();
  const consoleDir = join(root, 'out', 'renderer');
  let daemon;
  try {
    daemon = await startDaemon({
      dataDir: config.dataDir,
      port: config.port,
      mode: 'headless',
      // Served from disk per request, so a console still being built appears as soon as it is there.
      consoleDir,
      approvalTimeoutMs: config.approvalTimeoutMs,
      upstreamTimeoutMs: config.upstreamTimeoutMs,
      passphraseFile: config.passphraseFile,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (err) {
    if (err instanceof DataDirBusy) {
      process.stderr.write(`${err.message}\n`);
      if (err.url) {
        const link = await freshLinkFrom(config.dataDir, err.url);
        if (link) process.stdout.write(`Open the console of the running instance: ${link}\n`);
      }
      process.exit(3);
    }
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      process.stderr.write(
        `Port ${config.port} is taken by another program. Set AKC_PORT to a free port (or 0 for any).\n`,
      );
      process.exit(2);
    }
    throw err;
  }
  const status = daemon.core.status(0);
  // performance.now() counts from this process's start: the figure includes loading the code.
  const ms = Math.round(performance.now());
  const lines = [
    `Agent Keychain ${status.version} is running headless on ${daemon.url} (ready ${ms} ms after the process started)`,
    `Data directory: ${daemon.dataDir}`,
    `Vault: ${status.vault}${status.vaultError ? ` — ${status.vaultError}` : ''}`,
    '',
    `Open the console (one-time login link): ${daemon.loginUrl ?? ''}`,
    status.vault === 'uninitialized'
      ? 'Next: open the link and set up the vault (OS keychain or passphrase), then add a provider key and create an agent.'
      : status.vault === 'locked'
        ? 'Next: open the link and unlock the vault; agent requests are refused until you do.'
        : 'Next: open the link to create agents, answer approvals and watch the activity feed.',
    `Admin API: Authorization: Bearer $(cat ${join(daemon.dataDir, 'admin-token')})`,
    'Stop with Ctrl+C.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping Agent Keychain…\n`);
    void daemon.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`Stopped with an error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // An error outside any request stops the daemon, fail closed (core/failure.ts).
  installFailurePolicy(process, {
    record: (detail) => daemon.recordFailure(detail),
    stop: () => daemon.stop(),
    tell: (message) => process.stderr.write(`${message}\n`),
    log: (line) => process.stderr.write(`${line}\n`),
    exit: (code) => process.exit(code),
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runHeadless().catch((err: unknown) => {
    process.stderr.write(
      `Agent Keychain could not start: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  });
}
