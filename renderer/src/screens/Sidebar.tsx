// Left navigation with the approvals badge, and the vault chip with Lock at the bottom.
import type { ReactNode } from 'react';
import {
  Activity,
  Bot,
  KeyRound,
  Keyboard,
  Lock,
  Search,
  Settings,
  ShieldCheck,
  BellRing,
} from 'lucide-react';
import { useStore } from '../store/store.ts';
import type { Route } from '../routes.ts';
import { modKey } from '../ui/hooks.ts';

interface NavItem {
  href: string;
  label: string;
  icon: ReactNode;
  match: (r: Route) => boolean;
  badge?: number;
}

export function Sidebar({ route }: { route: Route }): ReactNode {
  const approvals = useStore((s) => s.approvals.length);
  const status = useStore((s) => s.status);
  const live = useStore((s) => s.live);
  const unreachable = useStore((s) => s.unreachable);
  const lockVault = useStore((s) => s.lockVault);
  const setPalette = useStore((s) => s.setPalette);
  const setShortcuts = useStore((s) => s.setShortcuts);

  const items: NavItem[] = [
    {
      href: '#/agents',
      label: 'Agents',
      icon: <Bot size={16} />,
      match: (r) => r.name === 'agents' || r.name === 'agent-new' || r.name === 'agent-edit',
    },
    {
      href: '#/approvals',
      label: 'Approvals',
      icon: <BellRing size={16} />,
      match: (r) => r.name === 'approvals',
      badge: approvals,
    },
    {
      href: '#/activity',
      label: 'Activity',
      icon: <Activity size={16} />,
      match: (r) => r.name === 'activity',
    },
    {
      href: '#/providers',
      label: 'Providers & Secrets',
      icon: <KeyRound size={16} />,
      match: (r) => r.name === 'providers',
    },
    {
      href: '#/settings',
      label: 'Settings',
      icon: <Settings size={16} />,
      match: (r) => r.name === 'settings',
    },
  ];

  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <ShieldCheck size={18} aria-hidden="true" className="brand-icon" />
        <span>Agent Keychain</span>
      </div>
      <ul className="nav">
        {items.map((item) => {
          const current = item.match(route);
          return (
            <li key={item.href}>
              <a
                href={item.href}
                className={`nav-item ${current ? 'nav-current' : ''}`}
                aria-current={current ? 'page' : undefined}
              >
                <span className="nav-icon" aria-hidden="true">
                  {item.icon}
                </span>
                <span className="nav-label">{item.label}</span>
                {item.badge ? (
                  <span
                    className="badge badge-amber num"
                    data-testid="approvals-badge"
                    aria-label={`${item.badge} waiting`}
                  >
                    {item.badge}
                  </span>
                ) : null}
              </a>
            </li>
          );
        })}
      </ul>
      <div className="sidebar-tools">
        <button
          type="button"
          className="palette-hint"
          onClick={() => setPalette(true)}
          aria-label={`Search and commands (${modKey}+K)`}
          title={`Search and commands (${modKey}+K)`}
          data-testid="open-palette"
        >
          <Search size={14} aria-hidden="true" className="hint-icon" />
          <span className="hint-label">Commands</span>
          <kbd>{modKey}</kbd>
          <kbd>K</kbd>
        </button>
        <button
          type="button"
          className="palette-hint"
          onClick={() => setShortcuts(true)}
          aria-label="Keyboard shortcuts (?)"
          title="Keyboard shortcuts (?)"
          data-testid="open-shortcuts"
        >
          <Keyboard size={14} aria-hidden="true" className="hint-icon" />
          <span className="hint-label">Keyboard shortcuts</span>
          <kbd>?</kbd>
        </button>
      </div>
      <div className="sidebar-foot">
        {live !== 'open' && !unreachable && (
          <div className="conn-note" role="status">
            Reconnecting to the keychain…
          </div>
        )}
        <div
          className={`vault-chip ${unreachable ? 'vault-chip-unknown' : ''}`}
          data-testid="vault-chip"
          data-state={unreachable ? 'unknown' : (status?.vault ?? 'unknown')}
        >
          <span className="vault-state">
            <span className={`dot ${unreachable ? 'dot-grey' : 'dot-green'}`} aria-hidden="true" />
            <span className="vault-text">
              <strong>{unreachable ? 'State unknown' : 'Unlocked'}</strong>
              <span className="muted small">
                {unreachable
                  ? 'Daemon not answering'
                  : status?.keySource === 'passphrase'
                    ? 'Passphrase'
                    : 'OS keychain'}
              </span>
            </span>
          </span>
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => void lockVault()}
            disabled={unreachable}
            aria-label="Lock vault"
            data-testid="lock-vault"
          >
            <Lock size={14} aria-hidden="true" />
            <span className="lock-label">Lock</span>
          </button>
        </div>
      </div>
    </nav>
  );
}
