// New agent and Edit agent: one form. A template seeds New agent's sections; Edit starts from the agent's
// scopes. Form ⇄ scope JSON both ways, a live sentence preview, and for Edit a diff of what changes; a change
// that widens what the agent may do asks for confirmation before it is saved.
import { type SyntheticEvent, useId, useMemo, useState, type ReactNode } from 'react';
import { ArrowLeft, Braces, Bot, Mail, CreditCard, KeyRound, ListChecks } from 'lucide-react';
import type { AgentView } from '../../../shared/models.ts';
import type { Scopes } from '../../../shared/scopes.ts';
import { diffExpiry, diffScopes, type ScopeChange } from '../../../shared/scope-diff.ts';
import { useStore } from '../store/store.ts';
import { TransportError, errorMessage } from '../transport/types.ts';
import { previewSentences, validateScopesJson } from '../scopeForm.ts';
import {
  TEMPLATES,
  buildFromDraft,
  draftFromScopes,
  templateDraft,
  type ScopeDraft,
  type TemplateId,
} from '../scopeDraft.ts';
import { navigate } from '../ui/hooks.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { absoluteTime } from '../format.ts';
import { CredentialOnce } from './CredentialOnce.tsx';
import { Field, ScopeJsonEditor, ScopeSections } from './ScopeFields.tsx';

const ICONS: Record<TemplateId, ReactNode> = {
  llm: <Bot size={18} />,
  email: <Mail size={18} />,
  payments: <CreditCard size={18} />,
  vault: <KeyRound size={18} />,
};

const EXPIRY: readonly { label: string; days: number | null }[] = [
  { label: 'Never', days: null },
  { label: 'In 1 day', days: 1 },
  { label: 'In 7 days', days: 7 },
  { label: 'In 30 days', days: 30 },
  { label: 'In 90 days', days: 90 },
];

export const NAME_MAX = 100;

type Expiry = 'keep' | number | null;

function expiryIso(e: Expiry, current: string | null): string | null {
  if (e === 'keep') return current;
  return e === null ? null : new Date(Date.now() + e * 86_400_000).toISOString();
}

export function NewAgent(): ReactNode {
  return <AgentForm agent={null} />;
}

export function EditAgent({ agentId }: { agentId: string }): ReactNode {
  const agent = useStore((s) => s.agents.find((a) => a.id === agentId) ?? null);
  if (!agent)
    return (
      <div className="screen">
        <p className="muted">Agent not found.</p>
      </div>
    );
  if (agent.status === 'revoked' || agent.status === 'expired')
    return (
      <div className="screen">
        <p className="muted">
          {agent.name} is {agent.status}: it cannot be changed. Create a new agent instead.
        </p>
      </div>
    );
  return <AgentForm key={agent.id} agent={agent} />;
}

function AgentForm({ agent }: { agent: AgentView | null }): ReactNode {
  const providers = useStore((s) => s.providers);
  const secrets = useStore((s) => s.secrets);
  const createAgent = useStore((s) => s.createAgent);
  const updateAgent = useStore((s) => s.updateAgent);
  const toast = useStore((s) => s.toast);
  const editing = agent !== null;
  const firstLlm = providers.find((p) => TEMPLATES[0]?.kinds.includes(p.kind))?.id ?? '';
  const [name, setName] = useState(agent?.name ?? '');
  const [template, setTemplate] = useState<TemplateId | null>(editing ? null : 'llm');
  const [draft, setDraft] = useState<ScopeDraft>(() =>
    agent ? draftFromScopes(agent.scopes) : templateDraft('llm', firstLlm),
  );
  const [jsonMode, setJsonMode] = useState(false);
  const [jsonText, setJsonText] = useState('');
  const [expiry, setExpiry] = useState<Expiry>(editing ? 'keep' : null);
  const [submitted, setSubmitted] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<ScopeChange[] | null>(null);
  const [created, setCreated] = useState<{ agent: AgentView; token: string } | null>(null);
  const ids = { preview: useId(), json: useId(), name: useId() };

  const built = useMemo(() => buildFromDraft(draft), [draft]);
  const json = useMemo(() => (jsonMode ? validateScopesJson(jsonText) : null), [jsonMode, jsonText]);
  const scopes: Scopes | null = jsonMode ? (json?.ok ? json.scopes : null) : built.ok ? built.scopes : null;
  const preview = scopes ? previewSentences(scopes) : previewSentences(built.ok ? built.scopes : built.draft);
  const formErrors = !jsonMode && submitted && !built.ok ? built.errors : [];

  const changes: ScopeChange[] = useMemo(() => {
    if (!agent || !scopes) return [];
    const out: ScopeChange[] = [];
    if (name.trim() && name.trim() !== agent.name)
      out.push({ text: `name ${agent.name} → ${name.trim()}`, widens: false });
    out.push(...diffScopes(agent.scopes, scopes).changes);
    const exp = diffExpiry(agent.expiresAt, expiryIso(expiry, agent.expiresAt));
    if (exp) out.push(exp);
    return out;
  }, [agent, scopes, name, expiry]);

  const edit = (d: ScopeDraft): void => {
    setDraft(d);
    setError(null);
  };

  const pick = (t: TemplateId): void => {
    const kinds = TEMPLATES.find((x) => x.id === t)?.kinds ?? [];
    setTemplate(t);
    setDraft(templateDraft(t, providers.find((p) => kinds.includes(p.kind))?.id ?? ''));
    setSubmitted(false);
    setError(null);
  };

  const openJson = (): void => {
    setJsonText(JSON.stringify(built.ok ? built.scopes : built.draft, null, 2));
    setJsonMode(true);
    setError(null);
  };

  const closeJson = (): void => {
    // JSON → form: the form takes what the JSON says, and keeps what it does not show for saving.
    if (!json?.ok) {
      setError('Fix the scope JSON first: the form can only show valid scopes.');
      return;
    }
    setDraft(draftFromScopes(json.scopes));
    setJsonMode(false);
    setError(null);
  };

  if (created) {
    return (
      <div className="screen">
        <div className="narrow">
          <CredentialOnce
            agent={created.agent}
            token={created.token}
            onDone={() => navigate(`#/agents/${created.agent.id}`)}
          />
        </div>
      </div>
    );
  }

  const save = async (): Promise<void> => {
    if (!scopes) return;
    setBusy(true);
    setConfirm(null);
    try {
      if (agent) {
        const expiresAt = expiryIso(expiry, agent.expiresAt);
        await updateAgent(agent.id, {
          ...(name.trim() !== agent.name ? { name: name.trim() } : {}),
          scopes,
          ...(expiresAt !== agent.expiresAt ? { expiresAt } : {}),
        });
        toast(`${name.trim()} saved: ${changes.map((c) => c.text).join(', ')}`);
        navigate(`#/agents/${agent.id}`);
      } else {
        const expiresAt = expiryIso(expiry, null);
        setCreated(await createAgent(name.trim(), scopes, expiresAt ?? undefined));
      }
    } catch (err) {
      setError(err instanceof TransportError && err.path ? `${err.path}: ${err.message}` : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: SyntheticEvent): void => {
    e.preventDefault();
    setSubmitted(true);
    setError(null);
    if (!name.trim()) return setError('Give the agent a name.');
    if (!scopes) return setError(jsonMode ? 'Fix the scope JSON first.' : 'Fix the highlighted fields.');
    if (agent) {
      if (!changes.length) return setError('Nothing changed.');
      // Widening gives a running agent more power: the owner confirms the exact lines first.
      if (changes.some((c) => c.widens)) return setConfirm(changes);
    }
    void save();
  };

  const left = NAME_MAX - name.length;

  return (
    <div className="screen">
      <header className="screen-head">
        <div>
          <a href={agent ? `#/agents/${agent.id}` : '#/agents'} className="link small back">
            <ArrowLeft size={14} aria-hidden="true" /> {agent ? agent.name : 'Agents'}
          </a>
          <h1 className="wrap-anywhere">{agent ? `Edit ${agent.name}` : 'New agent'}</h1>
        </div>
      </header>
      <form className="narrow stack" onSubmit={submit} noValidate>
        <Field
          label="Name"
          help={
            left <= 20
              ? `Up to ${NAME_MAX} characters · ${left} left`
              : 'Something you will recognise in prompts and the activity feed.'
          }
        >
          <input
            id={ids.name}
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={NAME_MAX}
            placeholder="research-bot"
            autoFocus={!agent}
            data-testid="agent-name"
          />
        </Field>

        {!agent && (
          <fieldset className="templates">
            <legend>What should it be able to do?</legend>
            <div className="template-grid">
              {TEMPLATES.map((t) => (
                <button
                  key={t.id}
                  type="button"
                  className={`template ${template === t.id ? 'template-on' : ''}`}
                  aria-pressed={template === t.id}
                  onClick={() => pick(t.id)}
                  data-testid={`template-${t.id}`}
                >
                  <span className="template-icon" aria-hidden="true">
                    {ICONS[t.id]}
                  </span>
                  <span className="template-title">{t.title}</span>
                  <span className="template-blurb">{t.blurb}</span>
                </button>
              ))}
            </div>
          </fieldset>
        )}

        {!jsonMode && (
          <ScopeSections
            draft={draft}
            onChange={edit}
            providers={providers}
            secrets={secrets}
            errors={formErrors}
          />
        )}

        <section className="preview" aria-labelledby={ids.preview}>
          <h2 id={ids.preview} className="preview-title wrap-anywhere">
            {name.trim() || 'This agent'} …
          </h2>
          <ul aria-live="polite" className="sentences" data-testid="scope-preview">
            {preview.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </section>

        {jsonMode ? (
          <div className="field">
            <div className="section-head">
              <label htmlFor={ids.json} className="field-label">
                Scope JSON
              </label>
              <button
                type="button"
                className="btn btn-sm btn-ghost"
                onClick={closeJson}
                data-testid="close-scope-json"
              >
                <ListChecks size={14} aria-hidden="true" /> Back to the form
              </button>
            </div>
            <ScopeJsonEditor
              id={ids.json}
              text={jsonText}
              onChange={(t) => {
                setJsonText(t);
                setError(null);
              }}
              issues={json && !json.ok ? json.issues : null}
            />
          </div>
        ) : (
          <div>
            <button
              type="button"
              className="btn btn-sm btn-ghost"
              onClick={openJson}
              data-testid="open-scope-json"
            >
              <Braces size={14} aria-hidden="true" /> Edit scope JSON
            </button>
          </div>
        )}

        <Field label="Expires">
          <select
            className="field-narrow"
            value={expiry === 'keep' ? 'keep' : (expiry ?? '')}
            onChange={(e) =>
              setExpiry(e.target.value === 'keep' ? 'keep' : e.target.value ? Number(e.target.value) : null)
            }
            data-testid="agent-expiry"
          >
            {agent && (
              <option value="keep">Keep: {agent.expiresAt ? absoluteTime(agent.expiresAt) : 'never'}</option>
            )}
            {EXPIRY.map((x) => (
              <option key={x.label} value={x.days ?? ''}>
                {x.label}
              </option>
            ))}
          </select>
        </Field>

        {agent && (
          <section className="card stack-sm" aria-label="What changes" data-testid="agent-diff">
            <h3>What changes</h3>
            {!scopes ? (
              <p className="muted small">Fix the scopes to see what changes.</p>
            ) : changes.length === 0 ? (
              <p className="muted small">Nothing yet.</p>
            ) : (
              <ul className="diff-list">
                {changes.map((c) => (
                  <li key={c.text} className={c.widens ? 'diff-widen' : 'diff-narrow'}>
                    <span className="diff-tag">{c.widens ? 'More' : 'Less'}</span> {c.text}
                  </li>
                ))}
              </ul>
            )}
            <p className="muted small">
              Saving drops its timed approvals and asks again on first use; requests waiting for you are
              denied and asked again under the new scopes.
            </p>
          </section>
        )}

        {error && (
          <p className="form-error" role="alert" data-testid="form-error">
            {error}
          </p>
        )}
        <div className="form-foot">
          <a href={agent ? `#/agents/${agent.id}` : '#/agents'} className="btn">
            Cancel
          </a>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={busy}
            data-testid={agent ? 'save-agent' : 'create-agent'}
          >
            {agent ? (busy ? 'Saving…' : 'Save changes') : busy ? 'Creating…' : 'Create agent'}
          </button>
        </div>
      </form>
      {confirm && agent && (
        <Dialog
          open
          onCancel={() => setConfirm(null)}
          role="alertdialog"
          labelledBy="widen-title"
          describedBy="widen-desc"
          testId="widen-dialog"
        >
          <div className="dialog-body">
            <h2 id="widen-title" className="wrap-anywhere">
              Give {agent.name} more access?
            </h2>
            <div id="widen-desc">
              <p>These changes let it do more than it can now, from its next request:</p>
              <ul className="diff-list">
                {confirm
                  .filter((c) => c.widens)
                  .map((c) => (
                    <li key={c.text} className="diff-widen">
                      {c.text}
                    </li>
                  ))}
              </ul>
            </div>
            <div className="dialog-foot">
              <button type="button" className="btn" onClick={() => setConfirm(null)} autoFocus>
                Cancel
              </button>
              <button
                type="button"
                className="btn btn-primary"
                onClick={() => void save()}
                data-testid="widen-confirm"
              >
                Save and widen
              </button>
            </div>
          </div>
        </Dialog>
      )}
    </div>
  );
}
