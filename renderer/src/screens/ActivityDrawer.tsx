// One request in full: its entries as a timeline (decision, approval, result), then the deciding entry's
// facts, how policy decided, the caller process, the chain link, copy as JSON, shortcuts to the agent.
import { useEffect, useRef, type ReactNode } from 'react';
import { X } from 'lucide-react';
import type { AuditEntry } from '../../../shared/models.ts';
import { useStore } from '../store/store.ts';
import { entryText } from '../activityQuery.ts';
import type { ActivityGroup } from '../activityGroups.ts';
import { absoluteTime, formatUsd } from '../format.ts';
import { EntryChip } from '../ui/Pill.tsx';
import { CopyButton } from '../ui/CopyButton.tsx';

/** The calling process the daemon stored with the entry: "python3 · pid 4312 · python3 agent.py". */
function processOf(e: AuditEntry): string | null {
  const c = e.caller;
  if (!c) return null;
  return [c.exe, `pid ${c.pid}`, c.cmdline].filter((x): x is string => !!x).join(' · ');
}

export function ActivityDrawer({ group, onClose }: { group: ActivityGroup; onClose: () => void }): ReactNode {
  const e = group.outcome.by;
  const caller = group.entries.map(processOf).find((x) => x !== null) ?? null;
  const agent = useStore((s) => (e.agentId ? s.agents.find((a) => a.id === e.agentId) : undefined));
  const openRevoke = useStore((s) => s.openRevoke);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), [group.key]);

  const rows: [string, ReactNode][] = [
    ['When', absoluteTime(e.time)],
    ['Who acted', e.actor],
    ['Outcome', `${group.outcome.label}${e.reason ? ` · ${e.reason}` : ''}`],
  ];
  if (caller) rows.push(['Caller', <span className="mono">{caller}</span>]);
  if (e.rule) rows.push(['Rule', <span className="mono">{e.rule}</span>]);
  if (e.provider) rows.push(['Provider', e.provider]);
  if (e.method || e.path)
    rows.push(['Call', <span className="mono">{[e.method, e.path].filter(Boolean).join(' ')}</span>]);
  if (e.status !== null) rows.push(['Status', String(e.status)]);
  if (e.latencyMs !== null) rows.push(['Latency', `${e.latencyMs} ms`]);
  if (group.costUsd !== null) rows.push(['Cost', formatUsd(group.costUsd)]);
  if (e.requestId) rows.push(['Request id', <span className="mono">{e.requestId}</span>]);

  return (
    <aside
      className="drawer"
      aria-labelledby="drawer-title"
      data-testid="activity-drawer"
      onKeyDown={(k) => {
        if (k.key === 'Escape') {
          k.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="drawer-head">
        <div>
          <p className="muted small num">
            #{group.head.seq}
            {group.entries.length > 1 ? `–${group.seq}` : ''}
          </p>
          <h2 id="drawer-title" className="mono">
            {group.head.action}
          </h2>
          <p className="small">{entryText(group.head)}</p>
        </div>
        <button
          ref={closeRef}
          type="button"
          className="icon-btn"
          aria-label="Close details"
          onClick={onClose}
        >
          <X size={16} aria-hidden="true" />
        </button>
      </header>
      <div className="drawer-body">
        <span className={`chip chip-${group.outcome.tone}`}>{group.outcome.label}</span>
        {group.entries.length > 1 && (
          <ol className="timeline" aria-label="What happened" data-testid="request-timeline">
            {group.entries.map((x) => (
              <li key={x.seq}>
                <span className="muted small num" title={absoluteTime(x.time)}>
                  #{x.seq}
                </span>
                <span className="mono small">{x.action}</span>
                <EntryChip entry={x} />
                <span className="small ellipsis" title={x.rule ?? undefined}>
                  {x.reason ?? ''}
                  {x.status !== null ? ` · ${x.status}` : ''}
                </span>
              </li>
            ))}
          </ol>
        )}
        {e.agentId && (
          <div className="drawer-agent">
            <a href={`#/agents/${e.agentId}`} className="agent-pill">
              {e.agentName ?? e.agentId}
            </a>
            {agent && agent.status !== 'revoked' && agent.status !== 'expired' && (
              <button
                type="button"
                className="btn btn-sm btn-danger-outline"
                onClick={() => openRevoke({ agentId: agent.id })}
                aria-label={`Revoke ${agent.name}`}
              >
                Revoke
              </button>
            )}
          </div>
        )}
        <dl className="facts-grid">
          {rows.map(([k, v]) => (
            <div key={k} className="contents">
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        {e.facts && (
          <>
            <h3 className="small">Facts</h3>
            <pre className="json">{JSON.stringify(e.facts, null, 2)}</pre>
          </>
        )}
        <h3 className="small">Chain</h3>
        <dl className="facts-grid">
          <dt>Hash</dt>
          <dd className="mono hash">{e.hash}</dd>
          <dt>Previous</dt>
          <dd className="mono hash">{e.prevHash}</dd>
        </dl>
        <CopyButton
          text={JSON.stringify(group.entries.length > 1 ? group.entries : e, null, 2)}
          label="Copy as JSON"
          testId="copy-entry"
        />
      </div>
    </aside>
  );
}
