// Usage meters: read token counts out of a response body as it streams by (plain JSON or SSE) and price them.
// Meters keep only what they need: JSON bodies are buffered up to a bound, SSE events are parsed one at a time.
import { costUsd, type TokenCounts } from './pricing.ts';
import { SseReader, type SseEvent } from './sse.ts';
import type { PriceTable, Usage, UsageMeter } from './types.ts';

/** A JSON response larger than this is not buffered for its usage (the meter then reports none). */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

export function mediaType(contentTypeHeader: string | undefined): string {
  return (contentTypeHeader ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** A token count from a response field: a non-negative integer, else undefined. */
export function tokens(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

export function toUsage(counts: TokenCounts, model: string | undefined, prices: PriceTable): Usage {
  return {
    inputTokens: counts.inputTokens + (counts.cacheWriteTokens ?? 0) + (counts.cacheReadTokens ?? 0),
    outputTokens: counts.outputTokens,
    costUsd: costUsd(counts, model, prices),
  };
}

export function jsonUsageMeter(
  read: (body: unknown) => TokenCounts | null,
  model: string | undefined,
  prices: PriceTable,
): UsageMeter {
  const chunks: Buffer[] = [];
  let size = 0;
  let overflow = false;
  return {
    push(chunk) {
      if (overflow) return;
      size += chunk.length;
      if (size > MAX_JSON_BYTES) {
        overflow = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    },
    finish() {
      if (overflow || size === 0) return null;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return null;
      }
      const counts = read(body);
      return counts === null ? null : toUsage(counts, model, prices);
    },
  };
}

/** Collects usage from SSE events; result() is the usage seen so far, or null when none was. */
export interface SseUsageCollector {
  event(event: SseEvent): void;
  result(): TokenCounts | null;
}

export function sseUsageMeter(
  collector: SseUsageCollector,
  model: string | undefined,
  prices: PriceTable,
): UsageMeter {
  const reader = new SseReader((event) => collector.event(event));
  let finished: Usage | null | undefined;
  return {
    push(chunk) {
      reader.push(chunk);
    },
    finish() {
      if (finished !== undefined) return finished;
      reader.end();
      const counts = collector.result();
      finished = counts === null ? null : toUsage(counts, model, prices);
      return finished;
    },
  };
}

/** Parses an SSE event's data as JSON only when it can hold usage (most stream events are text deltas). */
export function usageEventData(event: SseEvent): unknown {
  if (!event.data.includes('"usage"')) return undefined;
  try {
    return JSON.parse(event.data) as unknown;
  } catch {
    return undefined;
  }
}
