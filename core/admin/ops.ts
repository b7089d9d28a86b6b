// Implementations of the admin operations in shared/contract.ts. The HTTP admin API and the Electron IPC
// bridge both come here through dispatch(), which validates the input against the contract first.
// Every operation here is an owner action: callers must have checked the admin credential or the IPC sender.
import type { AdminOpName, OpOutput, OpParsedInput } from '../../shared/contract.ts';
import { adminOps } from '../../shared/contract.ts';
import type { Core } from '../core.ts';
import type { ApprovalCenter } from '../approvals/center.ts';
import { parseInput } from '../server/validate.ts';
import { AppError } from '../errors.ts';
import { ADAPTERS } from '../providers/registry.ts';
import { resumeAgent, revokeAgent, rotateAgent, suspendAgent } from '../agents/lifecycle.ts';
import type { Scopes } from '../../shared/scopes.ts';
import type { OwnerPlane } from '../owner/plane.ts';
import { usesProvider, usesSecret } from '../../shared/uses.ts';
import { changeSummary } from '../../shared/scope-diff.ts';
import { describeAgentChange } from '../agents/change.ts';
import { testConnection } from './provider-test.ts';
import { sessionOps } from '../agents/session-ops.ts';
import { recordOwnerEvent } from '../owner-event.ts';
import type { Via } from '../daemon-types.ts';

type Impl = { [N in AdminOpName]: (input: OpParsedInput<N>, via: Via) => Promise<OpOutput<N>> | OpOutput<N> };

export function createOps(core: Core, approvals: ApprovalCenter, owner: OwnerPlane): Impl {
  const status = (): OpOutput<'status'> => core.status(approvals.count());
  const emitVault = (): void => core.bus.emit({ name: 'vault.state', data: status() });
  const lifecycle = (
    action: string,
    rule: string,
    facts: Record<string, unknown>,
    agent?: { id: string; name: string },
  ): void => {
    recordOwnerEvent(core, { action, rule, facts, agent });
  };
  /** A failed unlock is on the record (never the passphrase or code tried), then the error goes back. */
  const failedUnlock = (action: string, err: unknown, via: Via): void => {
    try {
      core.flush();
      core.record({
        actor: 'owner',
        action,
        decision: 'deny',
        reason: err instanceof AppError ? err.code : 'error',
        rule: err instanceof AppError ? err.message : 'The vault could not be unlocked.',
        facts: { via },
      });
    } catch {
      // The refusal still reaches the caller even if the audit cannot be written.
    }
  };
  /** Unlocks the vault with `open` (passphrase or recovery code): audited either way, then the new status. */
  const openVault = async (
    audit: { failed: string; done: string; rule: string },
    via: Via,
    open: () => Promise<void> | void,
  ): Promise<OpOutput<'status'>> => {
    try {
      await open();
    } catch (err) {
      failedUnlock(audit.failed, err, via);
      throw err;
    }
    lifecycle(audit.done, audit.rule, { via });
    emitVault();
    return status();
  };
  const activeNames = (pred: (scopes: Scopes) => boolean): string[] =>
    core.agents
      .list()
      .filter((a) => a.status !== 'revoked' && pred(a.scopes))
      .map((a) => a.name);

  return {
    status,

    async vaultInit(input, via) {
      const { recoveryCode } = await core.vault.init(input);
      lifecycle(
        'vault.initialized',
        `Vault key kept in ${input.keySource === 'os-keychain' ? 'the OS keychain' : 'a passphrase'}; recovery code issued (shown once, not stored)`,
        { via, keySource: input.keySource },
      );
      emitVault();
      // The only time the recovery code leaves the core; it is not stored anywhere.
      return { ...status(), recoveryCode };
    },

    vaultUnlock: (input, via) =>
      openVault({ failed: 'vault.unlock_failed', done: 'vault.unlocked', rule: 'Vault unlocked' }, via, () =>
        core.vault.unlock(input.passphrase),
      ),

    vaultRecover: (input, via) =>
      openVault(
        {
          failed: 'vault.recover_failed',
          done: 'vault.recovered',
          rule: 'Vault unlocked with the recovery code',
        },
        via,
        () => core.vault.recover(input.code),
      ),

    async vaultKeySource(input, via) {
      const before = core.vault.keySource;
      await core.vault.setKeySource(input);
      lifecycle(
        'vault.key_source_changed',
        `Vault key now kept in ${input.keySource === 'os-keychain' ? 'the OS keychain' : 'a new passphrase'} (was ${before ?? 'none'}); the recovery code still works`,
        { via, keySource: input.keySource, previous: before },
      );
      emitVault();
      return status();
    },

    vaultLock(_input, via) {
      core.vault.lock();
      // Lock means locked: every CLI owner session and waiting owner prompt ends with it.
      owner.endAll('vault_locked');
      lifecycle('vault.locked', 'Vault locked; agent requests are refused until it is unlocked', { via });
      emitVault();
      return status();
    },

    providersList() {
      const agents = core.agents.list();
      return {
        providers: core.providers.list().map((p) => ({
          ...p,
          usedBy: agents
            .filter((a) => a.status !== 'revoked' && usesProvider(a.scopes, p.id, p.kind))
            .map((a) => a.name),
        })),
      };
    },

    providerPut(input, via) {
      const adapter = ADAPTERS[input.kind];
      const baseUrl = (input.baseUrl ?? adapter.defaultBaseUrl).replace(/\/+$/, '');
      if (baseUrl === '')
        throw new AppError('bad_request', 'A generic http provider needs a baseUrl.', { path: 'baseUrl' });
      const existing = core.providers.find(input.id);
      const key = input.key;
      if (key === undefined) {
        // Without a key, only an existing provider's address changes; its stored key stays sealed as it is.
        if (!existing)
          throw new AppError('bad_request', `Provider ${input.id} is new: give its master key.`, {
            path: 'key',
          });
        if (existing.kind !== input.kind)
          throw new AppError('bad_request', 'Changing the kind of a provider needs its key again.', {
            path: 'key',
          });
        const record = core.atomically(() => {
          const r = core.providers.updateEndpoint(
            input.id,
            { baseUrl, authHeader: input.authHeader ?? null, authPrefix: input.authPrefix ?? null },
            new Date(core.now()).toISOString(),
          );
          lifecycle(
            'provider.changed',
            `${input.kind} provider ${input.id} now at ${baseUrl} (was ${existing.baseUrl}); key ${r.keyHint} kept`,
            { via, provider: input.id, kind: input.kind, baseUrl, previousBaseUrl: existing.baseUrl },
          );
          return r;
        });
        return { ...record, usedBy: activeNames((s) => usesProvider(s, record.id, record.kind)) };
      }
      const replaced = existing !== undefined;
      const record = core.atomically(() => {
        const r = core.providers.put(
          {
            id: input.id,
            kind: input.kind,
            baseUrl,
            key,
            authHeader: input.authHeader ?? null,
            authPrefix: input.authPrefix ?? null,
          },
          new Date(core.now()).toISOString(),
        );
        lifecycle(
          replaced ? 'provider.key_replaced' : 'provider.added',
          `${input.kind} provider ${input.id} at ${baseUrl}, key ${r.keyHint}`,
          { via, provider: input.id, kind: input.kind },
        );
        return r;
      });
      return { ...record, usedBy: activeNames((s) => usesProvider(s, record.id, record.kind)) };
    },

    async providerTest(input, via) {
      const provider = core.providers.find(input.id);
      if (!provider) throw new AppError('not_found', `No provider with id ${input.id}.`);
      const result = await testConnection(provider, () => core.providers.masterKey(input.id));
      // The test uses the master key upstream, so it is on the record like any other use.
      lifecycle(
        'provider.tested',
        `${result.checked}: ${result.ok ? 'connected' : 'failed'}${result.status !== null ? ` (HTTP ${result.status})` : ''}`,
        { via, provider: input.id, ok: result.ok, status: result.status },
      );
      return result;
    },

    providerDelete(input, via) {
      core.atomically(() => {
        core.providers.delete(input.id);
        lifecycle('provider.removed', `Provider ${input.id} and its key were removed`, {
          via,
          provider: input.id,
        });
      });
      return { deleted: true as const };
    },

    secretsList() {
      return {
        secrets: core.secrets
          .list()
          .map((s) => ({ ...s, usedBy: activeNames((sc) => usesSecret(sc, s.name)) })),
      };
    },

    secretPut(input, via) {
      const record = core.atomically(() => {
        const r = core.secrets.put(input.name, input.value, new Date(core.now()).toISOString());
        lifecycle('secret.stored', `Secret ${input.name} stored (${r.hint})`, { via, secret: input.name });
        return r;
      });
      return { ...record, usedBy: activeNames((sc) => usesSecret(sc, input.name)) };
    },

    secretDelete(input, via) {
      core.atomically(() => {
        core.secrets.delete(input.name);
        lifecycle('secret.removed', `Secret ${input.name} removed`, { via, secret: input.name });
      });
      return { deleted: true as const };
    },

    agentsList() {
      return { agents: core.agents.list().map((a) => core.agentView(a)) };
    },

    agentCreate(input, via) {
      const expiresAt = input.expiresAt === undefined ? null : Date.parse(input.expiresAt);
      if (expiresAt !== null && expiresAt <= core.now())
        throw new AppError('bad_request', 'expiresAt is in the past.', { path: 'expiresAt' });
      const { agent, token } = core.atomically(() => {
        const created = core.agents.create(input.name, input.scopes, expiresAt, core.now());
        core.record({
          actor: 'owner',
          action: 'agent.created',
          agentId: created.agent.id,
          agentName: created.agent.name,
          decision: 'event',
          reason: 'agent.created',
          rule: `Credential ${created.agent.credentialId} issued`,
          facts: { via, scopes: input.scopes, expiresAt: input.expiresAt ?? null },
        });
        return created;
      });
      const view = core.agentView(agent);
      core.bus.emit({ name: 'agent.updated', data: view });
      return { agent: view, token };
    },

    agentGet(input) {
      return core.agentView(core.agents.get(input.id));
    },

    agentUpdate(input, via) {
      const patch: { name?: string; scopes?: Scopes; expiresAt?: number | null } = {};
      if (input.name !== undefined) patch.name = input.name;
      if (input.scopes !== undefined) patch.scopes = input.scopes;
      if (input.expiresAt !== undefined)
        patch.expiresAt = input.expiresAt === null ? null : Date.parse(input.expiresAt);
      const agent = core.atomically(() => {
        const before = core.agents.get(input.id);
        const updated = core.agents.update(input.id, patch, core.now());
        // The entry names the change itself ("openai models: + gpt-4.1, openai budget $2.00 → $5.00 a day"),
        // so the record says what was widened or narrowed, not only that something changed.
        const change = describeAgentChange(before, updated);
        core.record({
          actor: 'owner',
          action: 'agent.changed',
          agentId: updated.id,
          agentName: updated.name,
          decision: 'event',
          reason: 'agent.changed',
          rule: `Changed: ${changeSummary(change.changes)}`,
          facts: {
            via,
            changes: change.changes.map((c) => c.text),
            widens: change.widens,
            ...(input.scopes ? { scopes: input.scopes } : {}),
            ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
          },
        });
        return updated;
      });
      // Changed scopes start afresh: first-use approvals and remembered grants were given for the old ones.
      if (patch.scopes !== undefined) {
        approvals.grants.deleteForAgent(agent.id);
        // Requests held under the old scopes are denied; the agent asks again under the new ones.
        approvals.cancelAgent(agent.id);
      }
      const view = core.agentView(agent);
      core.bus.emit({ name: 'agent.updated', data: view });
      return view;
    },

    agentRevoke(input, via) {
      const { agent, cut } = revokeAgent(core, approvals, input, via);
      return { agent: core.agentView(agent), cut };
    },

    agentSuspend(input, via) {
      const { agent, cut } = suspendAgent(core, approvals, input, via);
      return { agent: core.agentView(agent), cut };
    },

    agentResume(input, via) {
      const { agent, cut } = resumeAgent(core, input.id, via);
      return { agent: core.agentView(agent), cut };
    },

    agentRotate(input, via) {
      const { agent, token, cut } = rotateAgent(core, approvals, input.id, via);
      return { agent: core.agentView(agent), token, cut };
    },

    agentsRevokeAll(input, via) {
      let revoked = 0;
      let cut = 0;
      // The panic button revokes every agent even when an audit entry cannot be written; the owner is
      // told which entries are missing (core/owner-event.ts).
      const unaudited: string[] = [];
      for (const agent of core.agents.list()) {
        if (agent.status === 'revoked') continue;
        try {
          cut += revokeAgent(
            core,
            approvals,
            { id: agent.id, reason: input.reason, severity: input.severity },
            via,
          ).cut;
        } catch (err) {
          if (!(err instanceof AppError) || err.code !== 'audit_unavailable') throw err;
          unaudited.push(agent.name);
        }
        revoked += 1;
      }
      if (unaudited.length > 0) {
        const unsaved = core.agents.unsavedCount;
        throw new AppError(
          'audit_unavailable',
          `All ${revoked} agents are revoked, but the audit entries for ${unaudited.join(', ')} could not be written. Check the disk and the data directory, then look at the audit log.` +
            (unsaved > 0
              ? ` ${unsaved} of the revocations are not written to the database yet either (another program may hold it open): Agent Keychain writes them again every few seconds, and a restart before then would undo them.`
              : ''),
        );
      }
      return { revoked, cut };
    },

    ...sessionOps(core),

    approvalsList() {
      return { approvals: approvals.list() };
    },

    approvalDecide(input, via) {
      return approvals.decide(input.id, input.decision, input.remember, via);
    },

    grantsList() {
      return { grants: approvals.grants.all(core.now()).map((g) => approvals.grantView(g)) };
    },

    grantDelete(input, via) {
      const grant = approvals.grants.find(input.id);
      if (!grant) throw new AppError('not_found', `No remembered approval ${input.id}.`);
      const agent = core.agents.find(grant.agentId);
      // The removal and its audit entry are one transaction: no removal without its entry, nor the reverse.
      core.atomically(() => {
        lifecycle('grant.removed', `Removed: ${grant.covers}`, { via, grantId: grant.id }, agent);
        approvals.grants.delete(input.id);
      });
      if (agent) core.bus.emit({ name: 'agent.updated', data: core.agentView(agent) });
      return { deleted: true as const };
    },

    auditList(input) {
      core.flush(); // outcome entries held for the next group commit are shown too
      return core.audit.query(input);
    },

    auditVerify(input) {
      core.flush();
      return core.audit.verify({ full: input.mode === 'full' });
    },

    ownerSessionsList() {
      return { sessions: owner.listSessions() };
    },

    ownerSessionEnd(input) {
      if (!owner.endSession(input.id, 'ended'))
        throw new AppError('not_found', `No live owner session ${input.id} (it may have ended already).`);
      return { deleted: true as const };
    },

    ownerPromptsList() {
      return { prompts: owner.listPrompts() };
    },

    ownerPromptDecide(input, via) {
      const prompt = owner.listPrompts().find((p) => p.id === input.id);
      owner.decide(input.id, input.decision, input.minutes);
      lifecycle(
        input.decision === 'allow' ? 'owner.prompt.allowed' : 'owner.prompt.denied',
        `${input.decision === 'allow' ? 'Allowed' : 'Denied'}: ${prompt?.summary ?? input.id}`,
        {
          via,
          promptId: input.id,
          kind: prompt?.kind ?? null,
          pid: prompt?.process.pid ?? null,
          minutes: input.minutes ?? null,
        },
      );
      return { id: input.id, decision: input.decision };
    },
  };
}

/** Validates raw input against the contract, then runs the operation. */
export async function dispatch<N extends AdminOpName>(
  impl: Impl,
  name: N,
  raw: unknown,
  via: Via,
): Promise<OpOutput<N>> {
  const def = adminOps[name];
  const input = parseInput(def.input, raw) as OpParsedInput<N>;
  const fn = impl[name] as (input: OpParsedInput<N>, via: Via) => Promise<OpOutput<N>> | OpOutput<N>;
  return await fn(input, via);
}

export type AdminImpl = Impl;
