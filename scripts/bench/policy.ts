// Credential lookup + policy decision in process (DESIGN §8: ≥ 200,000/s). A real AgentStore on a temp
// SQLite database with 100 agents; each iteration authenticates a token and decides a chat request whose
// scope has a rate limit and a budget, so decide() reads two counters. The same loop with an in-memory
// counter reader, and each half alone, show where the time goes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../../core/storage/db.ts';
import { AgentStore, toPolicyAgent, type AgentRecord } from '../../core/agents/store.ts';
import { Counters } from '../../core/storage/counters.ts';
import { decide } from '../../core/policy/engine.ts';
import type { CounterReader, CounterValue } from '../../core/policy/types.ts';
import type { ProxyFacts } from '../../shared/facts.ts';
import type { Scopes } from '../../shared/scopes.ts';
import { progress } from './common.ts';

const AGENTS = 100;
const WARMUP_MS = 300;
const MEASURE_MS = 1000;
const BATCH = 5000;

const SCOPES: Scopes = {
  providers: {
    openai: {
      models: ['gpt-4o-mini', 'gpt-4o'],
      methods: ['POST'],
      paths: ['/chat/completions', '/embeddings'],
      rateLimit: { requests: 1_000_000_000, per: 'minute' },
      budget: { usd: 1000, per: 'month' },
    },
  },
};

const FACTS: ProxyFacts = {
  type: 'proxy',
  providerId: 'openai',
  providerKind: 'openai',
  method: 'POST',
  path: '/chat/completions',
  action: 'llm.request',
  model: 'gpt-4o-mini',
  estimatedUsd: 0.0025,
};

const policyAgent = toPolicyAgent;

const ZERO: CounterValue = { count: 0, reservedMicro: 0, spentMicro: 0 };

/** Runs `step` in batches until `MEASURE_MS` have passed (after a warm-up); returns iterations per second. */
function rate(step: (i: number) => number): number {
  let sink = 0;
  const warmEnd = performance.now() + WARMUP_MS;
  let i = 0;
  while (performance.now() < warmEnd) for (let j = 0; j < BATCH; j += 1) sink += step(i++);
  const t0 = performance.now();
  let n = 0;
  let elapsed: number;
  do {
    for (let j = 0; j < BATCH; j += 1) sink += step(i++);
    n += BATCH;
    elapsed = performance.now() - t0;
  } while (elapsed < MEASURE_MS);
  if (sink === -1) console.log('unreachable');
  return n / (elapsed / 1000);
}

export function benchPolicy(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'akc-bench-policy-'));
  const db = openDatabase(dir);
  try {
    const store = new AgentStore(db);
    const counters = new Counters(db);
    const now0 = Date.now();
    const tokens: string[] = [];
    const ids: string[] = [];
    db.transaction(() => {
      for (let i = 0; i < AGENTS; i += 1) {
        const { agent, token } = store.create(`bench-${i}`, SCOPES, null, now0);
        tokens.push(token);
        ids.push(agent.id);
      }
    })();

    // Give every agent live counter rows (as a busy daemon has), mirrored into an in-memory table.
    const memory = new Map<string, CounterValue>();
    for (const id of ids) {
      const d = decide({
        agent: policyAgent(store.get(id)),
        facts: FACTS,
        counters: counters.reader(id),
        grants: [],
        now: now0,
      });
      if (d.outcome !== 'allow') throw new Error(`policy bench setup: expected allow, got ${d.outcome}`);
      counters.apply(id, d.effects);
      for (const e of d.effects)
        memory.set(`${id}|${e.key}|${e.windowStart}`, {
          count: e.count,
          reservedMicro: e.reserveMicro,
          spentMicro: 0,
        });
    }
    const memoryReader = (agentId: string): CounterReader => ({
      get: (key, windowStart) => memory.get(`${agentId}|${key}|${windowStart}`) ?? ZERO,
    });
    const agents = ids.map((id) => store.get(id));

    const allowed = (agent: AgentRecord, reader: CounterReader, now: number): number => {
      const d = decide({ agent: policyAgent(agent), facts: FACTS, counters: reader, grants: [], now });
      return d.outcome === 'allow' ? 1 : 0;
    };
    const full =
      (reader: (id: string) => CounterReader) =>
      (i: number): number => {
        const now = Date.now();
        const auth = store.authenticate(tokens[i % AGENTS] ?? '', now);
        if (!auth.ok) return 0;
        return allowed(auth.agent, reader(auth.agent.id), now);
      };

    const out: Record<string, number> = {};
    out['policy.realCounters.perSec'] = rate(full((id) => counters.reader(id)));
    progress(
      `authenticate + decide, SQLite counters: ${Math.round(out['policy.realCounters.perSec']).toLocaleString('en-US')}/s`,
    );
    out['policy.memoryCounters.perSec'] = rate(full(memoryReader));
    progress(
      `authenticate + decide, in-memory counters: ${Math.round(out['policy.memoryCounters.perSec']).toLocaleString('en-US')}/s`,
    );
    out['policy.authenticateOnly.perSec'] = rate((i) =>
      store.authenticate(tokens[i % AGENTS] ?? '', Date.now()).ok ? 1 : 0,
    );
    out['policy.decideOnly.realCounters.perSec'] = rate((i) => {
      const agent = agents[i % AGENTS];
      return agent ? allowed(agent, counters.reader(agent.id), Date.now()) : 0;
    });
    out['policy.decideOnly.memoryCounters.perSec'] = rate((i) => {
      const agent = agents[i % AGENTS];
      return agent ? allowed(agent, memoryReader(agent.id), Date.now()) : 0;
    });
    progress(
      `alone: authenticate ${Math.round(out['policy.authenticateOnly.perSec']).toLocaleString('en-US')}/s, decide (SQLite) ${Math.round(out['policy.decideOnly.realCounters.perSec']).toLocaleString('en-US')}/s, decide (memory) ${Math.round(out['policy.decideOnly.memoryCounters.perSec']).toLocaleString('en-US')}/s`,
    );
    return Promise.resolve(out);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
