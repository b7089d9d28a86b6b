// Settings: version and address, Lock vault, and the panic button (revoke all agents).
import { useRef, useState, type ReactNode } from 'react';
import { Lock } from 'lucide-react';
import type { Severity } from '../../../shared/models.ts';
import { useStore } from '../store/store.ts';
import { errorMessage } from '../transport/types.ts';
import { formatCount } from '../format.ts';
import { Dialog } from '../ui/Dialog.tsx';

export function RevokeAllDialog({ onClose }: { onClose: () => void }): ReactNode {
  const call = useStore((s) => s.call);
  const loadAll = useStore((s) => s.loadAll);
  const toast = useStore((s) => s.toast);
  const active = useStore(
    (s) => s.agents.filter((a) => a.status === 'active' || a.status === 'suspended').length,
  );
  const [reason, setReason] = useState('Revoke all agents (panic button)');
  const [severity, setSeverity] = useState<Severity>('high');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  const go = async (): Promise<void> => {
    if (!reason.trim()) return setError('Say why, in a few words.');
    setBusy(true);
    try {
      const out = await call('agentsRevokeAll', { reason: reason.trim(), severity });
      await loadAll();
      toast(`${formatCount(out.revoked)} agents revoked${out.cut ? ` · ${out.cut} requests cut` : ''}`);
      onClose();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onCancel={onClose}
      role="alertdialog"
      labelledBy="revoke-all-title"
      describedBy="revoke-all-desc"
      initialFocus={cancelRef}
      testId="revoke-all-dialog"
    >
      <div className="dialog-body">
        <h2 id="revoke-all-title">Revoke all agents</h2>
        <p id="revoke-all-desc">
          Every agent’s key stops working now ({formatCount(active)} {active === 1 ? 'agent' : 'agents'}).
          Requests in flight are cut and waiting approvals are denied. This cannot be undone: you will create
          new agents afterwards. Your provider keys are not touched.
        </p>
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
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-foot">
          <button ref={cancelRef} type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-danger"
            onClick={() => void go()}
            disabled={busy}
            data-testid="revoke-all-confirm"
          >
            {busy ? 'Revoking…' : 'Revoke all agents'}
          </button>
        </div>
      </div>
    </Dialog>
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
