// Agent detail, key-based identity: the enrolled key (its RFC 7638 thumbprint), enrolling one into the
// OS keychain for `akc run` / `akc token`, and the agent's live `akc run` sessions, each endable alone.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { X } from 'lucide-react';
import type { AgentView } from '../../../shared/models.ts';
import type { AgentKeyView, SessionView } from '../../../shared/identity.ts';
import { useStore } from '../store/store.ts';
import { absoluteTime } from '../format.ts';
import { errorMessage } from '../transport/types.ts';

/** Sessions come and go with processes: the list is re-read this often while it is shown. */
const REFRESH_MS = 5_000;

export function AgentKeysSessions({ agent }: { agent: AgentView }): ReactNode {
  const call = useStore((s) => s.call);
  const toast = useStore((s) => s.toast);
  const [keys, setKeys] = useState<AgentKeyView[]>([]);
  const [sessions, setSessions] = useState<SessionView[]>([]);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async (): Promise<void> => {
    try {
      const [k, s] = await Promise.all([call('agentKeys', { id: agent.id }), call('sessionsList', {})]);
      setKeys(k.keys);
      setSessions(s.sessions.filter((x) => x.agentId === agent.id));
    } catch {
      // Shown as empty; the next refresh tries again.
    }
  }, [agent.id, call]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const act = async (fn: () => Promise<unknown>, done: string): Promise<void> => {
    setBusy(true);
    try {
      await fn();
      toast(done);
      await load();
    } catch (err) {
      toast(errorMessage(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  const dead = agent.status === 'revoked' || agent.status === 'expired';
  const key = keys[0];
  return (
    <>
      <section className="section" aria-labelledby="key-h">
        <h3 id="key-h">Agent key</h3>
        {key ? (
          <p className="small">
            Key id <code>{key.kid}</code>, enrolled {absoluteTime(key.createdAt)}. Use it with{' '}
            <code>akc run --agent {agent.name} -- …</code> or <code>akc token --agent {agent.name}</code>.
          </p>
        ) : (
          <p className="muted small">No key enrolled: this agent can use only its long-lived credential.</p>
        )}
        {!dead && (
          <button
            type="button"
            className="btn"
            disabled={busy}
            onClick={() =>
              void act(
                () => call('agentEnroll', { id: agent.id, store: 'os-keychain' }),
                key ? 'New key enrolled; the old one stopped working' : 'Key enrolled in the OS keychain',
              )
            }
          >
            {key ? 'Replace key' : 'Enroll key in the OS keychain'}
          </button>
        )}
      </section>

      <section className="section" aria-labelledby="sessions-h">
        <h3 id="sessions-h">Sessions</h3>
        {sessions.length === 0 ? (
          <p className="muted small">None. Commands started with akc run appear here while they run.</p>
        ) : (
          <ul className="grant-list">
            {sessions.map((s) => (
              <li key={s.id} className="grant">
                <span>
                  <code>{s.command ?? '?'}</code>
                </span>
                <span className="muted small num">
                  pid {s.pid ?? '?'} · started {absoluteTime(s.startedAt)} · expires{' '}
                  {absoluteTime(s.expiresAt)}
                </span>
                <button
                  type="button"
                  className="icon-btn"
                  disabled={busy}
                  aria-label={`End session ${s.id}`}
                  onClick={() => void act(() => call('sessionEnd', { id: s.id }), 'Session ended')}
                >
                  <X size={14} aria-hidden="true" />
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
