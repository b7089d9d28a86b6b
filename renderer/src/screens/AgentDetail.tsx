// Agent detail: scopes as sentences, limits and usage, active grants, recent activity, lifecycle actions.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Pause, Pencil, Play, RotateCw, X } from 'lucide-react';
import type { AgentView } from '../../../shared/models.ts';
import { useStore } from '../store/store.ts';
import { liveGrants } from '../store/reducers.ts';
import { absoluteTime, formatDuration, relativeTime } from '../format.ts';
import { entryText } from '../activityQuery.ts';
import { errorMessage } from '../transport/types.ts';
import { StatusPill } from '../ui/Pill.tsx';
import { groupEntries, groupNote } from '../activityGroups.ts';
import { Meter } from '../ui/Meter.tsx';
import { useNow } from '../ui/hooks.ts';
import { AgentKeysSessions } from './AgentKeysSessions.tsx';
import { resumeSaying, suspendSaying } from '../agentActions.ts';

const EMPTY: never[] = [];

export function AgentDetail({ agent }: { agent: AgentView }): ReactNode {
  const now = useNow(15_000);
  const grants = useStore((s) => s.grants);
  const activity = useStore((s) => s.agentActivity[agent.id] ?? EMPTY);
  const loadActivity = useStore((s) => s.loadAgentActivity);
  const toast = useStore((s) => s.toast);
  const openRevoke = useStore((s) => s.openRevoke);
  const openRotate = useStore((s) => s.openRotate);
  const removeGrant = useStore((s) => s.removeGrant);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void loadActivity(agent.id);
  }, [agent.id, loadActivity]);

  const mine = liveGrants(grants, now).filter((g) => g.agentId === agent.id);
  // One row per request, as in Activity: decision, hold, answer and result folded together.
  const approvals = useStore((s) => s.approvals);
  const requests = useMemo(
    () => groupEntries(activity, new Set(approvals.map((a) => a.requestId))),
    [activity, approvals],
  );
  const dead = agent.status === 'revoked' || agent.status === 'expired';

  const run = async (fn: () => Promise<unknown>, done: string): Promise<void> => {
    setBusy(true);
    try {
      await fn();
      toast(done);
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  const busyWhile = async (fn: () => Promise<void>): Promise<void> => {
    setBusy(true);
    await fn();
    setBusy(false);
  };
  const suspend = (): Promise<void> => busyWhile(() => suspendSaying(agent));
  const resume = (): Promise<void> => busyWhile(() => resumeSaying(agent));

  return (
    <div className="detail-inner">
      <header className="detail-head">
        <div>
          <h2>{agent.name}</h2>
          <p className="muted small mono">{agent.id}</p>
        </div>
        <StatusPill status={agent.status} />
      </header>

      {agent.status === 'revoked' && (
        <div className="notice notice-red" role="status">
          Revoked {agent.revokedAt ? relativeTime(agent.revokedAt, now) : ''}
          {agent.revokeReason ? ` · “${agent.revokeReason}”` : ''}
          {agent.revokeSeverity ? ` · ${agent.revokeSeverity} severity` : ''}. Its key no longer works.
        </div>
      )}

      <section className="section" aria-labelledby="scopes-h">
        <h3 id="scopes-h">What it can do</h3>
        <ul className="sentences">
          {(agent.scopeSummary.length ? agent.scopeSummary : ['Nothing: every request is refused.']).map(
            (s) => (
              <li key={s}>{s}</li>
            ),
          )}
        </ul>
        <dl className="facts-grid">
          <dt>Expires</dt>
          <dd title={agent.expiresAt ? absoluteTime(agent.expiresAt) : undefined}>
            {agent.expiresAt ? relativeTime(agent.expiresAt, now) : 'Never'}
          </dd>
          <dt>Created</dt>
          <dd title={absoluteTime(agent.createdAt)}>{relativeTime(agent.createdAt, now)}</dd>
          <dt>Last seen</dt>
          <dd title={agent.lastSeenAt ? absoluteTime(agent.lastSeenAt) : undefined}>
            {agent.lastSeenAt ? relativeTime(agent.lastSeenAt, now) : 'Never'}
          </dd>
          <dt>Credential</dt>
          <dd className="mono">{agent.credentialId}</dd>
        </dl>
      </section>

      {agent.usage.length > 0 && (
        <section className="section" aria-labelledby="usage-h">
          <h3 id="usage-h">Limits and usage</h3>
          <div className="meters">
            {agent.usage.map((m) => (
              <div key={m.key}>
                <Meter m={m} wide />
                {m.resetsAt && <p className="muted small">Resets {relativeTime(m.resetsAt, now)}</p>}
              </div>
            ))}
          </div>
        </section>
      )}

      <section className="section" aria-labelledby="grants-h">
        <h3 id="grants-h">Timed approvals</h3>
        {mine.length === 0 ? (
          <p className="muted small">None. Approvals you give “for 15 min” appear here until they run out.</p>
        ) : (
          <ul className="grant-list">
            {mine.map((g) => (
              <li key={g.id} className="grant">
                <span>{g.covers}</span>
                <span className="muted small num">
                  {g.expiresAt ? `${formatDuration(Date.parse(g.expiresAt) - now)} left` : ''}
                  {g.usesLeft !== null ? ` · ${g.usesLeft} uses left` : ''}
                </span>
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={`Remove timed approval: ${g.covers}`}
                  onClick={() => void run(() => removeGrant(g.id), 'Timed approval removed')}
                >
                  <X size={14} aria-hidden="true" />
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>

      <AgentKeysSessions agent={agent} />

      <section className="section" aria-labelledby="recent-h">
        <div className="section-head">
          <h3 id="recent-h">Recent activity</h3>
          <a href={`#/activity?agent=${encodeURIComponent(agent.name)}`} className="link small">
            All activity
          </a>
        </div>
        {activity.length === 0 ? (
          <p className="muted small">No requests yet.</p>
        ) : (
          <ul className="mini-feed">
            {requests.slice(0, 12).map((g) => (
              <li key={g.key} data-testid="agent-activity-row">
                <span className="muted small num" title={absoluteTime(g.head.time)}>
                  {relativeTime(g.head.time, now)}
                </span>
                <span className="mono small">{g.head.action}</span>
                <span className="ellipsis small">
                  {entryText(g.head)}
                  {groupNote(g) && <span className="muted"> · {groupNote(g)}</span>}
                </span>
                <span className={`chip chip-${g.outcome.tone}`}>{g.outcome.label}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      {!dead && (
        <footer className="detail-actions">
          {agent.status === 'suspended' ? (
            <button type="button" className="btn" onClick={() => void resume()} disabled={busy}>
              <Play size={14} aria-hidden="true" /> Resume
            </button>
          ) : (
            <button type="button" className="btn" onClick={() => void suspend()} disabled={busy}>
              <Pause size={14} aria-hidden="true" /> Suspend
            </button>
          )}
          <button
            type="button"
            className="btn"
            onClick={() => openRotate(agent.id)}
            disabled={busy}
            data-testid="rotate"
          >
            <RotateCw size={14} aria-hidden="true" /> Rotate key…
          </button>
          <a href={`#/agents/${agent.id}/edit`} className="btn" data-testid="edit-agent">
            <Pencil size={14} aria-hidden="true" /> Edit
          </a>
          <span className="spacer" />
          <button
            type="button"
            className="btn btn-danger-outline"
            onClick={() => openRevoke({ agentId: agent.id })}
            data-testid="detail-revoke"
          >
            Revoke…
          </button>
        </footer>
      )}
    </div>
  );
}
