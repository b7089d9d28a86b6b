// Where the vault key lives, changed while unlocked: offered right after a recovery-code unlock, and in
// Settings. The key itself stays the same, so every stored key and the recovery code keep working.
import { type SyntheticEvent, useState, type ReactNode } from 'react';
import { useStore } from '../store/store.ts';
import { errorMessage } from '../transport/types.ts';
import { Dialog } from '../ui/Dialog.tsx';

export function KeySourceForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }): ReactNode {
  const setKeySource = useStore((s) => s.setKeySource);
  const toast = useStore((s) => s.toast);
  const [source, setSource] = useState<'os-keychain' | 'passphrase'>('os-keychain');
  const [pass, setPass] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    setError(null);
    if (source === 'passphrase') {
      if (pass.length < 12) return setError('Use at least 12 characters.');
      if (pass !== confirm) return setError('The two passphrases differ.');
    }
    setBusy(true);
    try {
      await setKeySource(
        source === 'passphrase'
          ? { keySource: 'passphrase', passphrase: pass }
          : { keySource: 'os-keychain' },
      );
      toast(
        source === 'passphrase'
          ? 'The vault now opens with the new passphrase'
          : 'The vault key is now in the OS keychain',
      );
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack-sm" onSubmit={(e) => void submit(e)} data-testid="key-source-form">
      <fieldset className="choice-group">
        <legend className="sr-only">New key source</legend>
        <label className={`choice ${source === 'os-keychain' ? 'choice-on' : ''}`}>
          <input
            type="radio"
            name="ks"
            checked={source === 'os-keychain'}
            onChange={() => setSource('os-keychain')}
          />
          <span>
            <strong>OS keychain</strong>
            <span className="choice-help">A new entry in this machine’s keychain; unlocks by itself.</span>
          </span>
        </label>
        <label className={`choice ${source === 'passphrase' ? 'choice-on' : ''}`}>
          <input
            type="radio"
            name="ks"
            checked={source === 'passphrase'}
            onChange={() => setSource('passphrase')}
            data-testid="key-source-passphrase"
          />
          <span>
            <strong>New passphrase</strong>
            <span className="choice-help">The old passphrase stops working.</span>
          </span>
        </label>
      </fieldset>
      {source === 'passphrase' && (
        <div className="row-2">
          <label className="field">
            <span>New passphrase</span>
            <input
              type="password"
              autoComplete="new-password"
              value={pass}
              onChange={(e) => setPass(e.target.value)}
            />
          </label>
          <label className="field">
            <span>Confirm</span>
            <input
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          </label>
        </div>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-foot">
        <button type="button" className="btn" onClick={onCancel} data-testid="key-source-later">
          Later
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="key-source-save">
          {busy ? 'Saving…' : 'Use this key source'}
        </button>
      </div>
    </form>
  );
}

/** After a recovery-code unlock: the old key source is lost or forgotten, so offer a new one at once. */
export function KeySourceOffer(): ReactNode {
  const offer = useStore((s) => s.offerKeySource);
  const dismiss = useStore((s) => s.dismissKeySourceOffer);
  if (!offer) return null;
  return (
    <Dialog open onCancel={dismiss} labelledBy="ks-title" describedBy="ks-desc" testId="key-source-offer">
      <div className="dialog-body">
        <h2 id="ks-title">Unlocked with your recovery code</h2>
        <p id="ks-desc">
          Set a new place for the vault key now, so the next start does not need the recovery code again. Your
          provider keys, secrets and the recovery code stay as they are.
        </p>
        <KeySourceForm onDone={dismiss} onCancel={dismiss} />
      </div>
    </Dialog>
  );
}
