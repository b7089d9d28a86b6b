// The console's global keys (⌘/Ctrl+K palette, `?` this sheet, `/` activity search) and the `?` sheet
// listing every shortcut. The sheet is a modal dialog: focus stays inside, Esc closes it.
import { useEffect, useRef, type ReactNode } from 'react';
import { useStore } from '../store/store.ts';
import { SHORTCUTS, plainKeyAllowed } from '../shortcuts.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { modKey, navigate } from '../ui/hooks.ts';

/** Goes to Activity and puts the cursor in its search. */
export function searchActivity(): void {
  useStore.getState().focusSearch();
  if (!window.location.hash.startsWith('#/activity')) navigate('#/activity');
}

function useGlobalKeys(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const s = useStore.getState();
      if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        s.setPalette(!s.paletteOpen);
        return;
      }
      const dialogOpen = document.querySelector('dialog[open]') !== null;
      if (!plainKeyAllowed(e, e.target instanceof Element ? e.target : null, dialogOpen)) return;
      if (e.key === '?') {
        e.preventDefault();
        s.setShortcuts(true);
      } else if (e.key === '/') {
        e.preventDefault();
        searchActivity();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

export function Shortcuts(): ReactNode {
  useGlobalKeys();
  const open = useStore((s) => s.shortcutsOpen);
  const setShortcuts = useStore((s) => s.setShortcuts);
  const close = useRef<HTMLButtonElement>(null);
  if (!open) return null;
  return (
    <Dialog
      open
      onCancel={() => setShortcuts(false)}
      labelledBy="shortcuts-title"
      initialFocus={close}
      className="dialog-shortcuts"
      testId="shortcut-sheet"
    >
      <div className="dialog-body">
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <table className="shortcut-table">
          <thead>
            <tr>
              <th scope="col">Keys</th>
              <th scope="col">Does</th>
            </tr>
          </thead>
          <tbody>
            {SHORTCUTS.map((k) => (
              <tr key={`${k.keys.join('+')}-${k.where ?? ''}`}>
                <td className="shortcut-keys">
                  {k.keys.map((key, i) => (
                    <span key={key}>
                      {i > 0 && (k.either ? <span> or </span> : <span aria-hidden="true">+</span>)}
                      <kbd>{key === 'mod' ? modKey : key}</kbd>
                    </span>
                  ))}
                </td>
                <td>
                  {k.does}
                  {k.where && <span className="muted small"> · {k.where}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">
          Every action is also in the command palette; everything is reachable with Tab and Enter.
        </p>
        <div className="dialog-foot">
          <button
            type="button"
            ref={close}
            className="btn"
            onClick={() => setShortcuts(false)}
            data-testid="shortcuts-close"
          >
            Close
          </button>
        </div>
      </div>
    </Dialog>
  );
}
