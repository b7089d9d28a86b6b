// Who is acting as the owner for the operation running now. The admin routes set it around each call, so
// every audit entry an owner act writes names its owner session (see Core.record). Calls from the
// desktop app's IPC and from code inside the daemon run without one: they are in-process presence.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface OwnerCaller {
  /**
   * in-process: code inside the daemon (desktop window/tray IPC, tests); console: a signed-in console tab;
   * token-file: the opt-in AKC_ADMIN_TOKEN_FILE credential; cli: an `akc` owner session.
   */
  kind: 'in-process' | 'console' | 'token-file' | 'cli';
  /** The owner session id for kind "cli". */
  sessionId: string | null;
  /** True when the caller is the owner present (window, tab, token file); a CLI session is not. */
  presence: boolean;
  /** The calling process as the daemon resolved it, where known. */
  pid: number | null;
}

const ownerContext = new AsyncLocalStorage<OwnerCaller>();
/** Owner operations running now; the context is switched off when none is. */
let running = 0;

/**
 * Runs an owner operation with `caller` as the acting owner for every audit entry it writes. While an
 * AsyncLocalStorage is enabled Node runs a hook for every promise the process makes (about 3× the cost
 * of each await on the request path), so the context is enabled only while an owner operation runs.
 */
export async function runAsOwner<T>(caller: OwnerCaller, fn: () => T | Promise<T>): Promise<T> {
  running += 1;
  try {
    return await ownerContext.run(caller, fn);
  } finally {
    running -= 1;
    if (running === 0) ownerContext.disable();
  }
}

/** Facts to stamp on an owner's audit entry: the session and how the owner was present. */
export function ownerFacts(): Record<string, unknown> | null {
  const caller = ownerContext.getStore();
  if (caller === undefined) return null;
  return {
    ownerVia: caller.kind,
    ...(caller.sessionId !== null ? { ownerSession: caller.sessionId } : {}),
    ...(caller.pid !== null ? { ownerPid: caller.pid } : {}),
  };
}
