// The real daemon in its own process, as an agent would meet it: temp data directory, real SQLite, a
// vault, an openai-kind provider pointed at the bench upstream, and one agent per name given.
// argv[2]: JSON { upstreamUrl, agents: string[] }. Replies { type:'ready', url, adminToken, agents }.
// IPC { type:'addAgents', count } creates that many more agents (bench scopes) in one transaction straight
// in the agent store, as a data directory with many agents has them, and replies { type:'agentsAdded',
// tokens } (the new agents' credentials).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { startDaemon } from '../../../core/daemon.ts';
import { AgentKeychain } from '../../../client/index.ts';
import { BENCH_PASSPHRASE, reportError, vaultInitInput } from '../common.ts';
import { benchScopes } from '../scopes.ts';

const Config = z.object({ upstreamUrl: z.string(), agents: z.array(z.string()) });

async function main(): Promise<void> {
  const config = Config.parse(JSON.parse(process.argv[2] ?? '{}'));
  const dir = mkdtempSync(join(tmpdir(), 'akc-bench-daemon-'));
  const daemon = await startDaemon({
    dataDir: dir,
    port: 0,
    mode: 'headless',
    log: (line) => process.stderr.write(`[daemon] ${line}\n`),
  });
  const admin = new AgentKeychain({ baseUrl: daemon.url, adminToken: daemon.adminToken });
  try {
    await admin.vault.init(vaultInitInput());
  } catch {
    // A D-Bus session without a usable Secret Service: fall back to the passphrase vault.
    await admin.vault.init({ keySource: 'passphrase', passphrase: BENCH_PASSPHRASE });
  }
  await admin.providers.put('openai', {
    kind: 'openai',
    baseUrl: config.upstreamUrl,
    key: 'sk-bench-not-a-real-key-0000000000',
  });
  const agents: Record<string, { id: string; token: string }> = {};
  for (const name of config.agents) {
    const { agent, token } = await admin.agents.create({ name, scopes: benchScopes() });
    agents[name] = { id: agent.id, token };
  }

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  };
  const AddAgents = z.object({ type: z.literal('addAgents'), count: z.number().int().min(1) });
  process.on('message', (raw: unknown) => {
    if (z.object({ type: z.literal('stop') }).safeParse(raw).success) void stop();
    const add = AddAgents.safeParse(raw);
    if (add.success) {
      const core = daemon.core;
      const now = Date.now();
      const first = core.agents.list().length;
      const tokens = core.db.transaction(() =>
        Array.from(
          { length: add.data.count },
          (_, i) => core.agents.create(`bench-extra-${first + i}`, benchScopes(), null, now).token,
        ),
      )();
      process.send?.({ type: 'agentsAdded', tokens });
    }
  });
  process.on('disconnect', () => void stop());
  process.send?.({ type: 'ready', url: daemon.url, adminToken: daemon.adminToken, agents });
}

main().catch((err: unknown) => {
  reportError(err);
  process.exit(1);
});
