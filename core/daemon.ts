// Starts the core: data directory (0700, locked), database, vault (auto-unlock from the OS keychain or a
// passphrase file), audit, loopback server; writes daemon.json and admin-token (0600).
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from './storage/db.ts';
import { lockDataDir, prepareDataDir, writePrivateFile } from './storage/data-dir.ts';
import { OsKeychain } from './keychain/os-keychain.ts';
import type { KeychainPort } from './keychain/port.ts';
import { Core, VERSION } from './core.ts';
import { ApprovalCenter } from './approvals/center.ts';
import { ADMIN_PREFIX, hashToken, mintToken } from './agents/credentials.ts';
import { ConsoleSessions } from './server/sessions.ts';
import { createOps, dispatch } from './admin/ops.ts';
import { adminRoutes } from './server/admin-routes.ts';
import { agentRoutes } from './server/agent-routes.ts';
import { proxyRoute } from './server/proxy.ts';
import { consoleRoutes } from './server/console-routes.ts';
import { openapiRoute } from './server/openapi.ts';
import { LoopbackServer } from './server/server.ts';
import { AppError } from './errors.ts';
import type { DaemonHandle, DaemonOptions } from './daemon-types.ts';

export interface StartOptions extends DaemonOptions {
  keychain?: KeychainPort;
  upstreamTimeoutMs?: number;
  /** Called with human-readable progress and warnings. */
  log?: (line: string) => void;
}

export interface RunningDaemon extends DaemonHandle {
  readonly core: Core;
  readonly approvals: ApprovalCenter;
  readonly port: number;
  readonly adminToken: string;
}

export async function startDaemon(opts: StartOptions): Promise<RunningDaemon> {
  const log = opts.log ?? (() => undefined);
  prepareDataDir(opts.dataDir);
  const unlockDir = lockDataDir(opts.dataDir);
  let server: LoopbackServer | null = null;
  let core: Core | null = null;
  try {
    const db = openDatabase(opts.dataDir);
    core = new Core(db, opts.keychain ?? new OsKeychain(), {
      approvalTimeoutMs: opts.approvalTimeoutMs ?? 120_000,
    });
    const c = core;
    const approvals = new ApprovalCenter(c);
    const expired = approvals.expireLeftovers();
    if (expired > 0) log(`${expired} approval(s) pending at the last stop were marked expired.`);

    const adminToken = mintToken(ADMIN_PREFIX);
    const sessions = new ConsoleSessions();
    const impl = createOps(c, approvals);
    let port = opts.port;
    const routes = [
      ...adminRoutes(c, impl, sessions),
      ...agentRoutes(c, approvals, () => port),
      proxyRoute(c, approvals, () => port, {
        headersTimeoutMs: opts.upstreamTimeoutMs ?? 120_000,
        idleTimeoutMs: opts.upstreamTimeoutMs ?? 120_000,
      }),
      openapiRoute(),
      ...(opts.mode === 'headless' ? consoleRoutes(opts.consoleDir, sessions) : []),
    ];
    const loopback = new LoopbackServer({
      core: c,
      adminTokenHash: hashToken(adminToken),
      sessions,
      routes,
      port: () => port,
    });
    server = loopback;
    port = await loopback.listen(opts.port);
    const url = `http://127.0.0.1:${port}`;
    c.url = url;
    writePrivateFile(join(opts.dataDir, 'admin-token'), `${adminToken}\n`);
    writePrivateFile(
      join(opts.dataDir, 'daemon.json'),
      `${JSON.stringify({ url, pid: process.pid, version: VERSION })}\n`,
    );

    await autoUnlock(c, opts.passphraseFile, log);
    try {
      c.record({
        actor: 'system',
        action: 'daemon.started',
        decision: 'event',
        reason: 'daemon.started',
        rule: `Listening on ${url} (${opts.mode})`,
        facts: { mode: opts.mode, version: VERSION },
      });
    } catch (err) {
      log(`Warning: the audit log cannot be written: ${err instanceof Error ? err.message : String(err)}`);
    }

    const flush = setInterval(() => {
      try {
        c.agents.flushLastSeen();
      } catch {
        // Retried on the next tick.
      }
    }, 5_000);
    flush.unref();
    const prune = setInterval(() => c.counters.prune(Date.now()), 3600_000);
    prune.unref();

    const loginUrl =
      opts.mode === 'headless' ? `${url}/console/login?code=${sessions.mintCode(Date.now())}` : null;
    let stopped = false;
    const handle: RunningDaemon = {
      url,
      port,
      dataDir: opts.dataDir,
      loginUrl,
      core: c,
      approvals,
      adminToken,
      dispatch: (name, input, via) => dispatch(impl, name, input, via),
      subscribe: (listener) => c.bus.subscribe(listener),
      exportAudit: (query, format) => c.audit.exportLines(query, format),
      recordFailure: (detail) => {
        c.record({
          actor: 'system',
          action: 'system.failure',
          decision: 'error',
          reason: 'internal_error',
          rule: `Stopped after an unexpected error: ${detail}`,
        });
      },
      stop: async () => {
        if (stopped) return;
        stopped = true;
        clearInterval(flush);
        clearInterval(prune);
        approvals.stop();
        await loopback.close();
        try {
          // Commits what is open and writes the audit anchors, marked as a clean stop.
          await c.close();
          c.agents.flushLastSeen();
        } finally {
          db.close();
          rmSync(join(opts.dataDir, 'daemon.json'), { force: true });
          rmSync(join(opts.dataDir, 'admin-token'), { force: true });
          unlockDir();
        }
      },
    };
    return handle;
  } catch (err) {
    if (server) await server.close();
    if (core) core.db.close();
    unlockDir();
    throw err;
  }
}

/** A keychain vault unlocks by itself; a passphrase vault only with AKC_PASSPHRASE_FILE. Failures leave it locked. */
async function autoUnlock(
  core: Core,
  passphraseFile: string | undefined,
  log: (line: string) => void,
): Promise<void> {
  const source = core.vault.keySource;
  // First run: find out now whether the OS keychain answers, so setup can preselect what will work.
  if (core.vault.state === 'uninitialized') await core.checkKeychain();
  try {
    if (source === 'os-keychain') {
      await core.vault.unlock();
      core.record({
        actor: 'system',
        action: 'vault.unlocked',
        decision: 'event',
        reason: 'vault.unlocked',
        rule: 'Unlocked from the OS keychain at start',
      });
    } else if (source === 'passphrase' && passphraseFile !== undefined) {
      const mode = statSync(passphraseFile).mode & 0o077;
      if (mode !== 0) {
        throw new AppError(
          'bad_request',
          `${passphraseFile} is readable by other users; chmod 600 it. The vault stays locked.`,
        );
      }
      const passphrase = readFileSync(passphraseFile, 'utf8').replace(/\r?\n$/, '');
      await core.vault.unlock(passphrase);
      core.record({
        actor: 'system',
        action: 'vault.unlocked',
        decision: 'event',
        reason: 'vault.unlocked',
        rule: 'Unlocked with AKC_PASSPHRASE_FILE at start',
      });
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    core.vault.lastError = message;
    log(`The vault stays locked: ${message}`);
  }
}
