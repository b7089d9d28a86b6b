// The daemon's own audit (AuditLog + Transactions, keyed chain, group commit) on a fresh data directory,
// for the floor proxy (floor.ts), and the entries it writes per request, shaped like the daemon's.
import { randomBytes } from 'node:crypto';
import { AuditLog } from '../../../core/audit/log.ts';
import type { AuditInput } from '../../../core/audit/types.ts';
import { openDatabase } from '../../../core/storage/db.ts';
import { Transactions } from '../../../core/storage/transactions.ts';

/** What one request hands the audit: enough to build its entries. */
export interface FloorRequest {
  requestId: string;
  model: string | null;
}

export interface FloorAudit {
  /** Resolves once the request's decision entry is committed (the daemon forwards only then). */
  decision(request: FloorRequest): Promise<unknown>;
  /** The outcome entry: rides with the next group commit, nothing waits on it. */
  outcome(request: FloorRequest, status: number, latencyMs: number): void;
}

/** The audit in the data directory `dir` (the caller creates and removes it). */
export async function openFloorAudit(dir: string): Promise<FloorAudit> {
  const db = openDatabase(dir);
  const audit = new AuditLog(db);
  await audit.useKey(randomBytes(32));
  const tx = new Transactions(db, audit, () => undefined);
  return {
    decision: (request) => tx.grouped((unit) => unit.record(decisionEntry(request))),
    outcome: (request, status, latencyMs) =>
      void tx.later(outcomeEntry(request, status, latencyMs)).catch(() => undefined),
  };
}

/** The fields both entries of one proxied chat request carry, as the daemon writes them. */
function base(requestId: string) {
  return {
    actor: 'agent' as const,
    agentId: 'agt_floor0000000000',
    agentName: 'floor',
    action: 'llm.request',
    provider: 'openai',
    method: 'POST',
    path: '/chat/completions',
    requestId,
    caller: null,
  };
}

/** The decision entry, with the facts the daemon writes for a chat request. */
function decisionEntry({ requestId, model }: FloorRequest): AuditInput {
  return {
    ...base(requestId),
    facts: {
      action: 'llm.request',
      method: 'POST',
      model,
      path: '/chat/completions',
      providerId: 'openai',
      providerKind: 'openai',
      type: 'proxy',
    },
    decision: 'allow',
    reason: 'allowed',
    rule: 'providers.openai',
  };
}

/** The outcome entry. */
function outcomeEntry({ requestId }: FloorRequest, status: number, latencyMs: number): AuditInput {
  return {
    ...base(requestId),
    action: 'llm.request.result',
    decision: status < 400 ? 'allow' : 'error',
    reason: 'forwarded',
    status,
    latencyMs,
  };
}
