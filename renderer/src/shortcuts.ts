// Every keyboard shortcut of the console, in one list, shown by the `?` sheet. `mod` is ⌘ on macOS, Ctrl
// elsewhere. The global keys are bound in screens/Shortcuts.tsx, the prompt's in ApprovalPrompt.tsx.

export interface Shortcut {
  /** The keys pressed together ("mod" stands for ⌘ or Ctrl). */
  keys: readonly string[];
  does: string;
  /** Where it applies, when not everywhere. */
  where?: string;
  /** The keys are alternatives ("↑ or ↓"), not pressed together. */
  either?: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['mod', 'K'], does: 'Open the command palette: every screen, agent and action' },
  { keys: ['?'], does: 'Show this list of shortcuts' },
  { keys: ['/'], does: 'Search the activity log (goes to Activity)' },
  { keys: ['Esc'], does: 'Close a dialog, the palette or this list' },
  { keys: ['↑', '↓'], either: true, does: 'Move through the commands', where: 'Command palette' },
  { keys: ['Enter'], does: 'Run the highlighted command', where: 'Command palette' },
  {
    keys: ['mod', 'Enter'],
    does: 'Approve (ignored during the prompt’s first second)',
    where: 'Approval prompt',
  },
  { keys: ['Esc'], does: 'Deny', where: 'Approval prompt' },
];

/**
 * Whether a plain-key shortcut (`?`, `/`) may act on this key event: not while typing in a field, not with
 * a modifier held, not while a dialog (a prompt, the palette) has the screen.
 */
export function plainKeyAllowed(
  e: Pick<KeyboardEvent, 'ctrlKey' | 'metaKey' | 'altKey'>,
  target: Element | null,
  dialogOpen: boolean,
): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey || dialogOpen) return false;
  if (!target) return true;
  const tag = target.tagName;
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return false;
  return !(target instanceof HTMLElement && target.isContentEditable);
}
