// Owner operations on agent keys and sessions (admin API and IPC, see shared/contract.ts). Enrolling a
// key gives an agent a new way in, so it is an owner act like creating an agent; ending a session only
// narrows access.
import type { OpOutput, OpParsedInput } from '../../shared/contract.ts';
import type { AgentKeyView } from '../../shared/identity.ts';
import type { Core } from '../core.ts';
import type { Via } from '../daemon-types.ts';
import { AppError } from '../errors.ts';
import { OsKeychain } from '../keychain/os-keychain.ts';
import type { AgentKey } from '../identity/keys.ts';
import { generateAgentKey, saveKeyToKeychain } from '../identity/key-store.ts';
import { publicPart } from '../identity/jwk.ts';
import { sessionView } from './session-control.ts';
import type { ShortLivedCredential } from './session-tokens.ts';

function keyView(key: AgentKey): AgentKeyView {
  return { kid: key.kid, agentId: key.agentId, createdAt: new Date(key.createdAt).toISOString() };
}

/** Audits the end of every session (tokens just lapse; revoke and rotate count them in their entry). */
export function auditSessionEnds(core: Core): void {
  core.shortLived.onEnd = (cred: ShortLivedCredential) => {
    if (cred.kind !== 'session' || cred.ended === null) return;
    const agent = core.agents.find(cred.agentId);
    try {
      core.record({
        actor: 'system',
        action: 'session.ended',
        agentId: cred.agentId,
        agentName: agent?.name ?? null,
        decision: 'event',
        reason: 'session.ended',
        rule: `Session ${cred.id} ended: ${cred.ended.reason}`,
        facts: { sessionId: cred.id, reason: cred.ended.reason, pid: cred.binding?.launcherPid ?? null },
      });
    } catch {
      // The session is over either way; the audit failure shows on the next write.
    }
  };
}

export function sessionOps(core: Core) {
  return {
    async agentEnroll(input: OpParsedInput<'agentEnroll'>, via: Via): Promise<OpOutput<'agentEnroll'>> {
      const agent = core.agents.get(input.id);
      if (agent.status === 'revoked')
        throw new AppError('conflict', `Agent ${agent.name} is revoked; create a new agent instead.`);
      const generated = 'store' in input ? await generateAgentKey(agent) : null;
      const publicKey = generated
        ? publicPart(generated.privateJwk)
        : 'publicKey' in input
          ? input.publicKey
          : null;
      if (publicKey === null)
        throw new AppError('bad_request', 'Send a public key or choose where to keep a new one.');
      // The private key is stored before the public one is registered: no key is enrolled that nobody holds.
      if (generated && 'store' in input && input.store === 'os-keychain')
        await saveKeyToKeychain(new OsKeychain(), generated);
      const now = core.now();
      const key = await core.keys.enroll(agent.id, publicKey, now);
      // A new key ends what the old one minted.
      const ended = core.shortLived.endForAgent(agent.id, 'a new key was enrolled', now);
      core.flush();
      core.record({
        actor: 'owner',
        action: 'agent.key_enrolled',
        agentId: agent.id,
        agentName: agent.name,
        decision: 'event',
        reason: 'agent.key_enrolled',
        rule: `Key ${key.kid} enrolled${generated ? ` (generated, ${'store' in input ? input.store : ''})` : ''}`,
        facts: { via, kid: key.kid, endedShortLived: ended },
      });
      core.bus.emit({ name: 'agent.updated', data: core.agentView(agent) });
      return {
        key: keyView(key),
        ...(generated && 'store' in input && input.store === 'show-once'
          ? { privateKey: generated.privateJwk }
          : {}),
      };
    },

    agentKeys(input: OpParsedInput<'agentKeys'>): OpOutput<'agentKeys'> {
      const agent = core.agents.get(input.id);
      const key = core.keys.current(agent.id);
      return { keys: key ? [keyView(key)] : [] };
    },

    sessionsList(): OpOutput<'sessionsList'> {
      return { sessions: core.shortLived.sessions(core.now()).map((c) => sessionView(core, c)) };
    },

    sessionEnd(input: OpParsedInput<'sessionEnd'>, via: Via): OpOutput<'sessionEnd'> {
      const cred = core.shortLived.get(input.id);
      if (!cred || cred.kind !== 'session') throw new AppError('not_found', `No live session ${input.id}.`);
      const view = sessionView(core, cred);
      core.flush();
      core.shortLived.end(cred.id, `ended by the owner (${via})`, core.now());
      return { session: view };
    },
  };
}
