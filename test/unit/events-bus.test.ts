// The event bus: object listeners hear each event at once; stream listeners (SSE tabs) get each event
// serialised once, the frames gathered joined in order (at the end of the turn after a quiet spell, at most
// every STREAM_INTERVAL_MS under a flow), and nothing is serialised while nobody listens.
import { describe, expect, it, vi } from 'vitest';
import { EventBus, STREAM_INTERVAL_MS, sseFrame } from '../../core/events/bus.ts';
import { parseEvent, type AppEvent } from '../../shared/events.ts';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function decided(id: string): AppEvent<'approval.decided'> {
  return { name: 'approval.decided', data: { id, decision: 'deny', grant: null } };
}

/** Splits joined SSE frames back into events, checking each frame is well formed. */
function parseFrames(text: string): AppEvent[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const m = /^event: ([a-z.]+)\ndata: (.*)$/.exec(frame);
      if (!m) throw new Error(`malformed frame ${JSON.stringify(frame)}`);
      // Each frame must be one of the contract's events, as every receiving edge checks.
      const parsed = parseEvent({ name: m[1], data: JSON.parse(m[2] ?? '') as unknown });
      if (!parsed.ok) throw new Error(`frame is not a contract event: ${parsed.problem}`);
      return parsed.event;
    });
}

describe('EventBus', () => {
  it('hands every stream listener the frames gathered in one call, in emit order', async () => {
    const bus = new EventBus();
    const a: string[] = [];
    const b: string[] = [];
    bus.subscribeStream((t) => a.push(t));
    bus.subscribeStream((t) => b.push(t));
    for (let i = 0; i < 50; i += 1) bus.emit(decided(`apr_${i}`));
    expect(a).toEqual([]); // delivered after this turn, not per event
    await turn();
    expect(a).toHaveLength(1);
    expect(b).toEqual(a);
    expect(parseFrames(a[0] ?? '')).toEqual(Array.from({ length: 50 }, (_, i) => decided(`apr_${i}`)));
  });

  it('delivers at the end of the turn after a quiet spell, and at most every STREAM_INTERVAL_MS under a flow', () => {
    vi.useFakeTimers({ toFake: ['setImmediate', 'setTimeout', 'performance'] });
    try {
      const bus = new EventBus();
      const got: string[] = [];
      bus.subscribeStream((t) => got.push(t));
      bus.emit(decided('apr_1'));
      vi.advanceTimersByTime(0);
      expect(got).toEqual([sseFrame(decided('apr_1'))]); // quiet before: at once
      bus.emit(decided('apr_2'));
      bus.emit(decided('apr_3'));
      vi.advanceTimersByTime(STREAM_INTERVAL_MS - 1);
      expect(got).toHaveLength(1); // right after a delivery: held
      vi.advanceTimersByTime(1);
      expect(got).toHaveLength(2);
      expect(parseFrames(got[1] ?? '')).toEqual([decided('apr_2'), decided('apr_3')]);
      vi.advanceTimersByTime(STREAM_INTERVAL_MS * 10);
      bus.emit(decided('apr_4'));
      vi.advanceTimersByTime(0);
      expect(got.slice(2)).toEqual([sseFrame(decided('apr_4'))]); // quiet again: at once
    } finally {
      vi.useRealTimers();
    }
  });

  it('serialises nothing while no stream listener is there, and object listeners hear events at once', async () => {
    const bus = new EventBus();
    const seen: AppEvent[] = [];
    bus.subscribe((e) => seen.push(e));
    let reads = 0;
    const data = {
      id: 'apr_1',
      decision: 'approve' as const,
      get grant() {
        reads += 1;
        return null;
      },
    };
    bus.emit({ name: 'approval.decided', data });
    expect(seen).toHaveLength(1);
    expect(reads).toBe(0); // not serialised: nobody streams
    const frames: string[] = [];
    const off = bus.subscribeStream((t) => frames.push(t));
    bus.emit({ name: 'approval.decided', data });
    expect(reads).toBe(1); // serialised once for the stream listeners
    off();
    await turn();
    expect(frames).toEqual([]); // unsubscribed before the turn ended: nothing delivered
  });

  it('keeps delivering to the others when a listener throws', async () => {
    const bus = new EventBus();
    const got: string[] = [];
    bus.subscribeStream(() => {
      throw new Error('broken tab');
    });
    bus.subscribeStream((t) => got.push(t));
    bus.subscribe(() => {
      throw new Error('broken window');
    });
    bus.emit(decided('apr_x'));
    await turn();
    expect(got).toEqual([sseFrame(decided('apr_x'))]);
  });
});
