// Starts the core: data directory (0700, locked), database, vault (auto-unlock from the OS keychain or a
// passphrase file), audit, loopback server; writes daemon.json (0600: url, pid, version). No owner
// credential is written anywhere unless the owner opts in with AKC_ADMIN_TOKEN_FILE (README "Threat model").
import { readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { openDatabase } from './storage/db.ts';
import { lockDataDir, prepareDataDir, writePrivateFile } from './storage/data-dir.ts';
import { OsKeychain } from './keychain/os-keychain.ts';
import type { KeychainPort } from './keychain/port.ts';
import { Core, VERSION } from './core.ts';
import { ApprovalCenter } from './approvals/center.ts';
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
import { OwnerPlane } from './owner/plane.ts';
import { ownerRoutes } from './owner/routes.ts';

export interface StartOptions extends DaemonOptions {
  keychain?: KeychainPort;
  upstreamTimeoutMs?: number;
  /** Called with human-readable progress and warnings. */
  log?: (line: string) => void;
  /**
   * Opt-in for unattended servers: write a full-power owner token to this file (0600) at each start.
   * Anyone who can read it is the owner; keep it where agents cannot read it. Off by default.
   */
  adminTokenFile?: string;
}

export interface RunningDaemon extends DaemonHandle {
  readonly core: Core;
  readonly approvals: ApprovalCenter;
  readonly port: number;
  readonly owner: OwnerPlane;
  /**
   * A full-power owner credential for code inside this process (tests, the bench): held in memory only,
   * never written to disk, void when the daemon stops.
   */
  readonly adminToken: string;
}

/** Binds 127.0.0.1 first, so the URL is known (and fixed) before anything that serves it is built. */
function bindLoopback(port: number): Promise<NetServer> {
  return new Promise((resolvePromise, reject) => {
    const listener = createNetServer();
    listener.once('error', reject);
    // Loopback only, never 0.0.0.0.
    listener.listen(port, '127.0.0.1', () => {
      listener.off('error', reject);
      resolvePromise(listener);
    });
  });
}

export async function startDaemon(opts: StartOptions): Promise<RunningDaemon> {
  const log = opts.log ?? (() => undefined);
  prepareDataDir(opts.dataDir);
  const unlockDir = lockDataDir(opts.dataDir);
  let server: LoopbackServer | null = null;
  let listener: NetServer | null = null;
  let core: Core | null = null;
  try {
    listener = await bindLoopback(opts.port);
    const address = listener.address();
    const port = typeof address === 'object' && address ? address.port : opts.port;
    const url = `http://127.0.0.1:${port}`;
    const db = openDatabase(opts.dataDir, (m) =>
      log(`Upgrading the database: ${m.name}. With a large audit log this takes a few seconds, once.`),
    );
    core = new Core(db, opts.keychain ?? new OsKeychain(), {
      url,
      approvalTimeoutMs: opts.approvalTimeoutMs ?? 120_000,
    });
    const c = core;
    const approvals = new ApprovalCenter(c);
    const expired = approvals.expireLeftovers();
    if (expired > 0) log(`${expired} approval(s) pending at the last stop were marked expired.`);

    const owner = new OwnerPlane(c, { promptTimeoutMs: opts.approvalTimeoutMs ?? 120_000 });
    const adminToken = owner.mintPresenceToken('in-process');
    const sessions = new ConsoleSessions();
    const impl = createOps(c, approvals, owner);
    const routes = [
      ...adminRoutes(c, impl, { approvals, owner }),
      ...ownerRoutes(c, owner, sessions),
      ...agentRoutes(c, approvals),
      proxyRoute(c, approvals, {
        headersTimeoutMs: opts.upstreamTimeoutMs ?? 120_000,
        idleTimeoutMs: opts.upstreamTimeoutMs ?? 120_000,
      }),
      openapiRoute(),
      ...(opts.mode === 'headless' ? consoleRoutes(opts.consoleDir, sessions) : []),
    ];
    const loopback = new LoopbackServer({
      core: c,
      owner,
      sessions,
      routes,
      port: () => port,
    });
    server = loopback;
    // The bound socket hands its connections to the HTTP server.
    listener.on('connection', (socket) => loopback.adopt(socket));
    writePrivateFile(
      join(opts.dataDir, 'daemon.json'),
      `${JSON.stringify({ url, pid: process.pid, version: VERSION })}\n`,
    );
    const tokenFile = opts.adminTokenFile;
    if (tokenFile !== undefined) {
      const abs = resolve(tokenFile);
      if (abs.startsWith(resolve(opts.dataDir) + sep))
        throw new Error(
          `AKC_ADMIN_TOKEN_FILE (${abs}) is inside the data directory, where every agent can read it. Put it elsewhere.`,
        );
      writePrivateFile(abs, `${owner.mintPresenceToken('token-file')}\n`);
      log(
        `Warning: AKC_ADMIN_TOKEN_FILE is set: ${abs} holds a full owner credential. Any process that can read it ` +
          'can approve requests, create agents and add keys. Keep it where agents cannot read it.',
      );
    }

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
    if (tokenFile !== undefined)
      owner.audit(
        'owner.token_file.enabled',
        'event',
        'token_file',
        `AKC_ADMIN_TOKEN_FILE written to ${resolve(tokenFile)}`,
        {},
      );

    const flush = setInterval(() => {
      try {
        // A revoke, suspend or rotate in force whose row the database refused (core/agents/lifecycle.ts),
        // written outside any open group of request entries.
        if (c.agents.unsavedCount > 0) {
          c.flush();
          c.agents.saveUnsaved();
        }
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
      owner,
      adminToken,
      dispatch: (name, input, via) => dispatch(impl, name, input, via),
      subscribe: (l) => c.bus.subscribe(l),
      attachOwnerSurface: (label) => owner.attachSurface(label),
      exportAudit: (query, format) => {
        c.flush(); // outcome entries held for the next group commit are exported too
        return c.audit.exportLines(query, format);
      },
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
        listener?.close();
        await loopback.close();
        try {
          // Commits what is open and writes the audit anchors, marked as a clean stop.
          await c.close();
          try {
            c.agents.saveUnsaved();
          } catch {
            log(
              `Warning: ${c.agents.unsavedCount} revoke, suspend or rotate could not be written (the database is held by another program); they are undone at the next start. Do them again then.`,
            );
          }
          c.agents.flushLastSeen(true);
        } finally {
          db.close();
          rmSync(join(opts.dataDir, 'daemon.json'), { force: true });
          if (tokenFile !== undefined) rmSync(resolve(tokenFile), { force: true });
          unlockDir();
        }
      },
    };
    return handle;
  } catch (err) {
    listener?.close();
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
