// A console tab's event stream carries every audit entry exactly as the log reads it back. Its frames are
// made from the text each entry's hash was computed over (core/audit/hash.ts, entryJson), not by serialising
// the entry again, so this holds the two together over the paths that write entries: owner acts (their own
// transaction), concurrent proxied requests (the group commit), refusals, and outcomes written later.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectSse } from '../helpers/sse.ts';
import { raw, startDaemonWithProviders, type TestDaemon } from '../helpers/daemon.ts';
import { answerJson } from '../helpers/upstream.ts';
import type { AuditEntry } from '../../shared/models.ts';

let t: TestDaemon;

beforeAll(async () => {
  ({ t } = await startDaemonWithProviders({
    openai: {
      key: 'sk-MASTER-stream-key-000001',
      handler: answerJson(
        '{"id":"c1","object":"chat.completion","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}',
      ),
    },
  }));
});
afterAll(() => t.stop());

const chat = (token: string, model: string, user: string) =>
  raw(t.url, {
    method: 'POST',
    path: '/v1/proxy/openai/chat/completions',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: `hi "${user}" \u2028 é` }], user }),
  });

it('streams each entry once, in order, equal to what the audit log reads back', async () => {
  const sse = await connectSse(t.url, t.daemon.adminToken);
  try {
    const { token } = await t.admin.agents.create({
      name: 'stream "bot" ünïcødé',
      scopes: {
        providers: { openai: { models: ['gpt-4o-mini'], methods: ['POST'], paths: ['/chat/completions'] } },
      },
    });
    const calls = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => chat(token, 'gpt-4o-mini', `u${i}`)),
      chat(token, 'gpt-4o', 'refused'), // a model outside the scope: denied before the upstream
      chat('akc_not_a_real_token', 'gpt-4o-mini', 'nobody'), // an unknown credential: refused and audited
    ]);
    expect(calls.map((c) => c.status)).toEqual([...Array.from({ length: 12 }, () => 200), 403, 401]);
    // Every outcome is committed once the log is read (a read writes what is held first).
    const read = (await t.admin.audit.list({ limit: 1000 })).entries;
    const newest = read[0]?.seq ?? 0;
    if (!sse.events.some((e) => e.name === 'audit.appended' && e.data.seq === newest)) {
      await sse.next('audit.appended', (e) => e.seq === newest);
    }
    const streamed = sse.events.flatMap((e) => (e.name === 'audit.appended' ? [e.data] : []));
    const bySeq = new Map<number, AuditEntry>(read.map((e) => [e.seq, e]));
    // Once each and in order, from the stream's first entry to the newest, with nothing missing.
    const seqs = streamed.map((e) => e.seq);
    const first = seqs[0] ?? 0;
    expect(seqs).toEqual(Array.from({ length: newest - first + 1 }, (_, i) => first + i));
    expect(streamed.length).toBeGreaterThanOrEqual(1 + 12 * 2 + 2); // agent created, 12 × 2, 2 refusals
    for (const entry of streamed) expect(entry).toEqual(bySeq.get(entry.seq));
    // The paths above all wrote entries: decisions, outcomes, the refusals and the owner's act.
    const actions = new Set(streamed.map((e) => `${e.action}:${e.decision}`));
    expect(actions).toContain('llm.request:allow');
    expect(actions).toContain('llm.request.result:allow');
    expect(actions).toContain('llm.request:deny');
    expect(streamed.some((e) => e.actor === 'owner')).toBe(true);
    expect(streamed.some((e) => e.reason === 'invalid_token')).toBe(true);
    expect((await t.admin.audit.verify()).ok).toBe(true);
  } finally {
    sse.close();
  }
});
