import { useState, type ReactNode } from 'react';
import { Check, Copy } from 'lucide-react';

/** Copies text to the clipboard and says so; the text itself is never logged. */
export function CopyButton({ text, label = 'Copy', testId }: { text: string; label?: string; testId?: string }): ReactNode {
  const [done, setDone] = useState(false);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard API unavailable (insecure context): fall back to a hidden textarea.
      const ta = document.createElement('textarea');
      ta.value = text;
      ta.setAttribute('readonly', '');
      ta.style.position = 'fixed';
      ta.style.opacity = '0';
      document.body.append(ta);
      ta.select();
      document.execCommand('copy');
      ta.remove();
    }
    setDone(true);
    setTimeout(() => setDone(false), 1600);
  };
  return (
    <button type="button" className="btn btn-sm" onClick={() => void copy()} data-testid={testId}>
      {done ? <Check size={14} aria-hidden="true" /> : <Copy size={14} aria-hidden="true" />}
      <span>{done ? 'Copied' : label}</span>
    </button>
  );
}
