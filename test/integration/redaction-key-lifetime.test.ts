// An answer is scrubbed of the master key that was sent with its call, for as long as the answer runs:
// whatever happens to the provider's key meanwhile (vault locked, key replaced, a rolled-back transaction
// that re-reads the providers, one the agent itself provokes), the rest of the answer is still checked for
// that key, and a lock before the provider's head still gets the agent an answer. (Found by an attack
// review: the forms were zeroed in place under a running answer, or looked up for the current key.)
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { request, type ServerResponse } from 'node:http';
import { DB_FILE } from '../../core/storage/db.ts';
import { agentPost, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { startUpstream, type FakeUpstream } from '../helpers/upstream.ts';

const KEY = 'sk-live-master-key-DO-NOT-LEAK-0123456789';
const NEW_KEY = 'sk-new-master-key-000000000000000000000002';

let t: TestDaemon;
let up: FakeUpstream;
/** Lets the provider send the rest of its answer. */
let release: () => void;

/** A provider that answers with a first harmless event, then, once released, an echo of the key it got. */
async function start(): Promise<string> {
  const gate = new Promise<void>((resolve) => (release = resolve));
  up = await startUpstream((req, _body, res) => {
    const auth = req.headers.authorization ?? '';
    if (req.url === '/boom') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"first":true}\n\n');
    void gate.then(() => res.end(`data: {"echo":${JSON.stringify(auth)}}\n\n`));
  });
  t = await startTestDaemon();
  await t.admin.providers.put('api', { kind: 'http', baseUrl: up.url, key: KEY });
  const { token } = await t.admin.agents.create({ name: 'echo-bot', scopes: { providers: { api: {} } } });
  return token;
}

afterEach(async () => {
  await t.stop().catch(() => undefined);
  await up.close();
});

/** A streamed call: resolves `first` at the first chunk, `body` with everything the agent got. */
function stream(token: string): { first: Promise<void>; body: Promise<string> } {
  let gotFirst: () => void = () => undefined;
  const first = new Promise<void>((resolve) => (gotFirst = resolve));
  const body = new Promise<string>((resolve, reject) => {
    const req = request(`${t.url}/v1/proxy/api/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString('utf8');
        gotFirst();
      });
      res.on('error', () => undefined);
      res.on('close', () => resolve(text));
    });
    req.on('error', reject);
    req.end('{}');
  });
  return { first, body };
}

/**
 * The provider holds each call until released, then answers with `answer` (given the auth header it got);
 * resolves once a call has reached it.
 */
function holdAtProvider(answer: (auth: string, res: ServerResponse) => void): Promise<void> {
  return new Promise<void>((arrived) => {
    up.handle(async (req, _body, res) => {
      arrived();
      await new Promise<void>((resolve) => (release = resolve));
      answer(req.headers.authorization ?? '', res);
    });
  });
}

/** Streams, does `meanwhile` after the first chunk, then lets the provider echo the key. */
async function echoAfter(token: string, meanwhile: () => Promise<unknown>): Promise<string> {
  const call = stream(token);
  await call.first;
  await meanwhile();
  release();
  const text = await call.body;
  expect(text).toContain('"first":true');
  expect(text).toContain('"echo"');
  return text;
}

describe('the key an answer is scrubbed of', () => {
  it('is the key that was sent, after the vault is locked mid-stream', async () => {
    const token = await start();
    const text = await echoAfter(token, () => t.admin.vault.lock());
    expect(text).not.toContain(KEY);
  });

  it('is the key that was sent, after the owner replaces it mid-stream', async () => {
    const token = await start();
    const text = await echoAfter(token, () =>
      t.admin.providers.put('api', { kind: 'http', baseUrl: up.url, key: NEW_KEY }),
    );
    expect(text).not.toContain(KEY);
    // The next call goes out with the new key, and its answer is scrubbed of that one.
    const next = await agentPost(t.url, token, '/v1/proxy/api/boom', '{}');
    expect(next.status).toBe(200);
    expect(JSON.stringify(up.received.at(-1)?.headers)).toContain(NEW_KEY);
  });

  it('is still checked after an owner act fails and its transaction rolls back mid-stream', async () => {
    const token = await start();
    const text = await echoAfter(token, async () => {
      await expect(t.admin.agents.update('agt_doesnotexist', { name: 'x' })).rejects.toThrow();
    });
    expect(text).not.toContain(KEY);
  });

  it('is still checked when the agent makes a group commit fail mid-stream', async () => {
    const token = await start();
    // The agent, as the owner's OS user, adds a deferred foreign key that one of its own entries breaks.
    const other = new Database(join(t.dir, DB_FILE));
    other.exec(`
      CREATE TABLE evil_parent (id INTEGER PRIMARY KEY);
      CREATE TABLE evil_child (pid INTEGER REFERENCES evil_parent(id) DEFERRABLE INITIALLY DEFERRED);
      CREATE TRIGGER evil AFTER INSERT ON audit WHEN NEW.path = '/boom'
        BEGIN INSERT INTO evil_child VALUES (42); END;`);
    other.close();
    const text = await echoAfter(token, async () => {
      const boom = await agentPost(t.url, token, '/v1/proxy/api/boom', '{}');
      // Its commit failed: refused, fail-closed.
      expect(boom.status).toBe(503);
    });
    expect(text).not.toContain(KEY);
  });

  it('is the key that was sent when the owner replaces it before the provider answers', async () => {
    const token = await start();
    const atProvider = holdAtProvider((auth, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${auth}` } }));
    });
    const call = agentPost(t.url, token, '/v1/proxy/api/x', '{}');
    await atProvider;
    await t.admin.providers.put('api', { kind: 'http', baseUrl: up.url, key: NEW_KEY });
    release();
    const r = await call;
    expect(r.status).toBe(401);
    expect(r.body).toContain('Incorrect API key provided');
    expect(r.body).not.toContain(KEY);
  });

  it('needs no open vault once sent: a lock before the provider answers still gets the agent its answer', async () => {
    const token = await start();
    const atProvider = holdAtProvider((auth, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ echo: auth }));
    });
    const call = agentPost(t.url, token, '/v1/proxy/api/x', '{}');
    await atProvider;
    await t.admin.vault.lock();
    release();
    const r = await call;
    expect(r.status).toBe(200);
    expect(r.body).not.toContain(KEY);
    // Its outcome is audited like any other (the call was forwarded before the lock).
    const page = await t.admin.audit.list({ action: 'http.request.result', limit: 1 });
    expect(page.entries[0]).toMatchObject({ status: 200, reason: 'forwarded' });
    // And nothing more is forwarded while locked.
    const seen = up.received.length;
    expect((await agentPost(t.url, token, '/v1/proxy/api/x', '{}')).status).toBe(503);
    expect(up.received).toHaveLength(seen);
  });
});
