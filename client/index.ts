// A TypeScript client for both Agent Keychain APIs, for scripts, tests and agents. Browser-safe (fetch).
//
//   const akc = new AgentKeychain({ baseUrl, adminToken });
//   const { agent, token } = await akc.agents.create({ name: 'mail-bot', scopes: { email: { allowedDomains: ['example.com'], dailyLimit: 50 } } });
//   await akc.agents.revoke(agent.id, { reason: 'leaked', severity: 'high' });
//
//   const me = new AgentKeychainAgent({ baseUrl, token });
//   await me.whoami(); await me.secrets.get('crm_api_key');
import type { z } from 'zod';
import {
  agentOps,
  agentOutputSchema,
  ErrorEnvelope,
  outputSchema,
  httpRequestFor,
  queryString,
  requestFor,
  type AdminOpName,
  type AgentOpInput,
  type AgentOpName,
  type AgentOpOutput,
  type OpInput,
  type OpOutput,
  type AuditQuery,
} from '../shared/contract.ts';
import type { ErrorBody, ErrorCode, RuleRef } from '../shared/errors.ts';
import { describeIssue, formatIssuePath } from '../shared/issue-path.ts';
import type { Scopes } from '../shared/scopes.ts';
import type { Severity } from '../shared/models.ts';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:7717';

/** An error answered by Agent Keychain, with its code, HTTP status and request id. */
export class AgentKeychainError extends Error {
  /** Our error code; "network_error" when the server could not be reached, "invalid_response" when its
   * answer does not match the contract (shared/contract.ts). */
  readonly code: ErrorCode | 'network_error' | 'invalid_response';
  readonly status: number;
  readonly requestId: string | null;
  readonly path: string | undefined;
  readonly rule: RuleRef | undefined;

  constructor(
    status: number,
    body: Partial<ErrorBody['error']> | null,
    fallback: string,
    code: 'network_error' | 'invalid_response' = 'network_error',
  ) {
    super(body?.message ?? fallback);
    this.name = 'AgentKeychainError';
    this.code = body?.code ?? code;
    this.status = status;
    this.requestId = body?.requestId ?? null;
    this.path = body?.path;
    this.rule = body?.rule;
  }
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function invalid(status: number, what: string, issues: z.core.$ZodIssue[]): AgentKeychainError {
  return new AgentKeychainError(
    status,
    null,
    `Agent Keychain sent ${what} that does not match the contract (${describeIssue(issues, 'answer')}). Are the client and the server the same version?`,
    'invalid_response',
  );
}

/** What both clients share: the server's address, their credential, and one call checked against the contract. */
abstract class Client {
  readonly baseUrl: string;
  protected readonly token: string;

  protected constructor(baseUrl: string | undefined, token: string) {
    this.baseUrl = (baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.token = token;
  }

  /** One call; the answer is validated against `output` (and errors against our envelope) before use. */
  protected async send<S extends z.ZodType>(
    req: { method: string; target: string; body?: unknown },
    output: S,
  ): Promise<z.output<S>> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: 'application/json',
    };
    const init: RequestInit = { method: req.method, headers };
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(req.body);
    }
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${req.target}`, init);
    } catch (err) {
      throw new AgentKeychainError(
        0,
        null,
        `Agent Keychain is not reachable at ${this.baseUrl}: ${err instanceof Error ? err.message : String(err)}. Is it running?`,
      );
    }
    const text = await res.text();
    const parsed = parseJson(text);
    if (!res.ok) {
      const envelope = ErrorEnvelope.safeParse(parsed);
      if (!envelope.success)
        throw invalid(res.status, `an error (HTTP ${res.status})`, envelope.error.issues);
      throw new AgentKeychainError(res.status, envelope.data.error, `HTTP ${res.status} from Agent Keychain`);
    }
    const result = output.safeParse(parsed);
    if (!result.success)
      throw invalid(
        res.status,
        `an answer to ${req.method} ${req.target.split('?')[0] ?? ''}`,
        result.error.issues,
      );
    return result.data;
  }
}

/** Owner-side client (admin credential). */
export class AgentKeychain extends Client {
  constructor(options: { baseUrl?: string; adminToken: string }) {
    super(options.baseUrl, options.adminToken);
  }

  /** Any admin operation of the contract, by name. */
  call<N extends AdminOpName>(name: N, input: OpInput<N>): Promise<OpOutput<N>> {
    return this.send(httpRequestFor(name, input), outputSchema(name));
  }

  readonly vault = {
    status: () => this.call('status', {}),
    init: (input: OpInput<'vaultInit'>) => this.call('vaultInit', input),
    unlock: (passphrase?: string) => this.call('vaultUnlock', passphrase === undefined ? {} : { passphrase }),
    lock: () => this.call('vaultLock', {}),
    /** Unlocks with the recovery code shown once at setup. */
    recover: (code: string) => this.call('vaultRecover', { code }),
    /** Puts the unlocked vault key in a new source (OS keychain or a new passphrase). */
    keySource: (input: OpInput<'vaultKeySource'>) => this.call('vaultKeySource', input),
  };

  readonly providers = {
    list: async () => (await this.call('providersList', {})).providers,
    put: (id: string, input: Omit<OpInput<'providerPut'>, 'id'>) =>
      this.call('providerPut', { id, ...input }),
    delete: (id: string) => this.call('providerDelete', { id }),
  };

  readonly secrets = {
    list: async () => (await this.call('secretsList', {})).secrets,
    put: (name: string, value: string) => this.call('secretPut', { name, value }),
    delete: (name: string) => this.call('secretDelete', { name }),
  };

  readonly agents = {
    create: (input: { name: string; scopes: Scopes; expiresAt?: string }) => this.call('agentCreate', input),
    list: async () => (await this.call('agentsList', {})).agents,
    get: (id: string) => this.call('agentGet', { id }),
    update: (id: string, patch: Omit<OpInput<'agentUpdate'>, 'id'>) =>
      this.call('agentUpdate', { id, ...patch }),
    revoke: (id: string, input: { reason: string; severity: Severity }) =>
      this.call('agentRevoke', { id, ...input }),
    suspend: (id: string, reason?: string) =>
      this.call('agentSuspend', reason === undefined ? { id } : { id, reason }),
    resume: (id: string) => this.call('agentResume', { id }),
    rotate: (id: string) => this.call('agentRotate', { id }),
    revokeAll: (input: { reason: string; severity: Severity }) => this.call('agentsRevokeAll', input),
  };

  readonly approvals = {
    list: async () => (await this.call('approvalsList', {})).approvals,
    approve: (id: string, remember?: { minutes?: number; uses?: number }) =>
      this.call(
        'approvalDecide',
        remember ? { id, decision: 'approve', remember } : { id, decision: 'approve' },
      ),
    deny: (id: string) => this.call('approvalDecide', { id, decision: 'deny' }),
  };

  readonly grants = {
    list: async () => (await this.call('grantsList', {})).grants,
    delete: (id: string) => this.call('grantDelete', { id }),
  };

  readonly audit = {
    list: (query: OpInput<'auditList'> = {}) => this.call('auditList', query),
    verify: (input: OpInput<'auditVerify'> = {}) => this.call('auditVerify', input),
    /** The export as text (JSONL or CSV). */
    export: async (
      format: 'jsonl' | 'csv',
      query: Omit<AuditQuery, 'limit' | 'cursor'> = {},
    ): Promise<string> => {
      const res = await fetch(`${this.baseUrl}/admin/v1/audit/export${queryString({ format, ...query })}`, {
        headers: { authorization: `Bearer ${this.token}` },
      });
      if (!res.ok) {
        const envelope = ErrorEnvelope.safeParse(parseJson(await res.text()));
        if (!envelope.success) throw invalid(res.status, 'an error', envelope.error.issues);
        throw new AgentKeychainError(res.status, envelope.data.error, 'export failed');
      }
      return res.text();
    },
  };
}

export type { WhoAmI, SecretRelease, ApprovalStatusView } from '../shared/contract.ts';

/** Agent-side client (the agent's own credential). */
export class AgentKeychainAgent extends Client {
  constructor(options: { baseUrl?: string; token: string }) {
    super(options.baseUrl, options.token);
  }

  /** Any agent operation of the contract, by name; the answer is validated against the contract. */
  call<N extends AgentOpName>(name: N, input: AgentOpInput<N>): Promise<AgentOpOutput<N>> {
    const def = agentOps[name];
    // Inputs are checked here too, so a bad name or id fails before anything is sent.
    const checked = def.input.safeParse(input);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const path = issue ? formatIssuePath(issue.path) : '';
      return Promise.reject(
        new AgentKeychainError(
          0,
          {
            code: 'bad_request',
            message: `Nothing was sent: ${path || 'the input'} ${issue?.message ?? 'is invalid'}.`,
            path,
          },
          'invalid input',
        ),
      );
    }
    // Agent operations carry everything in the path and query: no body is sent.
    const { method, target } = requestFor(def, checked.data);
    return this.send({ method, target }, agentOutputSchema(name));
  }

  whoami(): Promise<AgentOpOutput<'whoami'>> {
    return this.call('whoami', {});
  }

  readonly secrets = {
    get: (name: string): Promise<AgentOpOutput<'secretGet'>> => this.call('secretGet', { name }),
  };

  readonly approvals = {
    /** Where a request sent with `Prefer: respond-async` stands. */
    status: (id: string): Promise<AgentOpOutput<'approvalStatus'>> => this.call('approvalStatus', { id }),
  };

  /** The base URL to give a provider SDK (OPENAI_BASE_URL, ANTHROPIC_BASE_URL, …). */
  proxyUrl(providerId: string): string {
    return `${this.baseUrl}/v1/proxy/${encodeURIComponent(providerId)}`;
  }
}
