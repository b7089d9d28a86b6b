// Rotate key: the one confirmation for every way in (the agent's button, the command palette), since it
// breaks the running agent; then the new key, shown once, in the same dialog. The token lives only here.
import { useEffect, useState, type ReactNode } from 'react';
import { useStore } from '../store/store.ts';
import { errorMessage } from '../transport/types.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { CredentialOnce } from './CredentialOnce.tsx';

export function RotateDialog(): ReactNode {
  const target = useStore((s) => s.rotateTarget);
  const agent = useStore((s) => s.agents.find((a) => a.id === target) ?? null);
  const openRotate = useStore((s) => s.openRotate);
  const rotateAgent = useStore((s) => s.rotateAgent);
  const toast = useStore((s) => s.toast);
  const [token, setToken] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setToken(null);
    setError(null);
  }, [target]);

  if (!target || !agent) return null;
  const close = (): void => {
    setToken(null);
    openRotate(null);
  };
  const rotate = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      setToken(await rotateAgent(agent.id));
      toast(`New key for ${agent.name}; the old one stopped working`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (token)
    return (
      <Dialog
        open
        onCancel={close}
        labelledBy="rotated-title"
        className="dialog-wide"
        testId="rotated-dialog"
      >
        <CredentialOnce
          agent={agent}
          token={token}
          onDone={close}
          title={`New key for ${agent.name}`}
          headingId="rotated-title"
        />
      </Dialog>
    );
  return (
    <Dialog
      open
      onCancel={close}
      role="alertdialog"
      labelledBy="rotate-title"
      describedBy="rotate-desc"
      testId="rotate-dialog"
    >
      <div className="dialog-body">
        <h2 id="rotate-title">Rotate the key of {agent.name}</h2>
        <p id="rotate-desc">
          Its current key stops working now and requests in flight are cut: the running agent fails until you
          give it the new key, which is shown once. Scopes, limits and history stay.
        </p>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-foot">
          <button type="button" className="btn" onClick={close} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => void rotate()}
            disabled={busy}
            data-testid="rotate-confirm"
          >
            {busy ? 'Rotating…' : 'Rotate key'}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
