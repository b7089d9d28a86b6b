// Budget races: many requests of one agent decided at once, every allowed one held at the fake upstream
// until all are decided, then answered with the usage that settles its cost. What a budget must survive:
// reservations taken concurrently, settled afterwards.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { TestDaemon } from './daemon.ts';
import type { FakeUpstream } from './upstream.ts';

/** What the agent's budget counters hold now, spent plus reserved, in USD (read from the database file). */
export function budgetUsedUsd(t: TestDaemon, agentId: string): { spent: number; reserved: number } {
  const db = new Database(join(t.dir, 'keychain.db'), { readonly: true });
  try {
    const row = db
      .prepare<[string], { spent: number | null; reserved: number | null }>(
        "SELECT SUM(spent_micro) AS spent, SUM(reserved_micro) AS reserved FROM counters WHERE agent_id = ? AND key LIKE 'budget:%'",
      )
      .get(agentId);
    return { spent: (row?.spent ?? 0) / 1e6, reserved: (row?.reserved ?? 0) / 1e6 };
  } finally {
    db.close();
  }
}

/**
 * Sends `n` requests at once with `send`, holds every forwarded one at `upstream` until all `n` have been
 * decided (audited), then answers each with `answer` (a JSON body). Returns the agent's answers and how many
 * reached the upstream.
 */
export async function raceHeld<T>(
  t: TestDaemon,
  upstream: FakeUpstream,
  race: { agentId: string; n: number; send: () => Promise<T>; answer: Record<string, unknown> },
): Promise<{ results: T[]; forwarded: number }> {
  const held: (() => void)[] = [];
  let arrived: () => void = () => undefined;
  upstream.handle((_req, _body, res) => {
    held.push(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(race.answer));
    });
    arrived();
  });
  let decided = 0;
  let allowed = 0;
  let allDecided: () => void = () => undefined;
  const everyone = new Promise<void>((r) => (allDecided = r));
  const off = t.daemon.subscribe((e) => {
    if (e.name === 'audit.appended' && e.data.agentId === race.agentId && e.data.action === 'llm.request') {
      decided += 1;
      if (e.data.decision === 'allow') allowed += 1;
      if (decided === race.n) allDecided();
    }
  });
  const calls = Array.from({ length: race.n }, () => race.send());
  await everyone;
  off();
  // Every allowed request reaches the upstream (and is held there) before any answer goes back.
  while (held.length < allowed) await new Promise<void>((r) => (arrived = r));
  const forwarded = held.length;
  for (const release of held) release();
  return { results: await Promise.all(calls), forwarded };
}

/** An OpenAI chat completion answer whose usage settles the call's cost. */
export function chatAnswer(promptTokens: number, completionTokens: number): Record<string, unknown> {
  return {
    id: 'x',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}
