// The owner plane: owner presence, the prompts that ask for it, and the short-lived CLI owner sessions it
// grants (see README "Owner sessions and presence"). Nothing here is ever written to disk: the daemon
// restarting, the vault locking, the session expiring or the owner ending it all drop the power at once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Core } from '../core.ts';
import { AppError } from '../errors.ts';
import { ADMIN_PREFIX, mintToken } from '../agents/credentials.ts';
import type { ProcessInfo } from '../../shared/models.ts';
import {
  DEFAULT_OWNER_SESSION_MINUTES,
  type OwnerPromptKind,
  type OwnerPromptView,
  type OwnerSessionView,
} from '../../shared/owner.ts';
import type { OwnerCaller } from './context.ts';
import {
  anchorOf,
  commandLine,
  hasProc,
  insideAkcRun,
  isAkcProcess,
  peerPid,
  processInfo,
  sameAnchor,
  type Anchor,
} from './tree.ts';

/** CLI owner session credentials. Useless alone: every use is checked against the calling process. */
export const OWNER_SESSION_PREFIX = 'akcown_';
/** In-process and opt-in token-file credentials (full owner power; never written by default). */
const OWNER_TOKEN_PREFIX = ADMIN_PREFIX;
/** The CLI names its own pid here as a hint for the lookup; the daemon checks it against /proc. */
export const PID_HINT_HEADER = 'x-akc-pid';
/** A passphrase vault's passphrase, base64url, as fresh presence for one act from the CLI. */
export const PASSPHRASE_HEADER = 'x-akc-passphrase';

const MAX_SESSION_MINUTES = 60;
const MAX_PROMPTS = 32;

const sha = (v: string): Buffer => createHash('sha256').update(v).digest();

interface SessionRecord {
  id: string;
  tokenHash: Buffer;
  anchor: Anchor;
  anchorCommand: string;
  process: ProcessInfo;
  how: 'prompt' | 'passphrase';
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
  acts: number;
}

type PromptOutcome = { decision: 'allow'; minutes: number } | { decision: 'deny' | 'timeout' | 'cancelled' };

interface PromptRecord {
  view: OwnerPromptView;
  settle: (outcome: PromptOutcome) => void;
}

export type AuthResult = { ok: true; caller: OwnerCaller } | { ok: false; message: string };

/** Where an owner request comes from: the resolved peer process and the shell it is bound to. */
export interface CallerProcess {
  pid: number;
  anchor: Anchor;
  info: ProcessInfo;
}

export class OwnerPlane {
  private readonly core: Core;
  private readonly promptTimeoutMs: number;
  private readonly sessions = new Map<string, SessionRecord>();
  private readonly prompts = new Map<string, PromptRecord>();
  private readonly presenceTokens = new Map<string, 'in-process' | 'token-file'>();
  private readonly surfaces = new Map<number, string>();
  private surfaceSeq = 0;
  private passphraseFailures: number[] = [];

  constructor(core: Core, options: { promptTimeoutMs: number }) {
    this.core = core;
    this.promptTimeoutMs = options.promptTimeoutMs;
  }

  // ── Presence surfaces: what can show a prompt to the owner right now ───────────────────────────────

  /** Registers something that shows owner prompts (the desktop app, a signed-in console tab). */
  attachSurface(label: string): () => void {
    const id = ++this.surfaceSeq;
    this.surfaces.set(id, label);
    return () => this.surfaces.delete(id);
  }

  get canPrompt(): boolean {
    return this.surfaces.size > 0;
  }

  // ── Presence tokens (in-process code, the opt-in token file) ─────────────────────────────────────

  /** A credential with full owner power for code inside this process (tests, the bench). Never written. */
  mintPresenceToken(kind: 'in-process' | 'token-file'): string {
    const token = mintToken(OWNER_TOKEN_PREFIX);
    this.presenceTokens.set(sha(token).toString('hex'), kind);
    return token;
  }

  // ── Authentication of admin requests ──────────────────────────────────────────────────────────────

  /** The caller of an admin request with a bearer credential (the console cookie is checked elsewhere). */
  authenticate(req: IncomingMessage, token: string): AuthResult {
    const now = this.core.now();
    if (token.startsWith(OWNER_TOKEN_PREFIX)) {
      const kind = this.presenceTokens.get(sha(token).toString('hex'));
      if (kind !== undefined)
        return { ok: true, caller: { kind, sessionId: null, presence: true, pid: null } };
      return {
        ok: false,
        message:
          'This owner credential is not valid (it ends when the daemon stops). Run `akc login` for a session.',
      };
    }
    if (!token.startsWith(OWNER_SESSION_PREFIX)) {
      return { ok: false, message: 'Unknown credential. Run `akc login` to ask the owner for a session.' };
    }
    const hash = sha(token);
    let session: SessionRecord | undefined;
    for (const s of this.sessions.values()) {
      if (timingSafeEqual(s.tokenHash, hash)) session = s;
    }
    if (session === undefined || session.expiresAt <= now) {
      if (session !== undefined) this.endSession(session.id, 'expired');
      return {
        ok: false,
        message:
          'This owner session has ended (expired, logged out, ended by the owner, or the vault locked). Run `akc login`.',
      };
    }
    // The session is bound to the shell that logged in: a copy of the credential in another process is no good.
    const caller = this.resolveCaller(req);
    if ('refused' in caller || !sameAnchor(caller.anchor, session.anchor)) {
      const why =
        'refused' in caller
          ? caller.refused
          : `it came from pid ${caller.pid}, which the shell that logged in (pid ${session.anchor.pid}) did not start`;
      this.audit(
        'owner.session.misused',
        'deny',
        'session_misused',
        `Owner session ${session.id} refused: ${why}`,
        {
          sessionId: session.id,
          ...('refused' in caller ? {} : { pid: caller.pid, command: caller.info.command }),
        },
      );
      return {
        ok: false,
        message:
          'This owner session belongs to another shell. Sessions work only for akc run from the shell that ran `akc login`.',
      };
    }
    session.lastUsedAt = now;
    return { ok: true, caller: { kind: 'cli', sessionId: session.id, presence: false, pid: caller.pid } };
  }

  /** Resolves and checks the calling process of a CLI request from /proc (never from what it claims). */
  resolveCaller(req: IncomingMessage): CallerProcess | { refused: string } {
    if (!hasProc) {
      return {
        refused: `CLI owner sessions need /proc to bind the session to your shell, which ${process.platform} lacks. Use the app.`,
      };
    }
    const hintRaw = req.headers[PID_HINT_HEADER];
    const hint = typeof hintRaw === 'string' && /^\d{1,9}$/.test(hintRaw) ? Number(hintRaw) : null;
    const pid = peerPid(req.socket, hint);
    if (pid === null) return { refused: 'the calling process could not be found in /proc' };
    if (!isAkcProcess(pid))
      return { refused: `the caller (pid ${pid}: ${commandLine(pid)}) is not the akc command` };
    if (insideAkcRun(pid))
      return { refused: `the caller (pid ${pid}) runs inside \`akc run\`, i.e. as an agent` };
    const anchor = anchorOf(pid);
    if (anchor === null) return { refused: `the shell that started pid ${pid} could not be found` };
    return { pid, anchor, info: processInfo(pid) };
  }

  // ── Prompts ─────────────────────────────────────────────────────────────────────────────────────

  listPrompts(): OwnerPromptView[] {
    return [...this.prompts.values()].map((p) => p.view);
  }

  /**
   * Shows a prompt in the app/console and waits for the owner. Fails at once, saying what to do, when
   * nothing can show it. The abort signal (the caller hung up) withdraws the prompt.
   */
  async ask(
    kind: OwnerPromptKind,
    summary: string,
    process: ProcessInfo,
    extra: { op?: string; sessionId?: string; signal?: AbortSignal },
  ): Promise<PromptOutcome> {
    if (!this.canPrompt) throw noSurface(this.core.vault.keySource === 'passphrase');
    if (this.prompts.size >= MAX_PROMPTS)
      throw new AppError('rate_limited', 'Too many owner prompts are waiting; answer or deny them first.');
    const now = this.core.now();
    const id = `opr_${randomBytes(12).toString('base64url')}`;
    const view: OwnerPromptView = {
      id,
      kind,
      summary,
      op: extra.op ?? null,
      sessionId: extra.sessionId ?? null,
      process,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.promptTimeoutMs).toISOString(),
    };
    return await new Promise<PromptOutcome>((resolve) => {
      const timer = setTimeout(() => settle({ decision: 'timeout' }), this.promptTimeoutMs);
      timer.unref();
      const onAbort = (): void => settle({ decision: 'cancelled' });
      const settle = (outcome: PromptOutcome): void => {
        if (!this.prompts.delete(id)) return;
        clearTimeout(timer);
        extra.signal?.removeEventListener('abort', onAbort);
        this.core.bus.emit({
          name: 'owner.prompt.closed',
          data: {
            id,
            outcome:
              outcome.decision === 'allow'
                ? 'allowed'
                : outcome.decision === 'deny'
                  ? 'denied'
                  : outcome.decision,
          },
        });
        resolve(outcome);
      };
      this.prompts.set(id, { view, settle });
      extra.signal?.addEventListener('abort', onAbort, { once: true });
      if (extra.signal?.aborted) onAbort();
      this.core.bus.emit({ name: 'owner.prompt', data: view });
    });
  }

  /** The owner's answer to a prompt (from the window, the tray or a signed-in console tab only). */
  decide(id: string, decision: 'allow' | 'deny', minutes: number | undefined): void {
    const prompt = this.prompts.get(id);
    if (!prompt)
      throw new AppError('not_found', `No owner prompt ${id} is waiting (answered, withdrawn or timed out).`);
    if (decision === 'deny') prompt.settle({ decision: 'deny' });
    else
      prompt.settle({
        decision: 'allow',
        minutes: Math.min(minutes ?? DEFAULT_OWNER_SESSION_MINUTES, MAX_SESSION_MINUTES),
      });
  }

  // ── Sessions ────────────────────────────────────────────────────────────────────────────────────

  createSession(
    caller: CallerProcess,
    minutes: number,
    how: 'prompt' | 'passphrase',
  ): { view: OwnerSessionView; token: string } {
    const now = this.core.now();
    const token = mintToken(OWNER_SESSION_PREFIX);
    const record: SessionRecord = {
      id: `osn_${randomBytes(9).toString('base64url')}`,
      tokenHash: sha(token),
      anchor: caller.anchor,
      anchorCommand: commandLine(caller.anchor.pid),
      process: caller.info,
      how,
      createdAt: now,
      expiresAt: now + Math.min(minutes, MAX_SESSION_MINUTES) * 60_000,
      lastUsedAt: null,
      acts: 0,
    };
    this.sessions.set(record.id, record);
    this.audit(
      'owner.session.started',
      'allow',
      how === 'prompt' ? 'owner_allowed' : 'passphrase',
      `Owner session ${record.id} for ${Math.min(minutes, MAX_SESSION_MINUTES)} min, bound to pid ${record.anchor.pid} (${record.anchorCommand})`,
      {
        sessionId: record.id,
        pid: caller.pid,
        command: caller.info.command,
        anchorPid: record.anchor.pid,
        how,
      },
    );
    this.publish();
    return { view: this.view(record), token };
  }

  /** Counts an act done in a session (shown in the sessions list). */
  countAct(sessionId: string | null): void {
    if (sessionId === null) return;
    const s = this.sessions.get(sessionId);
    if (s) s.acts += 1;
  }

  listSessions(): OwnerSessionView[] {
    const now = this.core.now();
    for (const s of [...this.sessions.values()]) if (s.expiresAt <= now) this.endSession(s.id, 'expired');
    return [...this.sessions.values()].map((s) => this.view(s));
  }

  endSession(id: string, why: 'logout' | 'ended' | 'expired' | 'vault_locked'): boolean {
    const s = this.sessions.get(id);
    if (!s) return false;
    this.sessions.delete(id);
    this.audit('owner.session.ended', 'event', why, `Owner session ${id} ended (${why.replace('_', ' ')})`, {
      sessionId: id,
    });
    this.publish();
    return true;
  }

  endAll(why: 'vault_locked'): void {
    for (const id of [...this.sessions.keys()]) this.endSession(id, why);
    for (const p of [...this.prompts.values()]) p.settle({ decision: 'cancelled' });
  }

  /** The session a bearer token names, if it is live (for logout by the session itself). */
  sessionIdOf(token: string): string | null {
    const hash = sha(token);
    for (const s of this.sessions.values()) if (timingSafeEqual(s.tokenHash, hash)) return s.id;
    return null;
  }

  // ── Passphrase as presence ──────────────────────────────────────────────────────────────────────

  /** Checks a passphrase vault's passphrase; failures are audited and limited to 5 a minute. */
  async passphrasePresence(passphrase: string, what: string): Promise<void> {
    const now = this.core.now();
    this.passphraseFailures = this.passphraseFailures.filter((t) => t > now - 60_000);
    if (this.passphraseFailures.length >= 5)
      throw new AppError('rate_limited', 'Too many wrong passphrases; wait a minute.', { retryAfter: 60 });
    if (this.core.vault.keySource !== 'passphrase')
      throw new AppError(
        'bad_request',
        'This vault keeps its key in the OS keychain and has no passphrase: confirm in the app or the console instead.',
      );
    if (!(await this.core.vault.checkPassphrase(passphrase))) {
      this.passphraseFailures.push(now);
      this.audit('owner.passphrase.failed', 'deny', 'wrong_passphrase', `Wrong passphrase for: ${what}`, {});
      throw new AppError('wrong_passphrase', 'Wrong passphrase. Nothing was changed.');
    }
  }

  audit(
    action: string,
    decision: 'allow' | 'deny' | 'event',
    reason: string,
    rule: string,
    facts: Record<string, unknown>,
  ): void {
    try {
      this.core.record({ actor: 'system', action, decision, reason, rule, facts });
    } catch {
      // Refusals are refused either way; a grant that cannot be audited is refused by its caller.
    }
  }

  private view(s: SessionRecord): OwnerSessionView {
    const iso = (v: number): string => new Date(v).toISOString();
    return {
      id: s.id,
      process: s.process,
      anchor: { pid: s.anchor.pid, command: s.anchorCommand },
      how: s.how,
      createdAt: iso(s.createdAt),
      expiresAt: iso(s.expiresAt),
      lastUsedAt: s.lastUsedAt === null ? null : iso(s.lastUsedAt),
      acts: s.acts,
    };
  }

  private publish(): void {
    this.core.bus.emit({
      name: 'owner.sessions',
      data: { sessions: [...this.sessions.values()].map((s) => this.view(s)) },
    });
  }
}

/** Nothing can show the owner a prompt: say exactly what to do. */
export function noSurface(passphraseVault: boolean): AppError {
  return new AppError(
    'presence_required',
    'Nothing is open that can show the owner a prompt. Open the Agent Keychain app, or the console (the login link ' +
      'was printed where the daemon started), then try again' +
      (passphraseVault ? ', or add --passphrase to confirm with the vault passphrase.' : '.'),
  );
}
