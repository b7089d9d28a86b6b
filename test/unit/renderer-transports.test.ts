// The renderer's two transports validate what they receive against the contract: an answer that is not
// the operation's output, or an event that is not one of the contract's events, never reaches the store.
// HTTP: the pure checks the fetch transport runs on each answer and SSE block; IPC: a stand-in preload
// bridge object.
import { describe, expect, it, vi } from 'vitest';
import { checkedAnswer, eventFromBlock } from '../../renderer/src/transport/receive.ts';
import { createIpcTransport } from '../../renderer/src/transport/ipc.ts';
import { TransportError } from '../../renderer/src/transport/types.ts';
import type { AkcBridge } from '../../shared/bridge.ts';
import type { AppEvent } from '../../shared/events.ts';
import { makeAuditEntry, makeStatus } from './view-fixtures.ts';

const status = makeStatus();
const good = { name: 'audit.appended', data: makeAuditEntry({ seq: 3 }) };

describe('HTTP + SSE transport: what it receives', () => {
  it('returns an answer that matches the output schema', () => {
    expect(checkedAnswer('status', status, 200)).toEqual(status);
  });

  it('refuses an answer that does not, naming the field', () => {
    const bad = { ...status, counts: { ...status.counts, agents: 'many' } };
    let err: unknown;
    try {
      checkedAnswer('status', bad, 200);
    } catch (x) {
      err = x;
    }
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: 'internal_error', status: 200 });
    expect((err as TransportError).message).toContain('counts.agents');
    expect(() => checkedAnswer('status', undefined, 200)).toThrow(TransportError);
  });

  it('delivers only events that match the contract', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(eventFromBlock(`event: ${good.name}\ndata: ${JSON.stringify(good.data)}`)).toEqual(good);
    expect(eventFromBlock(': connected req_1')).toBeNull();
    expect(eventFromBlock('event: agent.hijack\ndata: {}')).toBeNull();
    expect(eventFromBlock('event: audit.appended\ndata: not json')).toBeNull();
    expect(errors).not.toHaveBeenCalled();
    expect(eventFromBlock('event: audit.appended\ndata: {"seq":"three"}')).toBeNull();
    expect(errors).toHaveBeenCalledTimes(1);
    errors.mockRestore();
  });
});

describe('IPC transport', () => {
  function bridge(answer: unknown, events: unknown[]): AkcBridge {
    return {
      invoke: () => Promise.resolve(answer as never),
      exportAudit: () => Promise.resolve(answer as never),
      onEvent: (listener) => {
        for (const ev of events) listener(ev as AppEvent);
        return () => undefined;
      },
    };
  }

  it('unwraps a valid answer and refuses one that is not the operation output', async () => {
    expect(await createIpcTransport(bridge({ ok: true, value: status }, [])).call('status', {})).toEqual(
      status,
    );
    const err = await createIpcTransport(bridge({ ok: true, value: { vault: 'open' } }, []))
      .call('status', {})
      .catch((x: unknown) => x);
    expect(err).toMatchObject({ code: 'internal_error' });
    const denied = await createIpcTransport(
      bridge({ ok: false, error: { code: 'vault_locked', message: 'Locked.' } }, []),
    )
      .call('status', {})
      .catch((x: unknown) => x);
    expect(denied).toMatchObject({ code: 'vault_locked', message: 'Locked.' });
    await expect(
      createIpcTransport(bridge({ ok: true, value: 7 }, [])).exportAudit({}, 'csv'),
    ).rejects.toMatchObject({
      code: 'internal_error',
    });
  });

  it('passes on only valid events', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const seen: AppEvent[] = [];
    createIpcTransport(bridge(null, [{ name: 'vault.state', data: { vault: 'open' } }, good])).subscribe(
      (ev) => seen.push(ev),
    );
    expect(seen).toEqual([good]);
    expect(errors).toHaveBeenCalledTimes(1);
    errors.mockRestore();
  });
});
