// The approval prompt, the product's signature moment. Fail closed: Deny is the default and the initial
// focus, timeout denies, keys are ignored for the first second, Approve needs Ctrl/⌘+Enter, Esc denies and
// plain Enter does nothing. A timed grant says what it covers under its button.
import { useEffect, useId, useRef, useState, type ReactNode, type RefObject } from 'react';
import { ChevronDown, Ellipsis, TriangleAlert, Clock } from 'lucide-react';
import type { ApprovalView } from '../../../shared/models.ts';
import { useStore } from '../store/store.ts';
import { absoluteTime, formatCountdown, formatDuration, relativeTime } from '../format.ts';
import { coversText, processLine } from '../approvalText.ts';
import { entryText } from '../activityQuery.ts';
import { errorMessage, TransportError } from '../transport/types.ts';
import { AgentPill, OutcomeChip } from '../ui/Pill.tsx';
import { Meter } from '../ui/Meter.tsx';
import { MenuButton } from '../ui/Menu.tsx';
import { modKey } from '../ui/hooks.ts';
import { FormError } from '../ui/FormError.tsx';

const KEY_GRACE_MS = 1000;

export interface PromptIds {
  title: string;
  desc: string;
}

export function usePromptIds(): PromptIds {
  const base = useId();
  return { title: `${base}-title`, desc: `${base}-desc` };
}

function useTick(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

export function ApprovalPrompt(props: {
  approval: ApprovalView;
  ids: PromptIds;
  /** Rendered inside a modal <dialog> that carries the alertdialog role itself. */
  inDialog?: boolean;
  denyRef?: RefObject<HTMLButtonElement | null>;
  autoFocus?: boolean;
  waitingFromAgent?: number;
}): ReactNode {
  const { approval: a, ids, inDialog = false, autoFocus = false, waitingFromAgent = 1 } = props;
  const decide = useStore((s) => s.decide);
  const denyAllFrom = useStore((s) => s.denyAllFrom);
  const openRevoke = useStore((s) => s.openRevoke);
  const ownDeny = useRef<HTMLButtonElement>(null);
  const denyRef = props.denyRef ?? ownDeny;
  const shownAt = useRef(Date.now());
  const [minutes, setMinutes] = useState<15 | 60>(15);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const now = useTick(1000);

  useEffect(() => {
    shownAt.current = Date.now();
    setError(null);
  }, [a.id]);
  useEffect(() => {
    if (autoFocus) denyRef.current?.focus();
  }, [autoFocus, denyRef, a.id]);

  // The countdown is the server's deadline, never paused: at zero the request is denied whatever is shown.
  const remaining = Math.max(0, Date.parse(a.expiresAt) - now);

  const run = async (decision: 'approve' | 'deny', remember?: number): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await decide(a.id, decision, remember);
    } catch (err) {
      setError(
        err instanceof TransportError && err.code === 'not_found'
          ? 'This request is no longer waiting: it was answered or timed out (and was denied).'
          : errorMessage(err),
      );
      setBusy(false);
    }
  };

  const onKeyDown = (e: React.KeyboardEvent): void => {
    if (Date.now() - shownAt.current < KEY_GRACE_MS) {
      // No accidental answers: a key pressed as the prompt appears does nothing (Tab still moves focus).
      if (e.key !== 'Tab') {
        e.preventDefault();
        e.stopPropagation();
      }
      return;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      void run('deny');
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      e.stopPropagation();
      void run('approve');
    } else if (e.key === 'Enter') {
      // Plain Enter never answers a prompt, whatever has focus.
      e.preventDefault();
      e.stopPropagation();
    }
  };

  const p = a.process;
  const body = (
    <>
      <header className="prompt-head">
        <h2 id={ids.title} className="prompt-title">
          {a.summary}
        </h2>
        {a.count > 1 && (
          <span
            className="badge badge-neutral num"
            title={`${a.count} requests, answered together`}
            data-testid="approval-count"
          >
            ×{a.count}
          </span>
        )}
      </header>
      <div className="prompt-who">
        <AgentPill name={a.agentName} id={a.agentId} />
        {p.parents.length > 0 || p.note || p.command ? (
          <details className="inline-details">
            <summary className="mono small">{processLine(p)}</summary>
            <div className="popover">
              {p.command && <p className="mono small proc-command">{p.command}</p>}
              {p.note && <p className="small">{p.note}</p>}
              {p.parents.length > 0 && <p className="small muted">Started by</p>}
              {p.parents.length > 0 && (
                <ol className="proc-chain mono small">
                  {p.parents.map((x) => (
                    <li key={x.pid}>
                      {x.command} · pid {x.pid}
                    </li>
                  ))}
                </ol>
              )}
            </div>
          </details>
        ) : (
          <span className="mono small muted">{processLine(p)}</span>
        )}
      </div>
      <p id={ids.desc} className="prompt-why">
        <TriangleAlert size={15} aria-hidden="true" />
        <span>{a.reason}</span>
      </p>
      <div className="prompt-context">
        {a.usage.map((m) => (
          <Meter key={m.key} m={m} wide />
        ))}
        <p className="muted small num">
          <Clock size={12} aria-hidden="true" /> Waiting {formatDuration(now - Date.parse(a.createdAt))}
        </p>
      </div>
      <details className="prompt-details">
        <summary>Details</summary>
        <dl className="facts-grid">
          <dt>Rule</dt>
          <dd className="mono">{a.rule}</dd>
          <dt>Request id</dt>
          <dd className="mono">{a.requestId}</dd>
          {a.facts.type === 'proxy' && (
            <>
              <dt>Call</dt>
              <dd className="mono">
                {a.facts.method} {a.facts.providerId}
                {a.facts.path}
              </dd>
            </>
          )}
          <dt>Asked</dt>
          <dd title={absoluteTime(a.createdAt)}>{relativeTime(a.createdAt, now)}</dd>
        </dl>
        <pre className="json">{JSON.stringify(a.facts, null, 2)}</pre>
        {a.recent.length > 0 && (
          <>
            <h3 className="small">Recent activity of {a.agentName}</h3>
            <ul className="mini-feed">
              {a.recent.slice(0, 5).map((e) => (
                <li key={e.seq}>
                  <span className="muted small">{relativeTime(e.time, now)}</span>
                  <span className="mono small">{e.action}</span>
                  <span className="ellipsis small">{entryText(e)}</span>
                  <OutcomeChip decision={e.decision} />
                </li>
              ))}
            </ul>
          </>
        )}
      </details>
      <FormError error={error} />
      <footer className="prompt-foot">
        <button
          ref={denyRef}
          type="button"
          className="btn btn-deny"
          onClick={() => void run('deny')}
          disabled={busy}
          data-testid="deny"
        >
          Deny
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => void run('approve')}
          disabled={busy}
          data-testid="approve-once"
          aria-keyshortcuts="Control+Enter Meta+Enter"
        >
          Approve once
        </button>
        <div className="approve-timed">
          <div className="split-btn">
            <button
              type="button"
              className="btn"
              onClick={() => void run('approve', minutes)}
              disabled={busy}
              data-testid="approve-15m"
            >
              Approve for {minutes === 15 ? '15 min' : '1 h'}
            </button>
            <MenuButton
              label={<ChevronDown size={14} aria-hidden="true" />}
              ariaLabel="Choose how long"
              className="btn split-toggle"
              align="end"
              up
              items={[
                { label: '15 min', onSelect: () => setMinutes(15), testId: 'approve-duration-15' },
                { label: '1 h', onSelect: () => setMinutes(60), testId: 'approve-duration-60' },
              ]}
            />
          </div>
          <span className="covers small muted">{a.covers ?? coversText(a)}</span>
        </div>
        <span className="spacer" />
        <MenuButton
          label={<Ellipsis size={16} aria-hidden="true" />}
          ariaLabel="More actions"
          className="icon-btn"
          up
          testId="approval-more"
          items={[
            ...(waitingFromAgent > 1
              ? [
                  {
                    label: `Deny all from ${a.agentName}`,
                    onSelect: () => void denyAllFrom(a.agentId),
                    testId: 'deny-all',
                  },
                ]
              : []),
            {
              label: `Deny and revoke ${a.agentName}`,
              danger: true,
              testId: 'deny-and-revoke',
              onSelect: () => {
                void run('deny').then(() =>
                  openRevoke({
                    agentId: a.agentId,
                    reason: 'Denied and revoked from an approval prompt',
                    severity: 'high',
                  }),
                );
              },
            },
          ]}
        />
      </footer>
      <p className="prompt-timer small num" aria-live="off">
        <span className={remaining < 15_000 ? 'text-amber' : 'muted'} data-testid="auto-deny">
          Auto-deny in {formatCountdown(remaining)}
        </span>
        <span className="muted kbd-hints">
          <kbd>Esc</kbd> deny · <kbd>{modKey}</kbd>+<kbd>Enter</kbd> approve once
        </span>
      </p>
    </>
  );

  const handlers = { onKeyDown };

  if (inDialog) {
    return (
      <div className="prompt" {...handlers}>
        {body}
      </div>
    );
  }
  return (
    <div
      className="prompt prompt-card"
      role="alertdialog"
      aria-modal="false"
      aria-labelledby={ids.title}
      aria-describedby={ids.desc}
      data-testid={`approval-${a.id}`}
      {...handlers}
    >
      {body}
    </div>
  );
}
