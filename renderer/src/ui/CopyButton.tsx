import { useState, type ReactNode } from 'react';
import { Check, Copy } from 'lucide-react';

/** Copies text to the clipboard and says so; the text itself is never logged. */
export function CopyButton({
  text,
  label = 'Copy',
  testId,
}: {
  text: string;
  label?: string;
  testId?: string;
}): ReactNode {
  const [done, setDone] = useState(false);
  const [failed, setFailed] = useState(false);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setDone(true);
    } catch {
      // No clipboard access (e.g. an insecure context): the text stays selectable on screen.
      setFailed(true);
      setTimeout(() => setFailed(false), 2400);
      return;
    }
    setTimeout(() => setDone(false), 1600);
  };
  return (
    <button type="button" className="btn btn-sm" onClick={() => void copy()} data-testid={testId}>
      {done ? <Check size={14} aria-hidden="true" /> : <Copy size={14} aria-hidden="true" />}
      <span>{done ? 'Copied' : failed ? 'Select and copy' : label}</span>
    </button>
  );
}
