// Issue 5: a slow or dead events listener never holds the core back. A client opens the event stream and
// never reads; the core keeps appending and serving, and drops that listener once its backlog passes 1 MiB
// (what is still queued in this process once the kernel's socket buffers are full).
import { describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { startTestDaemon } from '../helpers/daemon.ts';

describe('a listener that stops reading', () => {
  it('is dropped once its backlog is too large, while the core carries on', async () => {
    const t = await startTestDaemon();
    try {
      const u = new URL(t.url);
      const socket = connect({ host: u.hostname, port: Number(u.port) });
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.write(
        `GET /admin/v1/events HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: Bearer ${t.daemon.adminToken}\r\n\r\n`,
      );
      await new Promise<void>((r) => socket.once('data', () => r()));
      socket.pause(); // a listener that never reads again
      expect(t.daemon.core.bus.size).toBe(1);
      // Dropped: the core let go of the listener (it stops hearing events and its socket is destroyed).
      // A client that never reads may only see the close after reading what the kernel still holds.
      const isDropped = (): boolean => t.daemon.core.bus.size === 0;
      const pad = 'x'.repeat(2000);
      let written = 0;
      // Entries keep coming; each is one audit.appended event of ~2.5 kB for the stalled listener.
      while (!isDropped() && written < 40_000) {
        for (let i = 0; i < 500; i += 1) {
          t.daemon.core.record({ actor: 'system', action: 'test.flood', decision: 'event', rule: pad });
          written += 1;
        }
        await new Promise((r) => setImmediate(r));
      }
      expect(isDropped()).toBe(true);
      expect(written).toBeLessThan(40_000);
      socket.destroy();
      // The core is unaffected: the admin API answers and the chain verifies.
      expect((await t.admin.vault.status()).vault).toBe('unlocked');
      expect((await t.admin.audit.verify()).ok).toBe(true);
    } finally {
      await t.stop();
    }
  }, 60_000);
});
