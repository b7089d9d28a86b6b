// How soon an SSE listener on /admin/v1/events sees approval.requested after an agent's held call is
// sent (target ≤ 50 ms). The daemon runs in this process; the agent and the listener are real HTTP
// clients on loopback. Each held call is denied right after it is seen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { startDaemon } from '../../core/daemon.ts';
import { AgentKeychain } from '../../client/index.ts';
import { latencyStats, progress, vaultInitInput } from './common.ts';

const ROUNDS = 30;

export async function benchApproval(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'akc-bench-approval-'));
  const daemon = await startDaemon({ dataDir: dir, port: 0, mode: 'headless', approvalTimeoutMs: 30_000 });
  try {
    const admin = new AgentKeychain({ baseUrl: daemon.url, adminToken: daemon.adminToken });
    await admin.vault.init(vaultInitInput());
    await admin.providers.put('api', {
      kind: 'http',
      baseUrl: 'http://127.0.0.1:9',
      key: 'k-bench-approval-0001',
    });
    const { token } = await admin.agents.create({
      name: 'held-bench',
      scopes: { providers: { api: { approval: 'always' } } },
    });
    const u = new URL(daemon.url);
    let onEvent: (id: string) => void = () => undefined;
    let connected: () => void = () => undefined;
    const ready = new Promise<void>((r) => (connected = r));
    const sse = request(
      {
        host: u.hostname,
        port: u.port,
        path: '/admin/v1/events',
        headers: { authorization: `Bearer ${daemon.adminToken}` },
      },
      (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          if (buf.includes(': connected')) connected();
          let idx: number;
          while ((idx = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, idx);
            buf = buf.slice(idx + 2);
            if (!block.startsWith('event: approval.requested')) continue;
            const data = JSON.parse(block.slice(block.indexOf('data: ') + 6)) as {
              id: string;
              process: { note: string | null };
            };
            if (data.process.note?.startsWith('Looking up') === true) onEvent(data.id);
          }
        });
      },
    );
    sse.end();
    await ready;
    const samples: number[] = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      const seen = new Promise<string>((resolve) => (onEvent = resolve));
      const sent = performance.now();
      const held = request({
        host: u.hostname,
        port: u.port,
        path: `/v1/proxy/api/x${i}`,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      held.on('response', (res) => res.resume());
      held.on('error', () => undefined);
      held.end('{}');
      const id = await seen;
      samples.push(performance.now() - sent);
      await admin.approvals.deny(id);
    }
    sse.destroy();
    const s = latencyStats(samples);
    progress(
      `approval.requested seen by the SSE listener: p50 ${s.p50.toFixed(2)} ms, max ${Math.max(...samples).toFixed(2)} ms over ${ROUNDS} held calls`,
    );
    return { 'approval.sseSeen.p50Ms': s.p50, 'approval.sseSeen.maxMs': Math.max(...samples) };
  } finally {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
