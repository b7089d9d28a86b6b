// Issue 3: no credential, master key or secret ever reaches the logs. A full session against the real
// headless process — provider key, secret, agent create and rotate, proxied calls, malformed bodies that
// carry the token — and then its stdout and stderr are searched.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownerTokenFile, runHeadless } from '../helpers/child.ts';
import { agentPost, raw, TEST_PASSPHRASE } from '../helpers/daemon.ts';
import { hasKeyring } from '../helpers/env.ts';
import { startUpstream } from '../helpers/upstream.ts';
import { AgentKeychain, AgentKeychainAgent } from '../../client/index.ts';

describe('logs', () => {
  it('hold no master key, secret value, agent token or admin token', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'akc-logs-')), 'data');
    const up = await startUpstream((_req, _body, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"upstream exploded"}');
    });
    const owner = ownerTokenFile();
    const child = await runHeadless({ ...process.env, AKC_DATA_DIR: dir, AKC_PORT: '0', ...owner.env });
    const adminToken = owner.read();
    const admin = new AgentKeychain({ baseUrl: child.url, adminToken });
    await admin.vault.init(
      hasKeyring ? { keySource: 'os-keychain' } : { keySource: 'passphrase', passphrase: TEST_PASSPHRASE },
    );
    const masterKey = 'sk-LOGS-master-key-0b8e61d2';
    const secret = 'LOGS-secret-value-77c0e1';
    await admin.providers.put('api', { kind: 'openai', baseUrl: up.url, key: masterKey });
    await admin.secrets.put('s', secret);
    const { agent, token } = await admin.agents.create({
      name: 'log-bot',
      scopes: { providers: { api: {} }, vault: { readOnly: ['s'] } },
    });
    const rotated = (await admin.agents.rotate(agent.id)).token;
    const me = new AgentKeychainAgent({ baseUrl: child.url, token: rotated });
    expect((await me.secrets.get('s')).value).toBe(secret);
    const bodies = [
      `{"model": "${rotated}"`,
      `{"messages": [${token}]}`,
      '{"model":"gpt-4o-mini","messages":[]}',
    ];
    for (const body of bodies) {
      const r = await agentPost(child.url, rotated, '/v1/proxy/api/chat/completions', body);
      expect(r.status).toBeLessThan(600);
    }
    await raw(child.url, { path: '/v1/whoami', headers: { authorization: `Bearer ${token}` } });
    await raw(child.url, {
      method: 'PUT',
      path: '/admin/v1/secrets/x',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: `{"value": "${secret}", "oops"`,
    });
    child.proc.kill('SIGTERM');
    expect(await child.exit).toBe(0);
    await up.close();
    const logs = child.stdout() + child.stderr();
    expect(logs).toContain('running headless');
    for (const s of [masterKey, secret, token, rotated, adminToken]) expect(logs).not.toContain(s);
  }, 60_000);
});
