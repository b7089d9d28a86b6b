// Fresh presence for sensitive owner acts. Inside a CLI owner session, approving, creating or widening an
// agent, adding keys and exporting the audit still ask the owner (a prompt in the app/console naming the
// act, or the vault passphrase); narrowing acts never need more than the session.
import type { IncomingMessage } from 'node:http';
import type { AdminOpName } from '../../shared/contract.ts';
import { classifyAct } from '../../shared/owner.ts';
import type { Core } from '../core.ts';
import type { ApprovalCenter } from '../approvals/center.ts';
import { AppError } from '../errors.ts';
import type { OwnerCaller } from './context.ts';
import { PASSPHRASE_HEADER, type OwnerPlane } from './plane.ts';
import { processInfo } from './tree.ts';

function str(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : '';
}

/** The act in one sentence, as the owner will see it in the prompt. */
export function describeAct(
  name: AdminOpName | 'auditExport',
  input: Record<string, unknown>,
  core: Core,
  approvals: ApprovalCenter,
): string {
  const agentName = (): string => {
    const a = core.agents.find(str(input['id']));
    return a ? `${a.name} (${a.id})` : str(input['id']);
  };
  switch (name) {
    case 'approvalDecide': {
      const held = approvals.list().find((a) => a.id === input['id']);
      const remember = input['remember'] as { minutes?: number; uses?: number } | undefined;
      const span = remember
        ? ` and remember it${remember.minutes ? ` for ${remember.minutes} min` : ''}${remember.uses ? ` for ${remember.uses} uses` : ''}`
        : ' once';
      return held
        ? `Approve${span}: ${held.agentName} — ${held.summary} (held: ${held.reason})`
        : `Approve held request ${str(input['id'])}${span}`;
    }
    case 'agentCreate':
      return `Create agent "${str(input['name'])}" with scopes ${JSON.stringify(input['scopes'] ?? {})}`;
    case 'agentUpdate':
      return `Change agent ${agentName()}: ${[
        input['scopes'] !== undefined ? `scopes → ${JSON.stringify(input['scopes'])}` : '',
        input['expiresAt'] !== undefined ? `expiry → ${str(input['expiresAt']) || 'never'}` : '',
      ]
        .filter(Boolean)
        .join('; ')}`;
    case 'agentResume':
      return `Resume agent ${agentName()} (its credential works again)`;
    case 'agentRotate':
      return `Issue a new credential for agent ${agentName()}`;
    case 'providerPut':
      return `${core.providers.find(str(input['id'])) ? 'Replace the key of' : 'Add'} provider ${str(input['id'])} (${str(input['kind'])})${input['baseUrl'] ? ` at ${str(input['baseUrl'])}` : ''}`;
    case 'secretPut':
      return `Store secret ${str(input['name'])}`;
    case 'auditExport':
      return `Export the audit log (${str(input['format']) || 'jsonl'})`;
    case 'vaultInit':
      return 'Initialize the vault';
    case 'vaultUnlock':
      return 'Unlock the vault from the OS keychain';
    default:
      return `Run ${name}`;
  }
}

/**
 * Lets the act through, or asks for presence, or refuses. Callers with presence (window, tray, signed-in
 * console tab, in-process code, the opt-in token file) pass; a CLI session passes for reads and narrowing.
 */
export async function requirePresenceFor(
  deps: { core: Core; approvals: ApprovalCenter; owner: OwnerPlane },
  caller: OwnerCaller,
  name: AdminOpName | 'auditExport',
  input: Record<string, unknown>,
  req: IncomingMessage,
): Promise<void> {
  // A passphrase is presence only where it opens the vault: an OS-keychain vault ignores it and unlocks anyway.
  const cls =
    name === 'vaultUnlock' && deps.core.vault.keySource !== 'passphrase'
      ? 'sensitive'
      : classifyAct(name, input);
  if (caller.presence || cls === 'read' || cls === 'narrow') return;
  if (cls === 'presence-only') {
    deps.owner.audit('owner.act.refused', 'deny', 'presence_required', `${name} from an akc session`, {
      sessionId: caller.sessionId,
      op: name,
    });
    throw new AppError(
      'presence_required',
      'Owner prompts are answered only in the Agent Keychain app or a signed-in console, never from an akc session.',
    );
  }
  const summary = describeAct(name, input, deps.core, deps.approvals);
  const pass = req.headers[PASSPHRASE_HEADER];
  if (typeof pass === 'string' && pass.length > 0) {
    const passphrase = Buffer.from(pass, 'base64url').toString('utf8');
    await deps.owner.passphrasePresence(passphrase, summary);
    deps.owner.audit('owner.act.confirmed', 'allow', 'passphrase', summary, {
      sessionId: caller.sessionId,
      op: name,
    });
    return;
  }
  const ctrl = new AbortController();
  const onClose = (): void => ctrl.abort();
  req.socket.once('close', onClose);
  try {
    const outcome = await deps.owner.ask(
      'act',
      summary,
      caller.pid === null ? { pid: null, command: null, parents: [], note: null } : processInfo(caller.pid),
      {
        op: name,
        ...(caller.sessionId !== null ? { sessionId: caller.sessionId } : {}),
        signal: ctrl.signal,
      },
    );
    if (outcome.decision !== 'allow') {
      deps.owner.audit('owner.act.denied', 'deny', outcome.decision, summary, {
        sessionId: caller.sessionId,
        op: name,
      });
      throw new AppError(
        'owner_denied',
        outcome.decision === 'timeout'
          ? 'Nobody confirmed this in the app or the console in time. Nothing was changed.'
          : 'The owner did not confirm this act. Nothing was changed.',
      );
    }
    deps.owner.audit('owner.act.confirmed', 'allow', 'owner_allowed', summary, {
      sessionId: caller.sessionId,
      op: name,
    });
  } finally {
    req.socket.off('close', onClose);
  }
}
