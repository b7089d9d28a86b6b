// What the Electron preload exposes to the renderer as `window.akc`: the typed contract, nothing else.
import type { AdminOpName, OpInput, OpOutput } from './contract.ts';
import type { AppEvent } from './events.ts';
import type { AuditQuery } from './contract.ts';

export interface AkcBridge {
  invoke<N extends AdminOpName>(name: N, input: OpInput<N>): Promise<BridgeResult<OpOutput<N>>>;
  /** Subscribes to core events; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** Asks where to save, then writes the export; resolves to the file path or null when cancelled. */
  exportAudit(query: AuditQuery, format: 'jsonl' | 'csv'): Promise<BridgeResult<string | null>>;
}

/** IPC cannot carry Error subclasses faithfully, so results travel as a tagged union. */
export type BridgeResult<T> =
  { ok: true; value: T } | { ok: false; error: { code: string; message: string; path?: string } };

export const IPC_INVOKE = 'akc:invoke';
export const IPC_EVENT = 'akc:event';
export const IPC_EXPORT = 'akc:export-audit';
