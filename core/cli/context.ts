// What every akc command shares: finding the daemon (daemon.json in the data directory), the owner
// session (asked for on first use), calls to the admin API in the contract's own shapes, and output.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { readConfig } from '../config.ts';
import {
  httpRequestFor,
  outputSchema,
  type AdminOpName,
  type OpInput,
  type OpOutput,
} from '../../shared/contract.ts';
import { describeIssue } from '../../shared/issue-path.ts';
import { classifyAct, OwnerPresence, type OwnerSessionView } from '../../shared/owner.ts';
import { CliError, EXIT, exitFor } from './exit.ts';
import { forgetSession, loadSession, saveSession, type StoredSession } from './session-store.ts';
import { readSecretInput } from './input.ts';

const DaemonJson = z.object({ url: z.url(), pid: z.number().int(), version: z.string() });
export type DaemonInfo = z.infer<typeof DaemonJson>;

/** Options every command accepts (declared on the program). */
const GlobalOptions = z.object({
  dataDir: z.string().min(1).optional(),
  passphrase: z.boolean().optional(),
  json: z.boolean().optional(),
});

const ErrorEnvelope = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string().optional(),
    path: z.string().optional(),
  }),
});

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
};

/** Parses a command's options with its zod schema; a mismatch is a usage error. */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? `--${issue.path.map(String).join('.')}` : 'options';
  throw new CliError(EXIT.usage, `${where}: ${issue?.message ?? 'invalid'}`, 'usage');
}

export class CliContext {
  readonly io: CliIo;
  private readonly cmd: Command;
  private daemonInfo: DaemonInfo | null = null;
  private session: StoredSession | null = null;
  private passphrase: string | null = null;

  constructor(cmd: Command, io: CliIo) {
    this.cmd = cmd;
    this.io = io;
  }

  private get globals(): z.output<typeof GlobalOptions> {
    return parseOptions(GlobalOptions, this.cmd.optsWithGlobals());
  }

  get json(): boolean {
    return this.globals.json === true;
  }

  /** The data directory: --data-dir, else AKC_DATA_DIR, else the OS default. */
  get dataDir(): string {
    const given = this.globals.dataDir;
    if (given !== undefined) return given;
    try {
      return readConfig(this.io.env).dataDir;
    } catch (err) {
      throw new CliError(EXIT.usage, err instanceof Error ? err.message : String(err), 'usage');
    }
  }

  /** The running daemon, from daemon.json (URL, pid, version: nothing that grants anything). */
  daemon(): DaemonInfo {
    if (this.daemonInfo) return this.daemonInfo;
    const file = join(this.dataDir, 'daemon.json');
    let raw: string;
    try {
      raw = readFileSync(file, 'utf8');
    } catch {
      throw new CliError(
        EXIT.notRunning,
        `Agent Keychain is not running for ${this.dataDir} (no daemon.json). Start it with \`npm start\`, or point --data-dir / AKC_DATA_DIR at the right directory.`,
        'not_running',
      );
    }
    const parsed = DaemonJson.safeParse(JSON.parse(raw) as unknown);
    if (!parsed.success)
      throw new CliError(
        EXIT.notRunning,
        `${file} is not a daemon.json written by Agent Keychain.`,
        'not_running',
      );
    this.daemonInfo = parsed.data;
    return parsed.data;
  }

  /** Writes a result: JSON with --json, else the human text. */
  print(value: unknown, human: () => string): void {
    if (this.json) this.io.stdout(`${JSON.stringify(value, null, 2)}\n`);
    else {
      const text = human();
      if (text !== '') this.io.stdout(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  note(text: string): void {
    this.io.stderr(`${text}\n`);
  }

  /** The vault passphrase, asked once per run when --passphrase was given. */
  async passphraseIfAsked(): Promise<string | null> {
    if (this.globals.passphrase !== true) return null;
    this.passphrase ??= await readSecretInput('Vault passphrase', 'line');
    return this.passphrase;
  }

  // ── HTTP ──────────────────────────────────────────────────────────────────────────────────────

  async http(
    method: string,
    path: string,
    options: { body?: unknown; token?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const { url } = this.daemon();
    const headers: Record<string, string> = {
      accept: 'application/json',
      // A hint only: the daemon finds the caller from the socket and checks this against /proc.
      'x-akc-pid': String(process.pid),
      ...options.headers,
    };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const init: RequestInit = { method, headers };
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    try {
      return await fetch(`${url}${path}`, init);
    } catch (err) {
      throw new CliError(
        EXIT.notRunning,
        `Agent Keychain is not reachable at ${url}: ${err instanceof Error ? err.message : String(err)}. Is it running?`,
        'not_running',
      );
    }
  }

  /** Throws the API's error (its own words) for a failed response. */
  async fail(res: Response): Promise<never> {
    // A body that is not JSON is no envelope: the status alone is reported.
    const body: unknown = await res.json().catch(() => null);
    const env = ErrorEnvelope.safeParse(body);
    if (!env.success)
      throw new CliError(EXIT.failed, `Agent Keychain answered HTTP ${res.status}.`, 'http_error');
    const e = env.data.error;
    throw new CliError(
      exitFor(e.code),
      e.path ? `${e.message} (${e.path})` : e.message,
      e.code,
      e.requestId ?? null,
    );
  }

  // ── Owner session ─────────────────────────────────────────────────────────────────────────────

  /** The live session of this shell, or a new one asked of the owner (prompt in the app/console, or passphrase). */
  async ownerSession(minutes?: number): Promise<StoredSession> {
    const { url } = this.daemon();
    if (this.session) return this.session;
    const stored = loadSession(url, this.io.env);
    if (stored) {
      this.session = stored;
      return stored;
    }
    return await this.login(minutes);
  }

  /** The stored session of this shell if the daemon still honours it; a dead one is forgotten. */
  async liveStoredSession(): Promise<StoredSession | null> {
    const { url } = this.daemon();
    const stored = loadSession(url, this.io.env);
    if (!stored) return null;
    // A cheap read with the stored token: the owner may have ended it, or the vault may have locked.
    const { target } = httpRequestFor('ownerSessionsList', {});
    const res = await this.http('GET', target, { token: stored.token });
    if (res.ok) return stored;
    forgetSession(url, this.io.env);
    return null;
  }

  async login(minutes?: number): Promise<StoredSession> {
    const { url } = this.daemon();
    const passphrase = await this.passphraseIfAsked();
    if (passphrase === null) {
      const presence = await this.http('GET', '/admin/v1/owner/presence');
      if (!presence.ok) await this.fail(presence);
      const info = OwnerPresence.parse(await presence.json());
      if (!info.canPrompt) {
        throw new CliError(
          EXIT.owner,
          'No owner session, and nothing is open that can ask the owner. Open the Agent Keychain app, or the ' +
            'console (the login link was printed where the daemon started), then run this again' +
            (info.passphraseVault ? ', or add --passphrase to prove it with the vault passphrase.' : '.'),
          'presence_required',
        );
      }
      this.note(
        `Asking the owner for an owner session (akc pid ${process.pid}): allow it in the Agent Keychain app or console…`,
      );
    }
    const res = await this.http('POST', '/admin/v1/owner/login', {
      body: { ...(minutes !== undefined ? { minutes } : {}), ...(passphrase !== null ? { passphrase } : {}) },
    });
    if (!res.ok) await this.fail(res);
    const out = z
      .object({ token: z.string(), session: z.object({ id: z.string(), expiresAt: z.string() }) })
      .parse(await res.json());
    const session: StoredSession = {
      url,
      sessionId: out.session.id,
      token: out.token,
      expiresAt: out.session.expiresAt,
    };
    saveSession(session, this.io.env);
    this.session = session;
    return session;
  }

  /** Ends this shell's session (on the daemon too, when it is still live). */
  async logout(): Promise<OwnerSessionView['id'] | null> {
    const { url } = this.daemon();
    const stored = loadSession(url, this.io.env);
    forgetSession(url, this.io.env);
    if (!stored) return null;
    const { target } = httpRequestFor('ownerSessionEnd', { id: stored.sessionId });
    const res = await this.http('DELETE', target, { token: stored.token });
    if (!res.ok && res.status !== 401 && res.status !== 404) await this.fail(res);
    return stored.sessionId;
  }

  /**
   * Runs an admin operation as the owner. Without a session, asks for one first; a sensitive act waits
   * for the owner to confirm it in the app/console (or takes the passphrase with --passphrase).
   */
  async call<N extends AdminOpName>(name: N, input: OpInput<N>): Promise<OpOutput<N>> {
    const res = await this.send(httpRequestFor(name, input), classifyAct(name, input));
    return await this.answer(res, outputSchema(name), `an answer to ${name}`);
  }

  /**
   * A successful answer, checked against the contract's schema before anything reads it (as the client
   * package does): an answer of another shape is an error naming the field, never passed on.
   */
  async answer<S extends z.ZodType>(res: Response, schema: S, what: string): Promise<z.output<S>> {
    // A body that is not JSON fails the schema like any other wrong shape.
    const json: unknown = await res.json().catch(() => undefined);
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    throw new CliError(
      EXIT.failed,
      `Agent Keychain sent ${what} that does not match the contract (${describeIssue(parsed.error.issues, 'answer')}). Are akc and the running daemon the same version? Restart the daemon after an update.`,
      'invalid_response',
    );
  }

  /** Like call, for routes outside the operation table (the audit export, the event stream). */
  async send(
    req: { method: string; target: string; body: Record<string, unknown> | undefined },
    cls: ReturnType<typeof classifyAct>,
  ): Promise<Response> {
    let session = await this.ownerSession();
    const headers: Record<string, string> = {};
    if (cls === 'sensitive') {
      const passphrase = await this.passphraseIfAsked();
      if (passphrase !== null)
        headers['x-akc-passphrase'] = Buffer.from(passphrase, 'utf8').toString('base64url');
      else this.note('This needs your confirmation: allow it in the Agent Keychain app or console…');
    }
    for (let attempt = 0; ; attempt += 1) {
      const res = await this.http(req.method, req.target, { body: req.body, token: session.token, headers });
      if (res.ok) return res;
      if (res.status === 401 && attempt === 0) {
        // The stored session ended (expired, ended by the owner, vault locked): ask again, once.
        forgetSession(session.url, this.io.env);
        this.session = null;
        session = await this.login();
        continue;
      }
      return await this.fail(res);
    }
  }
}
