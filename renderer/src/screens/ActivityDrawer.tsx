// One audit entry in full: facts, how policy decided, the chain link, copy as JSON, shortcuts to the agent.
import { useEffect, useRef, type ReactNode } from 'react';
import { X } from 'lucide-react';
import type { AuditEntry } from '../../../shared/models.ts';
import { useStore } from '../store/store.ts';
import { entryText, outcomeOf } from '../activityQuery.ts';
import { absoluteTime, formatUsd } from '../format.ts';
import { OutcomeChip } from '../ui/Pill.tsx';
import { CopyButton } from '../ui/CopyButton.tsx';

export function ActivityDrawer({ entry: e, onClose }: { entry: AuditEntry; onClose: () => void }): ReactNode {
  const agent = useStore((s) => (e.agentId ? s.agents.find((a) => a.id === e.agentId) : undefined));
  const openRevoke = useStore((s) => s.openRevoke);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => closeRef.current?.focus(), [e.seq]);

  const rows: [string, ReactNode][] = [
    ['When', absoluteTime(e.time)],
    ['Who acted', e.actor],
    ['Outcome', `${outcomeOf(e.decision).label}${e.reason ? ` · ${e.reason}` : ''}`],
  ];
  if (e.rule) rows.push(['Rule', <span className="mono">{e.rule}</span>]);
  if (e.provider) rows.push(['Provider', e.provider]);
  if (e.method || e.path)
    rows.push(['Call', <span className="mono">{[e.method, e.path].filter(Boolean).join(' ')}</span>]);
  if (e.status !== null) rows.push(['Status', String(e.status)]);
  if (e.latencyMs !== null) rows.push(['Latency', `${e.latencyMs} ms`]);
  if (e.costUsd !== null) rows.push(['Cost', formatUsd(e.costUsd)]);
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
          <p className="muted small num">#{e.seq}</p>
          <h2 id="drawer-title" className="mono">
            {e.action}
          </h2>
          <p className="small">{entryText(e)}</p>
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
        <OutcomeChip decision={e.decision} />
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
        <CopyButton text={JSON.stringify(e, null, 2)} label="Copy as JSON" testId="copy-entry" />
      </div>
    </aside>
  );
}
