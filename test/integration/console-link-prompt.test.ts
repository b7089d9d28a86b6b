// POST /admin/v1/owner/console-link: any same-user process can ask, so the owner is told what a link gives
// and which process (resolved from /proc, never what it claims) would get it; only an allow mints one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { raw, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import type { AppEvent } from '../../shared/events.ts';
import type { OwnerPromptView } from '../../shared/owner.ts';

let t: TestDaemon;

beforeAll(async () => {
  t = await startTestDaemon();
});
afterAll(async () => {
  await t.stop();
});

/** Asks for a link from this process while a surface is open, answering the prompt with `decision`. */
async function ask(
  decision: 'allow' | 'deny',
): Promise<{ status: number; body: string; prompt: OwnerPromptView }> {
  const detach = t.daemon.owner.attachSurface('test');
  const prompted = new Promise<OwnerPromptView>((resolve, reject) => {
    const off = t.daemon.subscribe((e: AppEvent) => {
      if (e.name !== 'owner.prompt' || e.data.kind !== 'console-link') return;
      off();
      t.daemon
        .dispatch('ownerPromptDecide', { id: e.data.id, decision, minutes: 15 }, 'ipc')
        .then(() => resolve(e.data), reject);
    });
  });
  try {
    const res = await raw(t.url, {
      path: '/admin/v1/owner/console-link',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    return { status: res.status, body: res.body, prompt: await prompted };
  } finally {
    detach();
  }
}

describe('a console sign-in link asked for by a process', () => {
  it('tells the owner what the link gives and names the real calling process; allowed, one link is minted', async () => {
    const { status, body, prompt } = await ask('allow');
    expect(prompt.summary).toContain('full owner access');
    expect(prompt.process.pid).toBe(process.pid);
    expect(status).toBe(200);
    expect((JSON.parse(body) as { url: string }).url).toMatch(/\/console\/login\?code=/);
  });

  it('denied, gets no link and the refusal is audited', async () => {
    const { status, body } = await ask('deny');
    expect(status).toBe(403);
    expect(body).not.toContain('/console/login');
    const page = t.daemon.core.audit.query({ limit: 5 });
    expect(page.entries.map((e) => e.action)).toContain('console.link.denied');
  });
});
