// Issue 5: pending approvals cannot outlive a restart — after a crash they are marked expired and audited.
import { describe, expect, it } from 'vitest';
import { startHeadlessAgent } from '../helpers/headless-agent.ts';
import { connectSse } from '../helpers/sse.ts';

describe('restart', () => {
  it('marks approvals that were pending at a crash as expired, and audits each', async () => {
    const { child, up, agent, ownerToken, fire, restart } = await startHeadlessAgent('akc-r-', {
      approval: 'always',
    });
    const sse = await connectSse(child.url, ownerToken());
    const requested = sse.next('approval.requested', (d) => d.agentId === agent.id);
    const held = fire();
    const prompt = await requested;
    sse.close();
    child.proc.kill('SIGKILL');
    await child.exit;
    await held;

    const { child: again, admin } = await restart();
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
