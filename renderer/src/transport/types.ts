// The one typed transport the renderer uses to reach the core: Electron IPC or HTTP + SSE (docs/ARCHITECTURE.md, "Module map").
import type { AdminOpName, AuditQuery, OpInput, OpOutput } from '../../../shared/contract.ts';
import type { AppEvent } from '../../../shared/events.ts';

export type ExportQuery = Omit<AuditQuery, 'limit' | 'cursor'>;
export type ConnectionState = 'open' | 'reconnecting' | 'closed';

export interface Transport {
  readonly kind: 'ipc' | 'http';
  call<N extends AdminOpName>(name: N, input: OpInput<N>): Promise<OpOutput<N>>;
  /** Subscribes to core events; returns the unsubscribe function. */
  subscribe(listener: (e: AppEvent) => void): () => void;
  /** Downloads (browser) or saves (desktop) the audit export of a filter. */
  exportAudit(query: ExportQuery, format: 'jsonl' | 'csv'): Promise<void>;
  /** Live-event connection state, so the UI can refetch after a gap. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

/** An error from the core, carrying the contract's error envelope fields (shared/errors.ts ErrorBody). */
export class TransportError extends Error {
  readonly code: string;
  readonly path: string | undefined;
  /** HTTP status where the transport is HTTP; 0 otherwise. */
  readonly status: number;

  constructor(code: string, message: string, path?: string, status = 0) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
    this.path = path;
    this.status = status;
  }

  /** The console has no valid session: the owner needs a new login link. */
  get isUnauthorized(): boolean {
    return this.status === 401 || this.code === 'unauthorized';
  }
}

/** A readable message for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof TransportError) return err.path ? `${err.message} (${err.path})` : err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong.';
}
