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
import { sessionOps } from '../agents/session-ops.ts';
import { recordOwnerEvent } from '../owner-event.ts';
import type { Via } from '../daemon-types.ts';

type Impl = { [N in AdminOpName]: (input: OpParsedInput<N>, via: Via) => Promise<OpOutput<N>> | OpOutput<N> };

function usesProvider(scopes: Scopes, providerId: string, kind: string): boolean {
  if (scopes.providers?.[providerId]) return true;
  if (
    kind === 'resend' &&
    scopes.email &&
    (scopes.email.provider === undefined || scopes.email.provider === providerId)
  )
    return true;
  if (
    kind === 'stripe' &&
    scopes.payments &&
    (scopes.payments.provider === undefined || scopes.payments.provider === providerId)
  )
    return true;
  return false;
}

export function createOps(core: Core, approvals: ApprovalCenter): Impl {
  const status = (): OpOutput<'status'> => core.status(approvals.count());
  const emitVault = (): void => core.bus.emit('vault.state', status());
  const lifecycle = (
    action: string,
    rule: string,
    facts: Record<string, unknown>,
    agent?: { id: string; name: string },
  ): void => {
    recordOwnerEvent(core, { action, rule, facts, agent });
  };
  const activeNames = (pred: (scopes: Scopes) => boolean): string[] =>
    core.agents
      .list()
      .filter((a) => a.status !== 'revoked' && pred(a.scopes))
      .map((a) => a.name);

  return {
    status,

    async vaultInit(input, via) {
      await core.vault.init(input);
      lifecycle(
        'vault.initialized',
        `Vault key kept in ${input.keySource === 'os-keychain' ? 'the OS keychain' : 'a passphrase'}`,
        { via, keySource: input.keySource },
      );
      emitVault();
      return status();
    },

    async vaultUnlock(input, via) {
      await core.vault.unlock(input.passphrase);
      lifecycle('vault.unlocked', 'Vault unlocked', { via });
      emitVault();
      return status();
    },

    vaultLock(_input, via) {
      core.vault.lock();
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
      const replaced = core.providers.find(input.id) !== undefined;
      const record = core.atomically(() => {
        const r = core.providers.put(
          {
            id: input.id,
            kind: input.kind,
            baseUrl,
            key: input.key,
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
          .map((s) => ({ ...s, usedBy: activeNames((sc) => sc.vault?.readOnly.includes(s.name) ?? false) })),
      };
    },

    secretPut(input, via) {
      const record = core.atomically(() => {
        const r = core.secrets.put(input.name, input.value, new Date(core.now()).toISOString());
        lifecycle('secret.stored', `Secret ${input.name} stored (${r.hint})`, { via, secret: input.name });
        return r;
      });
      return { ...record, usedBy: activeNames((sc) => sc.vault?.readOnly.includes(input.name) ?? false) };
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
      core.bus.emit('agent.updated', view);
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
        const updated = core.agents.update(input.id, patch, core.now());
        core.record({
          actor: 'owner',
          action: 'agent.changed',
          agentId: updated.id,
          agentName: updated.name,
          decision: 'event',
          reason: 'agent.changed',
          rule: `Changed: ${Object.keys(patch).join(', ') || 'nothing'}`,
          facts: {
            via,
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
      core.bus.emit('agent.updated', view);
      return view;
    },

    agentRevoke(input, via) {
      const { agent, cut } = revokeAgent(core, approvals, input.id, input.reason, input.severity, via);
      return { agent: core.agentView(agent), cut };
    },

    agentSuspend(input, via) {
      const { agent, cut } = suspendAgent(core, approvals, input.id, input.reason, via);
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
          cut += revokeAgent(core, approvals, agent.id, input.reason, input.severity, via).cut;
        } catch (err) {
          if (!(err instanceof AppError) || err.code !== 'audit_unavailable') throw err;
          unaudited.push(agent.name);
        }
        revoked += 1;
      }
      if (unaudited.length > 0) {
        throw new AppError(
          'audit_unavailable',
          `All ${revoked} agents are revoked, but the audit entries for ${unaudited.join(', ')} could not be written. Check the disk and the data directory, then look at the audit log.`,
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
      if (agent) core.bus.emit('agent.updated', core.agentView(agent));
      return { deleted: true as const };
    },

    auditList(input) {
      return core.audit.query(input);
    },

    auditVerify(input) {
      return core.audit.verify({ full: input.mode === 'full' });
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
