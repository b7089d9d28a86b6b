// Settings: version and address, Lock vault, and the panic button (revoke all agents).
import { useState, type ReactNode } from 'react';
import { Lock } from 'lucide-react';
import type { Severity } from '../../../shared/models.ts';
import { useStore } from '../store/store.ts';
import { formatCount } from '../format.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { cutText } from '../agentActions.ts';

export function RevokeAllDialog({ onClose }: { onClose: () => void }): ReactNode {
  const call = useStore((s) => s.call);
  const loadAll = useStore((s) => s.loadAll);
  const toast = useStore((s) => s.toast);
  const active = useStore(
    (s) => s.agents.filter((a) => a.status === 'active' || a.status === 'suspended').length,
  );
  const [reason, setReason] = useState('Revoke all agents (panic button)');
  const [severity, setSeverity] = useState<Severity>('high');

  const go = async (): Promise<void> => {
    if (!reason.trim()) throw new Error('Say why, in a few words.');
    const out = await call('agentsRevokeAll', { reason: reason.trim(), severity });
    await loadAll();
    toast(`${formatCount(out.revoked)} agents revoked${cutText(out.cut)}`);
    onClose();
  };

  return (
    <ConfirmDialog
      id="revoke-all"
      title="Revoke all agents"
      description={`Every agent’s key stops working now (${formatCount(active)} ${active === 1 ? 'agent' : 'agents'}). Requests in flight are cut and waiting approvals are denied. This cannot be undone: you will create new agents afterwards. Your provider keys are not touched.`}
      action="Revoke all agents"
      busyAction="Revoking…"
      danger
      onConfirm={go}
      onCancel={onClose}
      testId="revoke-all-dialog"
      confirmTestId="revoke-all-confirm"
    >
      <label className="field">
        <span>Reason</span>
        <input
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={500}
          data-testid="revoke-all-reason"
        />
      </label>
      <label className="field">
        <span>Severity</span>
        <select value={severity} onChange={(e) => setSeverity(e.target.value as Severity)}>
          <option value="low">Low</option>
          <option value="medium">Medium</option>
          <option value="high">High</option>
        </select>
      </label>
    </ConfirmDialog>
  );
}

export function SettingsScreen(): ReactNode {
  const status = useStore((s) => s.status);
  const lockVault = useStore((s) => s.lockVault);
  const [panic, setPanic] = useState(false);

  return (
    <div className="screen">
      <header className="screen-head">
        <h1>Settings</h1>
      </header>
      <div className="narrow stack">
        <section className="card">
          <h2>About</h2>
          <dl className="facts-grid">
            <dt>Version</dt>
            <dd className="num">{status?.version ?? '—'}</dd>
            <dt>Agent API</dt>
            <dd className="mono">{status?.url ?? '—'}</dd>
            <dt>Vault key</dt>
            <dd>
              {status?.keySource === 'passphrase'
                ? 'Passphrase'
                : status?.keySource === 'os-keychain'
                  ? 'OS keychain'
                  : '—'}
            </dd>
            <dt>Audit log</dt>
            <dd className="num" data-testid="audit-count">
              {status ? `${formatCount(status.counts.auditEntries)} entries` : '—'}
            </dd>
          </dl>
        </section>
        <section className="card">
          <h2>Vault</h2>
          <p className="muted">
            Locking drops the vault key from memory. Agent requests are refused until you unlock.
          </p>
          <button type="button" className="btn" onClick={() => void lockVault()}>
            <Lock size={14} aria-hidden="true" /> Lock vault
          </button>
        </section>
        <section className="card card-danger">
          <h2>Revoke all agents</h2>
          <p className="muted">For when something has gone wrong: every agent’s key stops working at once.</p>
          <button
            type="button"
            className="btn btn-danger-outline"
            onClick={() => setPanic(true)}
            data-testid="revoke-all"
          >
            Revoke all agents…
          </button>
        </section>
      </div>
      {panic && <RevokeAllDialog onClose={() => setPanic(false)} />}
    </div>
  );
}
