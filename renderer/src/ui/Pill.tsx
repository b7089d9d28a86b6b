// Status pills and chips: colour always paired with text (UI brief, visual rules).
import type { ReactNode } from 'react';
import type { AgentStatus, Decision } from '../../../shared/models.ts';
import type { AuditEntry } from '../../../shared/models.ts';
import { outcomeOf } from '../activityQuery.ts';
import { requestOutcome } from '../activityGroups.ts';

const STATUS_LABEL: Record<AgentStatus, string> = {
  active: 'Active',
  suspended: 'Suspended',
  revoked: 'Revoked',
  expired: 'Expired',
};

export function StatusPill({ status }: { status: AgentStatus }): ReactNode {
  return (
    <span className={`pill pill-${status}`}>
      <span className="dot" aria-hidden="true" />
      {STATUS_LABEL[status]}
    </span>
  );
}

export function AgentPill({ name, id }: { name: string | null; id?: string | null }): ReactNode {
  if (!name && !id) return <span className="agent-pill agent-pill-system">system</span>;
  const label = name ?? id ?? '';
  if (id) {
    return (
      <a className="agent-pill" href={`#/agents/${id}`} title={id} onClick={(e) => e.stopPropagation()}>
        {label}
      </a>
    );
  }
  return <span className="agent-pill">{label}</span>;
}

export function OutcomeChip({ decision }: { decision: Decision }): ReactNode {
  const o = outcomeOf(decision);
  return <span className={`chip chip-${o.tone}`}>{o.label}</span>;
}

const NONE: ReadonlySet<string> = new Set();

/** One entry's outcome in the owner's words (denied by you, policy, vault locked, bad key, upstream). */
export function EntryChip({ entry }: { entry: AuditEntry }): ReactNode {
  const o = requestOutcome([entry], NONE);
  return <span className={`chip chip-${o.tone}`}>{o.label}</span>;
}
