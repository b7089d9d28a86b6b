// The in-process event bus. Listeners run synchronously and must be cheap; a listener that throws is
// ignored, so a broken window or SSE client can never break a request.
//
// Two kinds of listener:
// - object listeners (subscribe): the Electron bridge; each event as it is emitted.
// - stream listeners (subscribeStream): console tabs on the SSE stream. Each event is serialised once, as
//   an SSE frame, only while at least one stream listener is there. Frames are joined and handed to every
//   stream listener in one call: at the end of the turn of the event loop when the streams were quiet,
//   else at most every STREAM_INTERVAL_MS, so a busy proxy costs each tab ~100 socket writes a second, not
//   one per event or per turn, and a prompt after a quiet spell is not held back.
import type { AppEvent } from '../../shared/events.ts';

/** Under a steady flow of events, the shortest time between two deliveries to the stream listeners. */
export const STREAM_INTERVAL_MS = 10;

export type Listener = (event: AppEvent) => void;
/** Receives complete SSE frames (`event: …\ndata: …\n\n`, one or more). */
export type StreamListener = (frames: string) => void;

/**
 * One event as an SSE frame. JSON text has no raw newline, so `data:` is always a single line. `dataJson`
 * is the data already as JSON, where the emitter has it without serialising (audit entries).
 */
export function sseFrame(event: AppEvent, dataJson?: string): string {
  return `event: ${event.name}\ndata: ${dataJson ?? JSON.stringify(event.data)}\n\n`;
}

export class EventBus {
  private readonly listeners = new Set<Listener>();
  private readonly streams = new Set<StreamListener>();
  private pending: string[] = [];
  private scheduled = false;
  private lastFlush = Number.NEGATIVE_INFINITY;

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Subscribes a stream listener (see the file header); returns the unsubscribe function. */
  subscribeStream(listener: StreamListener): () => void {
    this.streams.add(listener);
    return () => this.streams.delete(listener);
  }

  /**
   * Publishes one event; its data is typed by its name (the contract's `AppEventSchema`), so no cast is
   * needed. `dataJson`, when given, makes the data's JSON for the streams (called only when one listens).
   */
  emit(event: AppEvent, dataJson?: () => string): void {
    if (this.listeners.size === 0 && this.streams.size === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener is its own problem; the core carries on.
      }
    }
    if (this.streams.size === 0) return;
    try {
      this.pending.push(sseFrame(event, dataJson?.()));
    } catch {
      // Not serialisable (cannot happen for the contract's events): dropped for the streams only.
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      const wait = this.lastFlush + STREAM_INTERVAL_MS - performance.now();
      if (wait <= 0) setImmediate(this.flushStreams);
      // Unref'd: a daemon stopping does not wait for the next delivery (its streams are being closed).
      else setTimeout(this.flushStreams, wait).unref();
    }
  }

  /** Hands the frames gathered since the last delivery to every stream listener, in one string. */
  private readonly flushStreams = (): void => {
    this.scheduled = false;
    this.lastFlush = performance.now();
    const frames = this.pending.length === 1 ? (this.pending[0] ?? '') : this.pending.join('');
    this.pending = [];
    if (frames === '') return;
    for (const listener of this.streams) {
      try {
        listener(frames);
      } catch {
        // As above: a broken stream is dropped by its own route, never by the core.
      }
    }
  };

  get size(): number {
    return this.listeners.size + this.streams.size;
  }
}
