// The in-process event bus. Listeners run synchronously and must be cheap; a listener that throws is
// ignored, so a broken window or SSE client can never break a request.
import type { AppEvent, EventMap, EventName } from '../../shared/events.ts';

export type Listener = (event: AppEvent) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<N extends EventName>(name: N, data: EventMap[N]): void {
    if (this.listeners.size === 0) return;
    const event = { name, data } as AppEvent;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener is its own problem; the core carries on.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
