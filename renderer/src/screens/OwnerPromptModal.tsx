// An owner prompt (a command line asking for an owner session, an act from a CLI session to confirm, a
// second start asking for a console link) opens as a modal alertdialog over any screen, the vault screens
// included. It names the calling process as the daemon resolved it from the socket, never what the caller
// claims (README "Owner sessions and presence"). Deny has the initial focus: Enter alone never grants.
import { useId, useRef, useState, type ReactNode } from 'react';
import { useStore } from '../store/store.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { OWNER_SESSION_MINUTES, type OwnerPromptView } from '../../../shared/owner.ts';
import { errorMessage } from '../transport/types.ts';

const TITLES: Record<OwnerPromptView['kind'], string> = {
  session: 'A command line asks for owner access',
  act: 'Confirm an owner act from the command line',
  'console-link': 'A process asks for a console sign-in link',
};

export function OwnerPromptModal(): ReactNode {
  const prompts = useStore((s) => s.ownerPrompts);
  const decide = useStore((s) => s.decideOwnerPrompt);
  const toast = useStore((s) => s.toast);
  const head = prompts[0] ?? null;
  const denyRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const descId = useId();
  const [busy, setBusy] = useState(false);
  if (!head) return null;

  const answer = (decision: 'allow' | 'deny', minutes?: number): void => {
    setBusy(true);
    decide(head.id, decision, minutes)
      .catch((err: unknown) => toast(errorMessage(err), 'error'))
      .finally(() => setBusy(false));
  };
  const { process: proc } = head;
  return (
    <Dialog
      key={head.id}
      open
      onCancel={() => answer('deny')}
      role="alertdialog"
      labelledBy={titleId}
      describedBy={descId}
      initialFocus={denyRef}
      className="dialog-prompt"
      testId={`owner-prompt-${head.id}`}
    >
      <h2 id={titleId} className="prompt-title">
        {TITLES[head.kind]}
      </h2>
      <p id={descId} className="prompt-why">
        {head.summary}
      </p>
      <dl className="facts-grid small">
        <dt>Process</dt>
        <dd>
          {proc.pid !== null ? `pid ${proc.pid}` : 'pid unknown'}
          {proc.command ? (
            <>
              {' · '}
              <code className="mono proc-command">{proc.command}</code>
            </>
          ) : null}
        </dd>
        {proc.parents.length > 0 && (
          <>
            <dt>Started by</dt>
            <dd>
              {proc.parents.map((p) => (
                <div key={p.pid}>
                  pid {p.pid} · <code className="mono proc-command">{p.command}</code>
                </div>
              ))}
            </dd>
          </>
        )}
        {proc.note && (
          <>
            <dt>Note</dt>
            <dd>{proc.note}</dd>
          </>
        )}
        <dt>Asks until</dt>
        <dd>{new Date(head.expiresAt).toLocaleTimeString()}</dd>
      </dl>
      <p className="small muted">
        Allow only if you started this yourself. An agent running as you could ask too.
      </p>
      <div className="prompt-foot">
        <button
          ref={denyRef}
          type="button"
          className="btn btn-deny"
          disabled={busy}
          onClick={() => answer('deny')}
        >
          Deny
        </button>
        {head.kind === 'session' ? (
          OWNER_SESSION_MINUTES.map((m) => (
            <button
              key={m}
              type="button"
              className="btn btn-primary"
              disabled={busy}
              onClick={() => answer('allow', m)}
            >
              Allow for {m} min
            </button>
          ))
        ) : (
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => answer('allow')}>
            Allow
          </button>
        )}
      </div>
      {prompts.length > 1 && <p className="small muted">{prompts.length - 1} more waiting</p>}
    </Dialog>
  );
}
