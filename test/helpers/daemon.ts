// Starts a real daemon in process: a temp data directory, real SQLite, the real OS keychain (Secret
// Service) when the session has one, otherwise a passphrase vault; real HTTP on a free loopback port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type RunningDaemon, type StartOptions } from '../../core/daemon.ts';
import { AgentKeychain } from '../../client/index.ts';
import { hasKeyring } from './env.ts';
import { startUpstream, type FakeUpstream, type Handler } from './upstream.ts';
import { ProviderKind } from '../../shared/facts.ts';

export interface TestDaemon {
  daemon: RunningDaemon;
  admin: AgentKeychain;
  dir: string;
  url: string;
  stop(): Promise<void>;
}

export const TEST_PASSPHRASE = 'correct horse battery staple';

export async function startTestDaemon(
  options: Partial<StartOptions> & { init?: boolean; dir?: string } = {},
): Promise<TestDaemon> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'akc-test-'));
  const daemon = await startDaemon({
    dataDir: dir,
    port: 0,
    mode: 'headless',
    approvalTimeoutMs: 10_000,
    ...options,
  });
  const admin = new AgentKeychain({ baseUrl: daemon.url, adminToken: daemon.adminToken });
  if (options.init !== false && daemon.core.vault.state === 'uninitialized') {
    await admin.vault.init(
      hasKeyring ? { keySource: 'os-keychain' } : { keySource: 'passphrase', passphrase: TEST_PASSPHRASE },
    );
  }
  return {
    daemon,
    admin,
    dir,
    url: daemon.url,
    stop: async () => {
      await daemon.stop();
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a fake upstream (answering with `handler`, else the fake's default) and makes it the daemon's
 * provider `id`, of the kind of the same name unless told, with this master key. `basePath` is appended to
 * the upstream's URL (OpenAI's real base URL ends in /v1).
 */
export async function fakeProvider(
  t: TestDaemon,
  id: string,
  key: string,
  opts: { handler?: Handler; kind?: ProviderKind; basePath?: string } = {},
): Promise<FakeUpstream> {
  const up = await startUpstream(opts.handler);
  await t.admin.providers.put(id, {
    kind: ProviderKind.parse(opts.kind ?? id),
    baseUrl: `${up.url}${opts.basePath ?? ''}`,
    key,
  });
  return up;
}

/** One fake provider for startDaemonWithProviders: its master key and fakeProvider's options. */
export interface FakeProviderSpec {
  key: string;
  handler?: Handler;
  kind?: ProviderKind;
  basePath?: string;
}

/**
 * A real daemon (startTestDaemon's options) with a fake upstream for each provider id of `providers`, made by
 * fakeProvider. Its stop() also closes the upstreams.
 */
export async function startDaemonWithProviders<Id extends string>(
  providers: Record<Id, FakeProviderSpec>,
  options: Parameters<typeof startTestDaemon>[0] = {},
): Promise<{ t: TestDaemon; up: Record<Id, FakeUpstream> }> {
  const daemon = await startTestDaemon(options);
  const made: [string, FakeUpstream][] = [];
  for (const [id, spec] of Object.entries<FakeProviderSpec>(providers)) {
    made.push([id, await fakeProvider(daemon, id, spec.key, spec)]);
  }
  const stop = async (): Promise<void> => {
    await daemon.stop();
    await Promise.all(made.map(([, up]) => up.close()));
  };
  // Object.fromEntries loses the ids' type; `made` holds exactly the ids of `providers`.
  const up = Object.fromEntries(made) as Record<Id, FakeUpstream>;
  return { t: { ...daemon, stop }, up };
}

/** Raw HTTP to the daemon with full control of headers (fetch would add its own). */
export async function raw(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer; path: string },
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: () => unknown;
}> {
  const { request } = await import('node:http');
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    // The path goes out exactly as given (no URL normalisation), so tests can send "..", "%2e" and the like.
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: init.path,
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
        setHost: !(init.headers && 'host' in init.headers),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body) as unknown,
          });
        });
      },
    );
    req.on('error', reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

/** An agent's JSON POST through raw(): exactly `body`, with the agent's credential. */
export function agentPost(url: string, token: string, path: string, body: string): ReturnType<typeof raw> {
  return raw(url, {
    method: 'POST',
    path,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
}
