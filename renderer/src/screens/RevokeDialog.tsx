// Revoke confirmation: names the action, says the consequence, asks reason and severity, and shows the
// agent revoked at once. Friction scales with damage: no type-the-name here (UI brief).
import { type SyntheticEvent, useEffect, useRef, useState, type ReactNode } from 'react';
import type { Severity } from '../../../shared/models.ts';
import { useStore } from '../store/store.ts';
import { errorMessage } from '../transport/types.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { navigate } from '../ui/hooks.ts';
import { cutText } from '../agentActions.ts';
import { FormError } from '../ui/FormError.tsx';

const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high'];

export function RevokeDialog(): ReactNode {
  const target = useStore((s) => s.revokeTarget);
  const agent = useStore((s) => s.agents.find((a) => a.id === target?.agentId) ?? null);
  const openRevoke = useStore((s) => s.openRevoke);
  const revokeAgent = useStore((s) => s.revokeAgent);
  const toast = useStore((s) => s.toast);
  const [reason, setReason] = useState('');
  const [severity, setSeverity] = useState<Severity>('medium');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reasonRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    setReason(target?.reason ?? '');
    setSeverity(target?.severity ?? 'medium');
    setError(null);
  }, [target]);

  if (!target || !agent) return null;
  const close = (): void => openRevoke(null);

  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    if (!reason.trim()) {
      setError('Say why, in a few words. It goes into the audit log.');
      reasonRef.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const cut = await revokeAgent(agent.id, reason.trim(), severity);
      close();
      // Keep the revoked agent selected (it sorts last; without this the list would jump to another one).
      if (window.location.hash.startsWith('#/agents')) navigate(`#/agents/${agent.id}`);
      toast(`${agent.name} revoked${cutText(cut)}`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onCancel={close}
      role="alertdialog"
      labelledBy="revoke-title"
      describedBy="revoke-desc"
      initialFocus={reasonRef}
      testId="revoke-dialog"
    >
      <form onSubmit={(e) => void submit(e)} className="dialog-body">
        <h2 id="revoke-title">Revoke {agent.name}</h2>
        <p id="revoke-desc">
          Its key stops working now; requests in flight are cut, its waiting approvals are denied and its
          timed approvals are removed. You can create a new agent later. Other agents are not affected.
        </p>
        <label className="field">
          <span>Reason</span>
          <textarea
            ref={reasonRef}
            rows={2}
            required
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="e.g. sent mail it should not have"
            aria-invalid={!!error && !reason.trim()}
            data-testid="revoke-reason"
          />
        </label>
        <fieldset className="segmented" aria-label="Severity">
          <legend>Severity</legend>
          <div className="segmented-row">
            {SEVERITIES.map((s) => (
              <label key={s} className={`segment ${severity === s ? 'segment-on' : ''}`}>
                <input
                  type="radio"
                  name="severity"
                  value={s}
                  checked={severity === s}
                  onChange={() => setSeverity(s)}
                  data-testid={`revoke-severity-${s}`}
                />
                {s[0]?.toUpperCase()}
                {s.slice(1)}
              </label>
            ))}
          </div>
        </fieldset>
        <FormError error={error} />
        <div className="dialog-foot">
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={busy} data-testid="revoke-confirm">
            {busy ? 'Revoking…' : 'Revoke now'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
