// Ctrl/⌘+K: jump to a screen or an agent, revoke an agent, lock the vault. A combobox over a listbox.
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useStore } from '../store/store.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { navigate } from '../ui/hooks.ts';

interface Command {
  id: string;
  label: string;
  hint?: string;
  danger?: boolean;
  run: () => void;
}

export function CommandPalette(): ReactNode {
  const open = useStore((s) => s.paletteOpen);
  const setPalette = useStore((s) => s.setPalette);
  const agents = useStore((s) => s.agents);
  const openRevoke = useStore((s) => s.openRevoke);
  const [q, setQ] = useState('');
  const [index, setIndex] = useState(0);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        useStore.getState().setPalette(!useStore.getState().paletteOpen);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (open) {
      setQ('');
      setIndex(0);
    }
  }, [open]);

  const commands = useMemo<Command[]>(() => {
    const close = (): void => setPalette(false);
    const go = (hash: string) => () => {
      close();
      navigate(hash);
    };
    const list: Command[] = [
      { id: 'nav-agents', label: 'Go to Agents', run: go('#/agents') },
      { id: 'nav-new', label: 'New agent', run: go('#/agents/new') },
      { id: 'nav-approvals', label: 'Go to Approvals', run: go('#/approvals') },
      { id: 'nav-activity', label: 'Go to Activity', run: go('#/activity') },
      { id: 'nav-providers', label: 'Go to Providers & Secrets', run: go('#/providers') },
      { id: 'nav-settings', label: 'Go to Settings', run: go('#/settings') },
    ];
    for (const a of agents)
      list.push({ id: `open-${a.id}`, label: `Open ${a.name}`, hint: a.status, run: go(`#/agents/${a.id}`) });
    for (const a of agents.filter((x) => x.status === 'active' || x.status === 'suspended')) {
      list.push({
        id: `revoke-${a.id}`,
        label: `Revoke ${a.name}…`,
        danger: true,
        run: () => {
          close();
          openRevoke({ agentId: a.id });
        },
      });
    }
    list.push({
      id: 'lock',
      label: 'Lock vault',
      run: () => {
        close();
        void useStore.getState().lockVault();
      },
    });
    return list;
  }, [agents, setPalette, openRevoke]);

  const needle = q.trim().toLowerCase();
  const shown = needle ? commands.filter((c) => c.label.toLowerCase().includes(needle)) : commands;
  const current = shown[Math.min(index, shown.length - 1)];

  const onKeyDown = (e: React.KeyboardEvent): void => {
    if (e.key === 'ArrowDown') setIndex((i) => Math.min(shown.length - 1, i + 1));
    else if (e.key === 'ArrowUp') setIndex((i) => Math.max(0, i - 1));
    else if (e.key === 'Enter') current?.run();
    else return;
    e.preventDefault();
  };

  if (!open) return null;
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
        placeholder="Jump to an agent, revoke, lock…"
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
            {c.hint && <span className="muted small">{c.hint}</span>}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
