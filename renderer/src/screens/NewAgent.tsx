// New agent: template → plain-language form with a live sentence preview → (optional) scope JSON editor with
// inline errors at the exact path → the credential, once.
import { type SyntheticEvent, useId, useMemo, useState, type ReactNode } from 'react';
import { ArrowLeft, Braces, Bot, Mail, CreditCard, KeyRound } from 'lucide-react';
import type { AgentView } from '../../../shared/models.ts';
import { useStore } from '../store/store.ts';
import { TransportError, errorMessage } from '../transport/types.ts';
import {
  DEFAULT_VALUES,
  TEMPLATES,
  buildScopes,
  previewSentences,
  validateScopesJson,
  type TemplateId,
  type TemplateValues,
} from '../scopeForm.ts';
import { navigate } from '../ui/hooks.ts';
import { CredentialOnce } from './CredentialOnce.tsx';

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

function Field(props: {
  label: string;
  error?: string | undefined;
  help?: string;
  children: ReactNode;
}): ReactNode {
  return (
    <label className="field">
      <span>{props.label}</span>
      {props.children}
      {props.error ? (
        <span className="help help-error">{props.error}</span>
      ) : props.help ? (
        <span className="help">{props.help}</span>
      ) : null}
    </label>
  );
}

export function NewAgent(): ReactNode {
  const providers = useStore((s) => s.providers);
  const secrets = useStore((s) => s.secrets);
  const createAgent = useStore((s) => s.createAgent);
  const [name, setName] = useState('');
  const [template, setTemplate] = useState<TemplateId>('llm');
  const [values, setValues] = useState<TemplateValues>(() => ({ ...DEFAULT_VALUES }));
  const [jsonMode, setJsonMode] = useState(false);
  const [jsonText, setJsonText] = useState('');
  const [expiry, setExpiry] = useState<number | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ agent: AgentView; token: string } | null>(null);
  const ids = { list: useId(), secrets: useId(), preview: useId(), json: useId() };

  const info = TEMPLATES.find((t) => t.id === template) ?? TEMPLATES[0];
  const fitting = providers.filter((p) => info?.kinds.includes(p.kind));
  const providerId =
    values.providerId ||
    fitting[0]?.id ||
    (template === 'llm'
      ? 'openai'
      : template === 'email'
        ? 'resend'
        : template === 'payments'
          ? 'stripe'
          : '');
  const effective = { ...values, providerId };
  const built = buildScopes(template, effective);
  const json = useMemo(() => (jsonMode ? validateScopesJson(jsonText) : null), [jsonMode, jsonText]);
  const scopes = jsonMode ? (json?.ok ? json.scopes : null) : built.ok ? built.scopes : null;
  const preview = scopes ? previewSentences(scopes) : built.ok ? [] : previewSentences(built.draft);
  const fieldError = (f: keyof TemplateValues): string | undefined =>
    !jsonMode && submitted && !built.ok ? built.errors.find((e) => e.field === f)?.message : undefined;

  const set = (k: keyof TemplateValues) => (e: { target: { value: string } }) =>
    setValues((v) => ({ ...v, [k]: e.target.value }));

  const pick = (t: TemplateId): void => {
    setTemplate(t);
    setValues((v) => ({ ...v, providerId: '' }));
    setSubmitted(false);
  };

  const openJson = (): void => {
    setJsonText(JSON.stringify(built.ok ? built.scopes : built.draft, null, 2));
    setJsonMode(true);
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

  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    setSubmitted(true);
    setError(null);
    if (!name.trim()) return setError('Give the agent a name.');
    if (!scopes) return setError(jsonMode ? 'Fix the scope JSON first.' : 'Fix the highlighted fields.');
    setBusy(true);
    try {
      const expiresAt = expiry ? new Date(Date.now() + expiry * 86_400_000).toISOString() : undefined;
      setCreated(await createAgent(name.trim(), scopes, expiresAt));
    } catch (err) {
      setError(err instanceof TransportError && err.path ? `${err.path}: ${err.message}` : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="screen">
      <header className="screen-head">
        <div>
          <a href="#/agents" className="link small back">
            <ArrowLeft size={14} aria-hidden="true" /> Agents
          </a>
          <h1>New agent</h1>
        </div>
      </header>
      <form className="narrow stack" onSubmit={(e) => void submit(e)} noValidate>
        <Field label="Name" help="Something you will recognise in prompts and the activity feed.">
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={100}
            placeholder="research-bot"
            autoFocus
            data-testid="agent-name"
          />
        </Field>

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

        {!jsonMode && (
          <div className="card stack-sm">
            {template !== 'vault' && (
              <Field
                label="Provider"
                error={fieldError('providerId')}
                help={
                  fitting.length ? undefined : 'No matching provider yet: add it under Providers & Secrets.'
                }
              >
                <input
                  list={ids.list}
                  value={providerId}
                  onChange={set('providerId')}
                  data-testid="template-provider"
                />
                <datalist id={ids.list}>
                  {fitting.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.kind}
                    </option>
                  ))}
                </datalist>
              </Field>
            )}
            {template === 'llm' && (
              <div className="row-2">
                <Field
                  label="Models"
                  error={fieldError('models')}
                  help="Comma-separated. Leave empty to allow any model."
                >
                  <input value={values.models} onChange={set('models')} data-testid="template-models" />
                </Field>
                <Field label="Budget per day (USD)" error={fieldError('budgetUsd')}>
                  <input
                    inputMode="decimal"
                    value={values.budgetUsd}
                    onChange={set('budgetUsd')}
                    className="num"
                    data-testid="template-budget"
                  />
                </Field>
              </div>
            )}
            {template === 'email' && (
              <div className="row-2">
                <Field
                  label="Allowed domains"
                  error={fieldError('domains')}
                  help="Comma-separated, like example.com."
                >
                  <input value={values.domains} onChange={set('domains')} data-testid="template-domains" />
                </Field>
                <Field label="Emails per day" error={fieldError('dailyLimit')}>
                  <input
                    inputMode="numeric"
                    value={values.dailyLimit}
                    onChange={set('dailyLimit')}
                    className="num"
                    data-testid="template-daily-limit"
                  />
                </Field>
              </div>
            )}
            {template === 'payments' && (
              <>
                <div className="row-2">
                  <Field
                    label="Largest payment"
                    error={fieldError('maxAmount')}
                    help="In dollars (or the currency's main unit)."
                  >
                    <input
                      inputMode="decimal"
                      value={values.maxAmount}
                      onChange={set('maxAmount')}
                      className="num"
                      data-testid="template-max-amount"
                    />
                  </Field>
                  <Field label="Currency" error={fieldError('currency')}>
                    <input
                      value={values.currency}
                      onChange={set('currency')}
                      maxLength={3}
                      data-testid="template-currency"
                    />
                  </Field>
                </div>
                <p className="muted small">
                  One-time payments only, and every payment waits for your approval.
                </p>
              </>
            )}
            {template === 'vault' && (
              <div className="row-2">
                <Field
                  label="Secret"
                  error={fieldError('secretName')}
                  help={secrets.length ? undefined : 'No secrets yet: add one under Providers & Secrets.'}
                >
                  <input
                    list={ids.secrets}
                    value={values.secretName}
                    onChange={set('secretName')}
                    data-testid="template-secret"
                  />
                  <datalist id={ids.secrets}>
                    {secrets.map((s) => (
                      <option key={s.name} value={s.name} />
                    ))}
                  </datalist>
                </Field>
                <Field label="Readable for (minutes)" error={fieldError('ttlMinutes')}>
                  <input
                    inputMode="numeric"
                    value={values.ttlMinutes}
                    onChange={set('ttlMinutes')}
                    className="num"
                    data-testid="template-ttl"
                  />
                </Field>
              </div>
            )}
          </div>
        )}

        <section className="preview" aria-labelledby={ids.preview}>
          <h2 id={ids.preview} className="preview-title">
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
              <button type="button" className="btn btn-sm btn-ghost" onClick={() => setJsonMode(false)}>
                Back to the form
              </button>
            </div>
            <textarea
              id={ids.json}
              className="code-editor"
              rows={14}
              spellCheck={false}
              value={jsonText}
              onChange={(e) => setJsonText(e.target.value)}
              aria-invalid={json ? !json.ok : false}
              aria-describedby={`${ids.json}-issues`}
              data-testid="scope-json"
            />
            <div id={`${ids.json}-issues`} aria-live="polite">
              {json && !json.ok && (
                <ul className="issues" data-testid="scope-json-issues">
                  {json.issues.map((i) => (
                    <li key={`${i.path}:${i.message}`}>
                      <code>{i.path}</code> {i.message}
                    </li>
                  ))}
                </ul>
              )}
            </div>
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
            value={expiry ?? ''}
            onChange={(e) => setExpiry(e.target.value ? Number(e.target.value) : null)}
            data-testid="agent-expiry"
          >
            {EXPIRY.map((x) => (
              <option key={x.label} value={x.days ?? ''}>
                {x.label}
              </option>
            ))}
          </select>
        </Field>

        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="form-foot">
          <a href="#/agents" className="btn">
            Cancel
          </a>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="create-agent">
            {busy ? 'Creating…' : 'Create agent'}
          </button>
        </div>
      </form>
    </div>
  );
}
