// The surface the Electron main process and the headless CLI use to run the core in process.
import type { AdminOpName, OpOutput, AuditQuery } from '../shared/contract.ts';
import type { AppEvent } from '../shared/events.ts';

/** Which owner surface an admin operation came through (HTTP API or console, window, tray); audited with it. */
export type Via = 'http' | 'ipc' | 'tray';

export interface DaemonOptions {
  /** Data directory (created 0700). */
  dataDir: string;
  /** Loopback port; 0 picks a free one. */
  port: number;
  mode: 'headless' | 'electron';
  /** Folder with the built renderer, served as the browser console in headless mode. */
  consoleDir?: string;
  /** How long a request waits for the owner's decision (ms). */
  approvalTimeoutMs?: number;
  /** File holding the passphrase for unattended unlock. */
  passphraseFile?: string;
}

export interface DaemonHandle {
  readonly url: string;
  readonly dataDir: string;
  /** One-time console login link (headless mode); null in Electron mode. */
  readonly loginUrl: string | null;
  /** Runs an admin operation exactly as the HTTP admin API would (validation, audit, events). Actor "owner". */
  dispatch<N extends AdminOpName>(name: N, input: unknown, via: Via): Promise<OpOutput<N>>;
  /** Subscribes to core events; returns the unsubscribe function. Slow listeners never slow the proxy. */
  subscribe(listener: (event: AppEvent) => void): () => void;
  /**
   * Registers a place that can show owner prompts (the desktop app); returns the detach function. While
   * none is attached, `akc login` and sensitive CLI acts are told to open the app or the console.
   */
  attachOwnerSurface(label: string): () => void;
  exportAudit(query: Omit<AuditQuery, 'limit' | 'cursor'>, format: 'jsonl' | 'csv'): Iterable<string>;
  /** Audits that the daemon is stopping after an unexpected error (core/failure.ts); may throw. */
  recordFailure(detail: string): void;
  stop(): Promise<void>;
}
