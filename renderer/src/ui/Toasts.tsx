// Results of actions, announced politely; errors assertively.
import type { ReactNode } from 'react';
import { X } from 'lucide-react';
import { useStore } from '../store/store.ts';

export function Toasts(): ReactNode {
  const toasts = useStore((s) => s.toasts);
  const dismiss = useStore((s) => s.dismissToast);
  const info = toasts.filter((t) => t.tone === 'info');
  const errors = toasts.filter((t) => t.tone === 'error');
  const render = (list: typeof toasts): ReactNode =>
    list.map((t) => (
      <div key={t.id} className={`toast toast-${t.tone}`}>
        <span>{t.text}</span>
        <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
          <X size={14} aria-hidden="true" />
        </button>
      </div>
    ));
  return (
    <div className="toasts">
      <div aria-live="polite" aria-atomic="false">
        {render(info)}
      </div>
      <div role="alert" aria-live="assertive">
        {render(errors)}
      </div>
    </div>
  );
}
