// A headless daemon as a child process (so a test can kill -9 it) on a new data directory: vault set up, one
// `http` provider "api" on a fake upstream, one agent "crash-bot" with the given scope for it, and the
// opt-in owner token file for the admin client. restart() starts it again on the same directory.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentKeychain } from '../../client/index.ts';
import type { AgentView } from '../../shared/models.ts';
import type { ProviderScope } from '../../shared/scopes.ts';
import { ownerTokenFile, runHeadless, type Child } from './child.ts';
import { agentPost, TEST_PASSPHRASE } from './daemon.ts';
import { hasKeyring } from './env.ts';
import { startUpstream, type FakeUpstream } from './upstream.ts';

export interface HeadlessAgent {
  child: Child;
  admin: AgentKeychain;
  up: FakeUpstream;
  agent: AgentView;
  agentToken: string;
  ownerToken: () => string;
  /** POST /v1/proxy/api/x as the agent; a failure (the daemon killed under it) resolves to null. */
  fire: () => Promise<unknown>;
  /** The daemon again on the same data directory, its vault unlocked, with a new admin client. */
  restart: () => Promise<{ child: Child; admin: AgentKeychain }>;
}

export async function startHeadlessAgent(prefix: string, scope: ProviderScope): Promise<HeadlessAgent> {
  const dir = join(mkdtempSync(join(tmpdir(), prefix)), 'data');
  const up = await startUpstream();
  const owner = ownerTokenFile();
  const env = { ...process.env, AKC_DATA_DIR: dir, AKC_PORT: '0', ...owner.env };
  const child = await runHeadless(env);
  const admin = new AgentKeychain({ baseUrl: child.url, adminToken: owner.read() });
  await admin.vault.init(
    hasKeyring ? { keySource: 'os-keychain' } : { keySource: 'passphrase', passphrase: TEST_PASSPHRASE },
  );
  await admin.providers.put('api', { kind: 'http', baseUrl: up.url, key: `k-${prefix}provider-0001` });
  const { agent, token: agentToken } = await admin.agents.create({
    name: 'crash-bot',
    scopes: { providers: { api: scope } },
  });
  return {
    child,
    admin,
    up,
    agent,
    agentToken,
    ownerToken: owner.read,
    fire: () => agentPost(child.url, agentToken, '/v1/proxy/api/x', '{}').catch(() => null),
    restart: async () => {
      const again = await runHeadless(env);
      const next = new AgentKeychain({ baseUrl: again.url, adminToken: owner.read() });
      if (!hasKeyring) await next.vault.unlock(TEST_PASSPHRASE);
      return { child: again, admin: next };
    },
  };
}
