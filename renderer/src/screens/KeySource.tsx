// Where the vault key lives, changed while unlocked: offered right after a recovery-code unlock, and in
// Settings. The key itself stays the same, so every stored key and the recovery code keep working.
import { type SyntheticEvent, type ReactNode } from 'react';
import { useStore } from '../store/store.ts';
import { useAction } from '../ui/useAction.ts';
import { useKeySource, type KeySourceChoice } from './KeySourceFields.tsx';
import { Dialog } from '../ui/Dialog.tsx';
import { FormError } from '../ui/FormError.tsx';

const CHOICES: readonly KeySourceChoice[] = [
  {
    value: 'os-keychain',
    title: 'OS keychain',
    help: 'A new entry in this machine’s keychain; unlocks by itself.',
  },
  {
    value: 'passphrase',
    title: 'New passphrase',
    help: 'The old passphrase stops working.',
    testId: 'key-source-passphrase',
  },
];

export function KeySourceForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }): ReactNode {
  const setKeySource = useStore((s) => s.setKeySource);
  const toast = useStore((s) => s.toast);
  const { busy, error, setError, run } = useAction();
  // An error belongs to the choice it came from.
  const ks = useKeySource('os-keychain', () => setError(null));
  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    if (!ks.ready()) return;
    if (!(await run(() => setKeySource(ks.input())))) return;
    toast(
      ks.source === 'passphrase'
        ? 'The vault now opens with the new passphrase'
        : 'The vault key is now in the OS keychain',
    );
    onDone();
  };
  return (
    <form className="stack-sm" onSubmit={(e) => void submit(e)} data-testid="key-source-form">
      {ks.fields({ name: 'ks', legend: 'New key source', choices: CHOICES, passLabel: 'New passphrase' })}
      <FormError error={error} />
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
