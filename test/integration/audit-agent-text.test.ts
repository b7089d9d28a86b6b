// What an agent can put into the audit log (found by an attack review). Every decision is audited with the
// request's typed facts, and the model name came straight from the agent's body (up to 8 MiB): one refused
// request wrote a multi-megabyte entry into the chain, every page, export and verify, and a live frame large
// enough to cut the owner's event stream. Facts are now bounded before anything is decided or audited
// (core/server/facts-bounds.ts).
//
// CSV export: a spreadsheet in a locale whose list separator is ";" splits cells on ";", so agent text such
// as a request path "/x;=HYPERLINK(…)" could become a cell of its own that starts with "=".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { agentPost, raw, startDaemonWithProviders, type TestDaemon } from '../helpers/daemon.ts';
import { answerJson, type FakeUpstream } from '../helpers/upstream.ts';
import { request } from 'node:http';

let t: TestDaemon;
let up: Record<'anthropic', FakeUpstream>;

beforeAll(async () => {
  ({ t, up } = await startDaemonWithProviders({
    anthropic: { key: 'sk-ant-MASTER-rev10-audit-0001', handler: answerJson({ ok: true }) },
  }));
});
afterAll(() => t.stop());

function largestFactsBytes(agentId: string): number {
  const db = new Database(join(t.dir, 'keychain.db'), { readonly: true });
  const row = db
    .prepare<[string], { n: number | null }>(
      'SELECT MAX(LENGTH(facts_json)) AS n FROM audit WHERE agent_id = ?',
    )
    .get(agentId);
  db.close();
  return row?.n ?? 0;
}

describe('agent-controlled text in the audit log', () => {
  it('a refused request with a 4 MB model name does not write a 4 MB audit entry', async () => {
    const { token, agent } = await t.admin.agents.create({
      name: 'heavy-facts-bot',
      scopes: { providers: { anthropic: { models: ['claude-sonnet-4-5'] } } },
    });
    const model = 'claude-'.padEnd(4 * 1024 * 1024, 'x');
    const r = await agentPost(
      t.url,
      token,
      '/v1/proxy/anthropic/v1/messages',
      JSON.stringify({ model, max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] }),
    );
    // Refused as a bad request before policy (no scope lists a model that long): on the record, without it.
    expect(r.status).toBe(400);
    expect(up.anthropic.received.length).toBe(0);
    expect(largestFactsBytes(agent.id)).toBeLessThan(64 * 1024);
  });

  it('a page of the audit stays small when an agent sends huge model names', async () => {
    const { token, agent } = await t.admin.agents.create({
      name: 'heavy-page-bot',
      scopes: { providers: { anthropic: { models: ['claude-sonnet-4-5'] } } },
    });
    const model = 'm'.repeat(2 * 1024 * 1024);
    const body = JSON.stringify({ model, max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] });
    for (let i = 0; i < 5; i++) await agentPost(t.url, token, '/v1/proxy/anthropic/v1/messages', body);
    const page = await t.admin.audit.list({ agentId: agent.id, limit: 20 });
    // Five refusals: the owner's page of them should not weigh 10 MB.
    expect(JSON.stringify(page).length).toBeLessThan(256 * 1024);
  });

  it('CSV export: agent text with ";=" cannot start a formula cell in a ";"-separated spreadsheet', async () => {
    const { token, agent } = await t.admin.agents.create({
      name: 'csv-bot',
      scopes: { providers: { anthropic: { models: ['claude-sonnet-4-5'] } } },
    });
    // A path the proxy refuses ("%" after decoding is not a plain path character) is audited as sent.
    const r = await raw(t.url, {
      method: 'GET',
      path: '/v1/proxy/anthropic/v1/x;=HYPERLINK(CHAR(104)&A1)%25',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(400);
    const csv = await t.admin.audit.export('csv', { agentId: agent.id });
    const rows = csv.split('\r\n').filter((l) => l.includes('HYPERLINK'));
    expect(rows.length).toBeGreaterThan(0);
    for (const line of rows) {
      const cells = line.split(';').slice(1); // the cells a ";"-separated reader makes after each ";"
      const formulas = cells.filter((c) => /^[=+\-@]/.test(c));
      expect(formulas).toEqual([]);
    }
  });
  it("an agent's huge entries do not cut the owner's live event stream", async () => {
    const { token } = await t.admin.agents.create({
      name: 'stream-flood-bot',
      scopes: { providers: { anthropic: { models: ['claude-sonnet-4-5'] } } },
    });
    const url = new URL('/admin/v1/events', t.url);
    let closed = false;
    let received = 0;
    const sse = await new Promise<ReturnType<typeof request>>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: { authorization: `Bearer ${t.daemon.adminToken}` },
        },
        (res) => {
          res.on('data', (c: Buffer) => (received += c.length));
          res.on('close', () => (closed = true));
          resolve(req);
        },
      );
      req.on('error', reject);
      req.end();
    });
    const body = JSON.stringify({ model: 'm'.repeat(3 * 1024 * 1024), max_tokens: 1, messages: [] });
    await Promise.all(
      Array.from({ length: 8 }, () => agentPost(t.url, token, '/v1/proxy/anthropic/v1/messages', body)),
    );
    await new Promise((r) => setTimeout(r, 500));
    const stillOpen = !closed;
    sse.destroy();
    // The console tab listening here is how the owner sees approval prompts: an agent must not be able to
    // disconnect it by making its own refusals heavy.
    expect({ stillOpen, receivedSome: received > 0 }).toEqual({ stillOpen: true, receivedSome: true });
  });
});
