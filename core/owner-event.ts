// The one rule for auditing what the owner did (fail closed). The entry is written right after the change;
// when it cannot be written the caller gets audit_unavailable, so the owner sees it where they acted (API,
// window, tray, CLI) — never only a line on stderr. A narrowing act (revoke, suspend, rotate) has already
// removed access when its entry is written, and that is never undone: the error says so.
import type { Core } from './core.ts';
import { AppError } from './errors.ts';
import type { AuditEntry } from '../shared/models.ts';

export interface OwnerEvent {
  action: string;
  rule: string;
  facts: Record<string, unknown>;
  agent?: { id: string; name: string } | undefined;
}

/**
 * Audits an owner act as a `decision: "event"` entry. `alreadyDone` names a narrowing act that stays in
 * force whatever happens here (e.g. "research-bot is revoked"); it is put in the error for the owner.
 */
export function recordOwnerEvent(core: Core, event: OwnerEvent, alreadyDone?: string): AuditEntry {
  // Owner events never share a commit with agent requests: close the open group first.
  core.flush();
  try {
    return core.record({
      actor: 'owner',
      action: event.action,
      decision: 'event',
      reason: event.action,
      rule: event.rule,
      facts: event.facts,
      agentId: event.agent?.id ?? null,
      agentName: event.agent?.name ?? null,
    });
  } catch (err) {
    if (alreadyDone === undefined) throw err;
    const why = err instanceof AppError ? err.message : 'the audit log could not be written';
    throw new AppError(
      'audit_unavailable',
      `${alreadyDone}, but the audit entry for it could not be written (${why}). Check the disk and the data directory, then look at the audit log.`,
    );
  }
}
