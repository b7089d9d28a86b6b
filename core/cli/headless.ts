// Headless mode: the same core, with the UI served as a browser console on the loopback port.
// Prints the URL, a one-time login link and what to do next; stops cleanly on SIGINT/SIGTERM.
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import { realpathSync } from 'node:fs';
import { readConfig } from '../config.ts';
import { startDaemon } from '../daemon.ts';
import { installFailurePolicy } from '../failure.ts';
import { DataDirBusy } from '../storage/data-dir.ts';
import { ConsoleLink, OwnerPresence } from '../../shared/owner.ts';

/** The part of an error answer this reads: its message for people. */
const Refusal = z.object({ error: z.object({ message: z.string() }) });

// Two levels up: from core/cli/ when run from the sources, from out/headless/ when run as the bundle that
// `npm start` builds (scripts/headless-bundle.ts); keep the bundle's folder at that depth.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A second start: the running daemon prints nothing for whoever runs this. It asks the owner, in the app or
 * a signed-in console, whether this process may have a new console login link (or takes the passphrase
 * of a passphrase vault), and returns the link only if allowed. Returns the reason when it gets none.
 */
async function askForLink(url: string): Promise<{ link: string } | { why: string }> {
  const passphrase = await maybePassphrase(url);
  try {
    const res = await fetch(`${url}/admin/v1/owner/console-link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(passphrase === undefined ? {} : { passphrase }),
    });
    const body: unknown = await res.json().catch(() => null);
    const link = ConsoleLink.safeParse(body);
    if (res.ok && link.success) return { link: link.data.url };
    const refused = Refusal.safeParse(body);
    return { why: refused.success ? refused.data.error.message : `HTTP ${res.status}` };
  } catch (err) {
    return { why: err instanceof Error ? err.message : String(err) };
  }
}

/** On a terminal, for a passphrase vault with nothing open to show a prompt: ask for the passphrase. */
async function maybePassphrase(url: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  try {
    const res = await fetch(`${url}/admin/v1/owner/presence`);
    const info = OwnerPresence.safeParse(await res.json());
    // Asked only when the daemon says plainly that nothing can prompt and the vault has a passphrase.
    if (!info.success || info.data.canPrompt || !info.data.passphraseVault) return undefined;
  } catch {
    return undefined;
  }
  const { default: password } = await import('@inquirer/password');
  process.stdout.write(
    'Nothing is open that can show a prompt; the vault passphrase proves you are the owner.\n',
  );
  return password({ message: 'Vault passphrase (leave empty to skip):', mask: false });
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
      ...(config.adminTokenFile !== undefined ? { adminTokenFile: config.adminTokenFile } : {}),
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (err) {
    if (err instanceof DataDirBusy) {
      process.stderr.write(`${err.message}\n`);
      if (err.url) {
        process.stdout.write(
          'Asking the owner for a console login link: allow it in the Agent Keychain app or a signed-in console…\n',
        );
        const got = await askForLink(err.url);
        if ('link' in got) process.stdout.write(`Open the console of the running instance: ${got.link}\n`);
        else
          process.stderr.write(
            `No new login link: ${got.why}\nThe running instance printed its own one-time link on its terminal when it started. ` +
              'If it is lost and nothing is signed in, stop that instance (Ctrl+C in its terminal) and start again.\n',
          );
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
    'Command line: `npx akc login` asks you (in the console) for a short owner session; `npx akc --help` lists commands.',
    'Stop with Ctrl+C.',
  ];
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
  // Installed before the ready line: a signal sent as soon as it is read must stop the daemon cleanly,
  // and a signal with no handler would kill it where it stands. SIGHUP: the terminal was closed.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
  // Started by `npm start` (scripts/start.ts) over an IPC channel: when the launcher is gone, even killed
  // with SIGKILL, the channel closes and the daemon stops cleanly instead of running on with no owner.
  if (process.send !== undefined) {
    process.channel?.unref();
    process.on('disconnect', () => stop('The launcher exited'));
    if (!process.connected) stop('The launcher exited');
  }
  // An error outside any request stops the daemon, fail closed (core/failure.ts).
  installFailurePolicy(process, {
    record: (detail) => daemon.recordFailure(detail),
    stop: () => daemon.stop(),
    tell: (message) => process.stderr.write(`${message}\n`),
    log: (line) => process.stderr.write(`${line}\n`),
    exit: (code) => process.exit(code),
  });
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Run as a program (from the sources or as the bundle)? The path given may lead through symbolic links. */
function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && fileURLToPath(import.meta.url) === realpathSync(process.argv[1]);
  } catch {
    return false;
  }
}

if (isMain()) {
  runHeadless().catch((err: unknown) => {
    process.stderr.write(
      `Agent Keychain could not start: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  });
}
