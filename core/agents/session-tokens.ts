// Short-lived agent credentials, kept only in memory (a daemon restart voids them all, which is what a
// short-lived credential should do): session credentials minted by `akc run` for one process tree, and
// tokens minted by POST /v1/token from an agent's enrolled key. Both look like any agent credential
// (akc_…), are stored as hashes only, and die with their agent (revoke, rotate) or on their own.
import type { ServerResponse } from 'node:http';
import { AGENT_PREFIX, credentialHint, hashTokenHex, mintToken, newId } from './credentials.ts';

export interface SessionBinding {
  /** The `akc run` process, as the daemon found it from the control connection's socket (never as told). */
  launcherPid: number;
}

export interface ShortLivedCredential {
  kind: 'session' | 'token';
  id: string;
  agentId: string;
  hashHex: string;
  hint: string;
  createdAt: number;
  expiresAt: number;
  /** The enrolled key it was minted with (RFC 7638 thumbprint). */
  kid: string | null;
  /** Sender-constrained (cnf.jkt): every request must carry a proof signed by this key. */
  jkt: string | null;
  /** Sessions only: the process tree it is honoured for. */
  binding: SessionBinding | null;
  /** Sessions only: what the launcher said it runs (shown to the owner; informational). */
  command: string | null;
  /** Responses in progress on this credential, so that ending it cuts them. */
  open: Set<ServerResponse>;
  ended: { at: number; reason: string } | null;
}

export class ShortLivedCredentials {
  private readonly byHash = new Map<string, ShortLivedCredential>();
  private readonly byId = new Map<string, ShortLivedCredential>();
  private lastSweep = 0;
  /** Called after a credential ends (for events and the audit). */
  onEnd: (cred: ShortLivedCredential) => void = () => undefined;

  mint(input: {
    kind: 'session' | 'token';
    agentId: string;
    ttlMs: number;
    now: number;
    kid: string | null;
    jkt?: string | null;
    binding?: SessionBinding | null;
    command?: string | null;
  }): { cred: ShortLivedCredential; token: string } {
    this.sweep(input.now);
    const token = mintToken(AGENT_PREFIX);
    const cred: ShortLivedCredential = {
      kind: input.kind,
      id: newId(input.kind === 'session' ? 'ses_' : 'tok_'),
      agentId: input.agentId,
      hashHex: hashTokenHex(token),
      hint: credentialHint(token, AGENT_PREFIX),
      createdAt: input.now,
      expiresAt: input.now + input.ttlMs,
      kid: input.kid,
      jkt: input.jkt ?? null,
      binding: input.binding ?? null,
      command: input.command ?? null,
      open: new Set(),
      ended: null,
    };
    this.byHash.set(cred.hashHex, cred);
    this.byId.set(cred.id, cred);
    return { cred, token };
  }

  /** The live credential with this token hash, or why there is none. */
  lookup(hashHex: string, now: number): ShortLivedCredential | 'expired' | undefined {
    const cred = this.byHash.get(hashHex);
    if (!cred) return undefined;
    if (cred.expiresAt <= now) {
      this.end(cred.id, 'expired', now);
      return 'expired';
    }
    return cred;
  }

  /** True while the credential with this hash is live (the last check before anything is forwarded). */
  live(hashHex: string, agentId: string, now: number): boolean {
    const cred = this.byHash.get(hashHex);
    return cred !== undefined && cred.agentId === agentId && cred.expiresAt > now;
  }

  get(id: string): ShortLivedCredential | undefined {
    return this.byId.get(id);
  }

  renew(id: string, ttlMs: number, now: number): ShortLivedCredential | undefined {
    const cred = this.byId.get(id);
    if (!cred || cred.expiresAt <= now) return undefined;
    cred.expiresAt = now + ttlMs;
    return cred;
  }

  /** Ends one credential now: it is refused from here on and its responses in progress are cut. */
  end(id: string, reason: string, now: number): ShortLivedCredential | undefined {
    const cred = this.byId.get(id);
    if (!cred) return undefined;
    this.byId.delete(id);
    this.byHash.delete(cred.hashHex);
    cred.ended = { at: now, reason };
    for (const res of cred.open) res.destroy();
    cred.open.clear();
    this.onEnd(cred);
    return cred;
  }

  /** Ends every short-lived credential of the agent (revoke, rotate); returns how many. */
  endForAgent(agentId: string, reason: string, now: number): number {
    let n = 0;
    for (const cred of [...this.byId.values()]) {
      if (cred.agentId !== agentId) continue;
      this.end(cred.id, reason, now);
      n += 1;
    }
    return n;
  }

  sessions(now: number): ShortLivedCredential[] {
    this.sweep(now, true);
    return [...this.byId.values()]
      .filter((c) => c.kind === 'session')
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  countFor(agentId: string): { sessions: number; tokens: number } {
    let sessions = 0;
    let tokens = 0;
    for (const c of this.byId.values()) {
      if (c.agentId !== agentId) continue;
      if (c.kind === 'session') sessions += 1;
      else tokens += 1;
    }
    return { sessions, tokens };
  }

  /** Drops expired credentials (at most once a minute unless forced), so unused tokens do not pile up. */
  private sweep(now: number, force = false): void {
    if (!force && now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const cred of [...this.byId.values()]) if (cred.expiresAt <= now) this.end(cred.id, 'expired', now);
  }
}
