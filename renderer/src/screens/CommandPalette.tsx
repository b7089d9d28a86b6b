// Ctrl/⌘+K: every screen, agent and action of the console in one searchable list: go to a screen, add an
// agent or a provider, open / suspend / resume / rotate / revoke an agent (rotate and revoke through the same
// confirmations as their buttons), verify or export the audit, lock the vault, the shortcut sheet.
// A combobox over a listbox.
import { useMemo, useRef, useState, type ReactNode } from 'react';
import type { AgentView } from '../../../shared/models.ts';
import { useStore } from '../store/store.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { navigate } from '../ui/hooks.ts';
import { resumeSaying, suspendSaying } from '../agentActions.ts';
import { searchActivity } from './Shortcuts.tsx';

interface Command {
  id: string;
  label: string;
  hint?: string;
  danger?: boolean;
  run: () => void;
}

interface CommandActions {
  go: (hash: string) => void;
  openRevoke: (agentId: string) => void;
  openRotate: (agentId: string) => void;
}

/** The commands for one agent that its state allows. */
function agentCommands(a: AgentView, act: CommandActions): Command[] {
  const list: Command[] = [
    { id: `open-${a.id}`, label: `Open ${a.name}`, hint: a.status, run: () => act.go(`#/agents/${a.id}`) },
  ];
  if (a.status !== 'active' && a.status !== 'suspended') return list;
  list.push({ id: `edit-${a.id}`, label: `Edit ${a.name}`, run: () => act.go(`#/agents/${a.id}/edit`) });
  if (a.status === 'active')
    list.push({ id: `suspend-${a.id}`, label: `Suspend ${a.name}`, run: () => void suspendSaying(a) });
  else list.push({ id: `resume-${a.id}`, label: `Resume ${a.name}`, run: () => void resumeSaying(a) });
  list.push(
    { id: `rotate-${a.id}`, label: `Rotate the key of ${a.name}…`, run: () => act.openRotate(a.id) },
    { id: `revoke-${a.id}`, label: `Revoke ${a.name}…`, danger: true, run: () => act.openRevoke(a.id) },
  );
  return list;
}

export function CommandPalette(): ReactNode {
  const open = useStore((s) => s.paletteOpen);
  // Mounted afresh at each opening, so the query and the highlight start empty. (A reset in an effect ran
  // after the first render and could wipe what was typed at once after Ctrl+K.)
  return open ? <PaletteDialog /> : null;
}

function PaletteDialog(): ReactNode {
  const setPalette = useStore((s) => s.setPalette);
  const agents = useStore((s) => s.agents);
  const [q, setQ] = useState('');
  const [index, setIndex] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  const commands = useMemo<Command[]>(() => {
    const s = (): ReturnType<typeof useStore.getState> => useStore.getState();
    // Every command closes the palette first, so the dialog it opens (or the screen it shows) gets the focus.
    const closing = (fn: () => void) => (): void => {
      s().setPalette(false);
      fn();
    };
    const go = (hash: string) => closing(() => navigate(hash));
    const act: CommandActions = {
      go: (hash) => navigate(hash),
      openRevoke: (agentId) => s().openRevoke({ agentId }),
      openRotate: (agentId) => s().openRotate(agentId),
    };
    const list: Command[] = [
      { id: 'nav-agents', label: 'Go to Agents', run: go('#/agents') },
      { id: 'nav-approvals', label: 'Go to Approvals', run: go('#/approvals') },
      { id: 'nav-activity', label: 'Go to Activity', run: go('#/activity') },
      { id: 'nav-providers', label: 'Go to Providers & Secrets', run: go('#/providers') },
      { id: 'nav-settings', label: 'Go to Settings', run: go('#/settings') },
      { id: 'add-agent', label: 'Add agent (new key)', run: go('#/agents/new') },
      { id: 'add-provider', label: 'Add provider (master key)', run: go('#/providers?add=provider') },
      { id: 'add-secret', label: 'Add secret', run: go('#/providers?add=secret') },
      { id: 'search', label: 'Search activity', hint: '/', run: closing(searchActivity) },
      { id: 'verify', label: 'Verify the audit chain', run: closing(() => void s().checkChain()) },
      {
        id: 'export-jsonl',
        label: 'Export activity as JSON Lines',
        hint: 'current filter',
        run: closing(() => void s().exportAudit('jsonl')),
      },
      {
        id: 'export-csv',
        label: 'Export activity as CSV',
        hint: 'current filter',
        run: closing(() => void s().exportAudit('csv')),
      },
    ];
    for (const a of agents) for (const c of agentCommands(a, act)) list.push({ ...c, run: closing(c.run) });
    list.push(
      { id: 'lock', label: 'Lock vault', run: closing(() => void s().lockVault()) },
      {
        id: 'shortcuts',
        label: 'Keyboard shortcuts',
        hint: '?',
        run: closing(() => s().setShortcuts(true)),
      },
    );
    return list;
  }, [agents]);

  // Every typed word must appear in the label, in any order ("rotate keys" finds "Rotate the key of keys-bot…").
  const words = q.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const shown = words.length
    ? commands.filter((c) => words.every((w) => c.label.toLowerCase().includes(w)))
    : commands;
  const current = shown[Math.min(index, shown.length - 1)];

  const onKeyDown = (e: React.KeyboardEvent): void => {
    if (e.key === 'ArrowDown') setIndex((i) => Math.min(shown.length - 1, i + 1));
    else if (e.key === 'ArrowUp') setIndex((i) => Math.max(0, i - 1));
    else if (e.key === 'Enter') current?.run();
    else return;
    e.preventDefault();
  };

  return (
    <Dialog
      open
      onCancel={() => setPalette(false)}
      labelledBy="palette-label"
      initialFocus={input}
      className="dialog-palette"
      testId="command-palette"
    >
      <label id="palette-label" className="sr-only" htmlFor="palette-input">
        Search commands and agents
      </label>
      <input
        id="palette-input"
        ref={input}
        className="palette-input"
        role="combobox"
        aria-expanded="true"
        aria-controls="palette-list"
        aria-activedescendant={current ? `cmd-${current.id}` : undefined}
        placeholder="Type a command or an agent’s name…"
        value={q}
        onChange={(e) => {
          setQ(e.target.value);
          setIndex(0);
        }}
        onKeyDown={onKeyDown}
        autoComplete="off"
      />
      <ul id="palette-list" role="listbox" className="palette-list" aria-label="Commands">
        {shown.length === 0 && <li className="muted palette-empty">No matches.</li>}
        {shown.map((c, i) => (
          <li
            key={c.id}
            id={`cmd-${c.id}`}
            role="option"
            aria-selected={c === current}
            className={`palette-item ${c === current ? 'palette-item-on' : ''} ${c.danger ? 'text-red' : ''}`}
            onMouseEnter={() => setIndex(i)}
            onClick={() => c.run()}
          >
            <span>{c.label}</span>
            {c.hint &&
              (c.hint.length === 1 ? <kbd>{c.hint}</kbd> : <span className="muted small">{c.hint}</span>)}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
