// What Agent Keychain does with an error nobody expected (docs/ARCHITECTURE.md, "Unexpected errors").
//
// - Inside one request or owner operation (a handler throws something that is not an AppError): that
//   request is answered 500 `internal_error` with its request id (IPC: the same code, a generic message),
//   its audit entry, where one was opened, records status 500, nothing more is forwarded for it, and the
//   daemon carries on: the failure is confined to that request.
// - Outside any request (`uncaughtException`, `unhandledRejection`): the process state is unknown, so the
//   daemon fails closed. It writes a `system.failure` audit entry (best effort: the audit may be what
//   broke), stops listening so nothing more is forwarded, tells the person what happened and what to do
//   (stderr in headless mode, a dialog in the desktop app), and exits with code 70.
//
// Either way the log line comes from `describeInternal`: the error's kind, code and stack frames, never
// its message, which may carry request data or values.

/** Exit code of a daemon stopped by an unexpected error (EX_SOFTWARE). */
export const EXIT_INTERNAL_ERROR = 70;

/** One log line for an unexpected error: kind, code and where it was thrown; never the message. */
export function describeInternal(err: unknown): string {
  const kind = err instanceof Error ? err.name : typeof err;
  const code =
    typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : '';
  const frames =
    err instanceof Error && err.stack
      ? err.stack
          .split('\n')
          .filter((line) => line.startsWith('    at '))
          .slice(0, 6)
          .map((line) => line.trim().slice(3))
      : [];
  return `${kind}${code ? ` (${code})` : ''}${frames.length ? ` at ${frames.join(' < ')}` : ''}`;
}

export interface FailurePolicy {
  /** Writes the `system.failure` audit entry; may throw (the audit may be what broke). */
  record(detail: string): void;
  /** Stops accepting and forwarding requests. */
  stop(): Promise<void>;
  /** Tells the person, in words, what happened and what to do. */
  tell(message: string): void;
  /** Writes a line to the log. */
  log(line: string): void;
  exit(code: number): void;
}

interface ProcessEvents {
  on(event: 'uncaughtException' | 'unhandledRejection', listener: (err: unknown) => void): unknown;
  off(event: 'uncaughtException' | 'unhandledRejection', listener: (err: unknown) => void): unknown;
}

/** Installs the process-level rule above; returns the function that removes it. */
export function installFailurePolicy(proc: ProcessEvents, policy: FailurePolicy): () => void {
  let failing = false;
  const onFailure = (err: unknown): void => {
    if (failing) return;
    failing = true;
    const detail = describeInternal(err);
    policy.log(`agent-keychain: unexpected error outside any request: ${detail}`);
    let audited = true;
    try {
      policy.record(detail);
    } catch {
      audited = false;
    }
    policy.tell(
      `Agent Keychain stopped after an unexpected error (${err instanceof Error ? err.name : typeof err}). ` +
        'It no longer forwards any request, so nothing ran unchecked. ' +
        `${audited ? 'The audit log records the stop.' : 'The audit log could not record the stop.'} ` +
        'Start it again; if this keeps happening, report it with the log line above.',
    );
    policy
      .stop()
      .catch(() => undefined)
      .finally(() => policy.exit(EXIT_INTERNAL_ERROR));
  };
  proc.on('uncaughtException', onFailure);
  proc.on('unhandledRejection', onFailure);
  return () => {
    proc.off('uncaughtException', onFailure);
    proc.off('unhandledRejection', onFailure);
  };
}
