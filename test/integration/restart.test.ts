// Issue 5: pending approvals cannot outlive a restart — after a crash they are marked expired and audited.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownerTokenFile, runHeadless } from '../helpers/child.ts';
import { raw, TEST_PASSPHRASE } from '../helpers/daemon.ts';
import { hasKeyring } from '../helpers/env.ts';
import { AgentKeychain } from '../../client/index.ts';
import { startUpstream } from '../helpers/upstream.ts';
import { connectSse } from '../helpers/sse.ts';

describe('restart', () => {
  it('marks approvals that were pending at a crash as expired, and audits each', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'akc-r-')), 'data');
    const up = await startUpstream();
    const owner = ownerTokenFile();
    const env = { ...process.env, AKC_DATA_DIR: dir, AKC_PORT: '0', ...owner.env };
    const child = await runHeadless(env);
    const token = owner.read;
    let admin = new AgentKeychain({ baseUrl: child.url, adminToken: token() });
    await admin.vault.init(
      hasKeyring ? { keySource: 'os-keychain' } : { keySource: 'passphrase', passphrase: TEST_PASSPHRASE },
    );
    await admin.providers.put('api', { kind: 'http', baseUrl: up.url, key: 'k-restart-provider-0001' });
    const { agent, token: agentToken } = await admin.agents.create({
      name: 'crash-bot',
      scopes: { providers: { api: { approval: 'always' } } },
    });
    const sse = await connectSse(child.url, token());
    const requested = sse.next('approval.requested', (d) => d.agentId === agent.id);
    const held = raw(child.url, {
      method: 'POST',
      path: '/v1/proxy/api/x',
      headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' },
      body: '{}',
    }).catch(() => null);
    const prompt = await requested;
    sse.close();
    child.proc.kill('SIGKILL');
    await child.exit;
    await held;

    const again = await runHeadless(env);
    admin = new AgentKeychain({ baseUrl: again.url, adminToken: token() });
    if (!hasKeyring) await admin.vault.unlock(TEST_PASSPHRASE);
    expect(await admin.approvals.list()).toEqual([]);
    const expired = (await admin.audit.list({ action: 'approval.expired' })).entries;
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({
      agentId: agent.id,
      decision: 'denied',
      actor: 'system',
      requestId: prompt.requestId,
    });
    expect(up.received).toHaveLength(0);
    again.proc.kill('SIGTERM');
    expect(await again.exit).toBe(0);
    await up.close();
  });
});
