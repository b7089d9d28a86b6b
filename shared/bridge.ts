// What the Electron preload exposes to the renderer as `window.akc`: the typed contract, nothing else.
import { z } from 'zod';
import type { AdminOpName, AuditQuery, OpInput, OpOutput } from './contract.ts';
import type { AppEvent } from './events.ts';
import { describeIssue } from './issue-path.ts';

export interface AkcBridge {
  invoke<N extends AdminOpName>(name: N, input: OpInput<N>): Promise<BridgeResult<OpOutput<N>>>;
  /** Subscribes to core events; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** Asks where to save, then writes the export; resolves to the file path or null when cancelled. */
  exportAudit(query: AuditQuery, format: 'jsonl' | 'csv'): Promise<BridgeResult<string | null>>;
}

export interface BridgeError {
  code: string;
  message: string;
  path?: string;
}

/** IPC cannot carry Error subclasses faithfully, so results travel as a tagged union. */
export type BridgeResult<T> = { ok: true; value: T } | { ok: false; error: BridgeError };

export const IPC_INVOKE = 'akc:invoke';
export const IPC_EVENT = 'akc:event';
export const IPC_EXPORT = 'akc:export-audit';

const Envelope = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string(), path: z.string().optional() }),
  }),
]);

/** The result of an IPC call whose answer is not what the contract says. */
export function unreadableAnswer(problem: string): BridgeResult<never> {
  return {
    ok: false,
    error: {
      code: 'internal_error',
      message: `Agent Keychain sent an answer this window cannot read (${problem}). Restart the app; if it keeps happening, report it.`,
    },
  };
}

/**
 * Validates a result received over IPC: the envelope, then the value against the operation's output
 * schema. Anything else becomes an internal_error result; nothing unchecked reaches the page.
 */
export function parseBridgeResult<S extends z.ZodType>(raw: unknown, schema: S): BridgeResult<z.output<S>> {
  const envelope = Envelope.safeParse(raw);
  if (!envelope.success) return unreadableAnswer('not a result');
  if (!envelope.data.ok) {
    const { code, message, path } = envelope.data.error;
    return { ok: false, error: path === undefined ? { code, message } : { code, message, path } };
  }
  const value = schema.safeParse(envelope.data.value);
  if (value.success) return { ok: true, value: value.data };
  return unreadableAnswer(describeIssue(value.error.issues, 'value'));
}
