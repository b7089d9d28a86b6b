// The busy flag and error text of one owner action (a save, an unlock, a confirmation): `run` clears the
// error, marks the action busy, and turns a failure into the error text the form shows.
import { useCallback, useState } from 'react';
import { errorMessage } from '../transport/types.ts';

export interface Action {
  busy: boolean;
  error: string | null;
  setError: (error: string | null) => void;
  /** Runs `fn`; true when it succeeded, false when its error is now shown. */
  run: (fn: () => Promise<unknown>) => Promise<boolean>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (fn: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
