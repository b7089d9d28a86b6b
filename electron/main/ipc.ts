// The IPC routing core, free of Electron so it is unit-tested: who may call (sender check), which
// operations exist (only the admin contract), and how errors travel back (never thrown, details hidden).
// ipc-main.ts wires these onto ipcMain.handle.
import { fileURLToPath } from 'node:url';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { adminOps, AuditQuery, type AdminOpName } from '../../shared/contract.ts';
import { ERROR_STATUS, type ErrorCode } from '../../shared/errors.ts';
import type { BridgeResult } from '../../shared/bridge.ts';
import { formatIssuePath } from '../../shared/issue-path.ts';
import type { DaemonHandle } from '../../core/daemon-types.ts';

/** Where our renderer is loaded from: the built files, or the electron-vite dev server in development. */
export interface RendererLocation {
  /** Dev server URL (ELECTRON_RENDERER_URL); only set in unpackaged development runs. */
  devUrl?: string;
  /** Absolute folder of the built renderer (out/renderer); the page is its index.html. */
  fileRoot: string;
}

export const GENERIC_ERROR_MESSAGE =
  'Something went wrong inside Agent Keychain. Try again; if it keeps happening, restart the app.';

/**
 * Security check: true only for a frame showing our own renderer — the built index.html inside fileRoot
 * (any hash/query), or a page on the dev server's exact origin. Everything else (other files, http/https
 * pages, data:, about:blank, malformed URLs) is refused. Used for IPC senders and for navigation.
 */
export function validateSender(frameUrl: string, expected: RendererLocation): boolean {
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  if (expected.devUrl) {
    try {
      const dev = new URL(expected.devUrl);
      if ((dev.protocol === 'http:' || dev.protocol === 'https:') && url.origin === dev.origin) return true;
    } catch {
      // A malformed dev URL grants nothing.
    }
  }
  if (url.protocol !== 'file:' || url.host !== '') return false;
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch {
    return false;
  }
  return resolve(path) === resolve(join(expected.fileRoot, 'index.html'));
}

/** The parts of an Electron WebFrameMain the sender check reads. */
export interface FrameLike {
  url: string;
  parent: unknown;
}

/**
 * Access check: only the top frame (no parent: not an iframe) of our own renderer page may call the
 * admin operations; a missing frame (navigated away or destroyed) is refused.
 */
export function isTrustedFrame(frame: FrameLike | null | undefined, location: RendererLocation): boolean {
  return (
    frame !== null && frame !== undefined && frame.parent === null && validateSender(frame.url, location)
  );
}

export function isAdminOpName(name: unknown): name is AdminOpName {
  return typeof name === 'string' && Object.hasOwn(adminOps, name);
}

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_STATUS, code);
}

/**
 * Turns a thrown value into the bridge's error shape. Errors the core throws on purpose (AppError: a known
 * code and a message written for people) pass through with their field path; anything else is internal
 * and its message, which may name files or internals, is replaced by a generic one.
 */
export function toBridgeError(err: unknown): { code: string; message: string; path?: string } {
  if (typeof err === 'object' && err !== null) {
    const { code, message, path } = err as { code?: unknown; message?: unknown; path?: unknown };
    if (isErrorCode(code) && typeof message === 'string') {
      return typeof path === 'string' ? { code, message, path } : { code, message };
    }
  }
  return { code: 'internal_error', message: GENERIC_ERROR_MESSAGE };
}

/**
 * Runs one admin operation for the renderer. Only names in the admin contract are accepted; the core's
 * dispatch validates the input against that operation's schema. Never throws.
 */
export async function routeInvoke(
  daemon: Pick<DaemonHandle, 'dispatch'>,
  name: unknown,
  input: unknown,
  onInternalError?: (name: string, err: unknown) => void,
): Promise<BridgeResult<unknown>> {
  if (!isAdminOpName(name)) {
    return { ok: false, error: { code: 'bad_request', message: 'Unknown operation.' } };
  }
  try {
    const value: unknown = await daemon.dispatch(name, input ?? {}, 'ipc');
    return { ok: true, value };
  } catch (err) {
    const error = toBridgeError(err);
    if (error.code === 'internal_error' && onInternalError) onInternalError(name, err);
    return { ok: false, error };
  }
}

const ExportRequest = z.object({
  query: AuditQuery.omit({ limit: true, cursor: true }),
  format: z.enum(['jsonl', 'csv']),
});
export type ExportRequest = z.infer<typeof ExportRequest>;

/** Validates the renderer's export request (filters and format) before any dialog is shown. */
export function parseExportRequest(query: unknown, format: unknown): BridgeResult<ExportRequest> {
  const parsed = ExportRequest.safeParse({ query: query ?? {}, format });
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue ? formatIssuePath(issue.path) : '';
  return {
    ok: false,
    error: path
      ? { code: 'bad_request', message: issue?.message ?? 'Invalid export request.', path }
      : { code: 'bad_request', message: issue?.message ?? 'Invalid export request.' },
  };
}
