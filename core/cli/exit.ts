// Exit codes of `akc`, for scripts (also in README "akc command line"). Errors carry the API's own words.
export const EXIT = {
  ok: 0,
  /** The API refused the request (bad input, conflict, …) or something unexpected went wrong. */
  failed: 1,
  /** Bad command line: unknown command or option, missing argument. */
  usage: 2,
  /** Agent Keychain is not running (no daemon.json) or not reachable. */
  notRunning: 3,
  /** No owner power: no session, the owner denied or did not answer, presence required, wrong passphrase. */
  owner: 4,
  /** The named agent, approval, grant, provider, secret or session does not exist. */
  notFound: 5,
  /** The vault is locked (or not set up). */
  locked: 6,
  /** `akc audit verify` found the audit chain broken. */
  auditBroken: 7,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI prints as one line (plus an optional hint) and exits with. */
export class CliError extends Error {
  readonly exitCode: ExitCode;
  readonly code: string;
  readonly requestId: string | null;

  constructor(exitCode: ExitCode, message: string, code = 'cli_error', requestId: string | null = null) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
    this.requestId = requestId;
  }
}

/** The exit code for an API error code. */
export function exitFor(code: string): ExitCode {
  switch (code) {
    case 'unauthorized':
    case 'owner_denied':
    case 'presence_required':
    case 'wrong_passphrase':
      return EXIT.owner;
    case 'not_found':
      return EXIT.notFound;
    case 'vault_locked':
      return EXIT.locked;
    default:
      return EXIT.failed;
  }
}
