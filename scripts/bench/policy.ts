// Credential lookup + policy decision in process (target in docs/benchmarks.md: ≥ 200,000/s, within 10 % from 10 to 10,000
// agents). Real AgentStores on temp SQLite databases with 10 and with 10,000 agents; each iteration
// authenticates the next agent's token and decides a chat request whose scope has a rate limit and a
// budget, so decide() reads two counters. The same loop with an in-memory counter reader, and each half
// alone, show where the time goes.
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

const FEW_AGENTS = 10;
const MANY_AGENTS = 10_000;
const ROUNDS = 3;
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

interface Setup {
  store: AgentStore;
  counters: Counters;
  tokens: string[];
  agents: AgentRecord[];
  memoryReader: (agentId: string) => CounterReader;
  close: () => void;
}

/** A temp database with `n` agents, each with live counter rows (as a busy daemon has them). */
function setup(n: number): Setup {
  const dir = mkdtempSync(join(tmpdir(), 'akc-bench-policy-'));
  const db = openDatabase(dir);
  const close = (): void => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const store = new AgentStore(db);
    const counters = new Counters(db);
    const now0 = Date.now();
    const tokens: string[] = [];
    const ids: string[] = [];
    db.transaction(() => {
      for (let i = 0; i < n; i += 1) {
        const { agent, token } = store.create(`bench-${i}`, SCOPES, null, now0);
        tokens.push(token);
        ids.push(agent.id);
      }
    })();
    // Live counter rows for every agent, mirrored into an in-memory table.
    const memory = new Map<string, CounterValue>();
    db.transaction(() => {
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
    })();
    const memoryReader = (agentId: string): CounterReader => ({
      get: (key, windowStart) => memory.get(`${agentId}|${key}|${windowStart}`) ?? ZERO,
    });
    return { store, counters, tokens, agents: ids.map((id) => store.get(id)), memoryReader, close };
  } catch (err) {
    close();
    throw err;
  }
}

const allowed = (agent: AgentRecord, reader: CounterReader, now: number): number => {
  const d = decide({ agent: policyAgent(agent), facts: FACTS, counters: reader, grants: [], now });
  return d.outcome === 'allow' ? 1 : 0;
};

/** authenticate + decide, each iteration with the next agent's credential. */
function full(s: Setup, reader: (id: string) => CounterReader): (i: number) => number {
  const n = s.tokens.length;
  return (i) => {
    const now = Date.now();
    const auth = s.store.authenticate(s.tokens[i % n] ?? '', now);
    if (!auth.ok) return 0;
    return allowed(auth.agent, reader(auth.agent.id), now);
  };
}

const fmt = (v: number): string => Math.round(v).toLocaleString('en-US');

export function benchPolicy(): Promise<Record<string, number>> {
  const few = setup(FEW_AGENTS);
  let many: Setup | null = null;
  try {
    many = setup(MANY_AGENTS);
    const out: Record<string, number> = {};
    // The two agent counts alternate, ROUNDS times each; the best round of each is kept (noise on a
    // shared machine only ever slows a round down).
    let bestFew = 0;
    let bestMany = 0;
    for (let r = 0; r < ROUNDS; r += 1) {
      bestFew = Math.max(bestFew, rate(full(few, (id) => few.counters.reader(id))));
      const m = many;
      bestMany = Math.max(bestMany, rate(full(m, (id) => m.counters.reader(id))));
    }
    out['policy.realCounters.perSec'] = Math.min(bestFew, bestMany);
    out[`policy.agents.${FEW_AGENTS}.perSec`] = bestFew;
    out[`policy.agents.${MANY_AGENTS}.perSec`] = bestMany;
    out[`policy.agents.${MANY_AGENTS}.to${FEW_AGENTS}Ratio`] = bestMany / bestFew;
    progress(
      `authenticate + decide, SQLite counters: ${fmt(bestFew)}/s with ${FEW_AGENTS} agents, ${fmt(bestMany)}/s with ${MANY_AGENTS.toLocaleString('en-US')} (best of ${ROUNDS} alternating rounds)`,
    );
    const s = many;
    out['policy.memoryCounters.perSec'] = rate(full(s, s.memoryReader));
    progress(`authenticate + decide, in-memory counters: ${fmt(out['policy.memoryCounters.perSec'])}/s`);
    const n = s.tokens.length;
    out['policy.authenticateOnly.perSec'] = rate((i) =>
      s.store.authenticate(s.tokens[i % n] ?? '', Date.now()).ok ? 1 : 0,
    );
    out['policy.decideOnly.realCounters.perSec'] = rate((i) => {
      const agent = s.agents[i % n];
      return agent ? allowed(agent, s.counters.reader(agent.id), Date.now()) : 0;
    });
    out['policy.decideOnly.memoryCounters.perSec'] = rate((i) => {
      const agent = s.agents[i % n];
      return agent ? allowed(agent, s.memoryReader(agent.id), Date.now()) : 0;
    });
    progress(
      `alone (${MANY_AGENTS.toLocaleString('en-US')} agents): authenticate ${fmt(out['policy.authenticateOnly.perSec'])}/s, decide (SQLite) ${fmt(out['policy.decideOnly.realCounters.perSec'])}/s, decide (memory) ${fmt(out['policy.decideOnly.memoryCounters.perSec'])}/s`,
    );
    return Promise.resolve(out);
  } finally {
    few.close();
    many?.close();
  }
}
