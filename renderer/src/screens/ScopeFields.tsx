// The scope form's sections (providers, email, payments, secrets), the provider and approval pickers, and
// the scope JSON editor with line numbers. Used by New agent and Edit agent alike.
import { useRef, type ReactNode, type UIEvent } from 'react';
import { Plus, X } from 'lucide-react';
import type { ProviderKind } from '../../../shared/facts.ts';
import type { ProviderView, SecretView } from '../../../shared/models.ts';
import {
  TEMPLATES,
  addSection,
  type ApprovalChoice,
  type DraftError,
  type ScopeDraft,
  type TemplateId,
} from '../scopeDraft.ts';
import type { JsonIssue } from '../scopeForm.ts';

export const KIND_LABEL: Record<ProviderKind, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  stripe: 'Stripe',
  resend: 'Resend (email)',
  http: 'Generic HTTP',
};

export function Field(props: {
  label: string;
  error?: string | undefined;
  help?: ReactNode;
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

/** A picker of the configured providers that fit, with their kinds; a value not configured stays visible. */
function ProviderPicker(props: {
  value: string;
  onChange: (id: string) => void;
  kinds: readonly ProviderKind[];
  providers: readonly ProviderView[];
  testId: string;
  error?: string | undefined;
  optional?: boolean;
}): ReactNode {
  const fitting = props.providers.filter((p) => props.kinds.includes(p.kind));
  const known = fitting.some((p) => p.id === props.value);
  const kindsText = props.kinds.map((k) => KIND_LABEL[k]).join(' or ');
  return (
    <Field
      label="Provider"
      error={props.error}
      help={
        fitting.length === 0 ? (
          <>
            No {kindsText} provider yet: <a href="#/providers">add one under Providers &amp; Secrets</a>{' '}
            first.
          </>
        ) : props.value && !known ? (
          `${props.value} is not configured: its requests will be refused until you add it.`
        ) : undefined
      }
    >
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid={props.testId}>
        <option value="">{props.optional ? 'Default for its kind' : 'Choose…'}</option>
        {fitting.map((p) => (
          <option key={p.id} value={p.id}>
            {p.id} · {KIND_LABEL[p.kind]}
          </option>
        ))}
        {props.value && !known && <option value={props.value}>{props.value} (not configured)</option>}
      </select>
    </Field>
  );
}

function ApprovalPicker(props: {
  value: ApprovalChoice;
  onChange: (v: ApprovalChoice) => void;
  above?: { value: string; onChange: (v: string) => void; label: string; error?: string | undefined };
  testId: string;
}): ReactNode {
  return (
    <div className="row-2">
      <Field label="Ask me first">
        <select
          value={props.value}
          onChange={(e) => props.onChange(e.target.value as ApprovalChoice)}
          data-testid={props.testId}
        >
          <option value="never">Never</option>
          <option value="first-use">The first time</option>
          <option value="always">Every time</option>
          {props.above && <option value="above">Above an amount</option>}
        </select>
      </Field>
      {props.above && props.value === 'above' && (
        <Field label={props.above.label} error={props.above.error}>
          <input
            inputMode="decimal"
            className="num"
            value={props.above.value}
            onChange={(e) => props.above?.onChange(e.target.value)}
            data-testid={`${props.testId}-above`}
          />
        </Field>
      )}
    </div>
  );
}

function Section(props: {
  title: string;
  onRemove: () => void;
  children: ReactNode;
  testId: string;
}): ReactNode {
  return (
    <section className="card stack-sm scope-section" data-testid={props.testId}>
      <div className="section-head">
        <h3>{props.title}</h3>
        <button
          type="button"
          className="icon-btn"
          onClick={props.onRemove}
          aria-label={`Remove ${props.title.toLowerCase()}`}
        >
          <X size={14} aria-hidden="true" />
        </button>
      </div>
      {props.children}
    </section>
  );
}

/** Plain-language fields for every part of the scopes; "Add" buttons for what is not there yet. */
export function ScopeSections(props: {
  draft: ScopeDraft;
  onChange: (d: ScopeDraft) => void;
  providers: readonly ProviderView[];
  secrets: readonly SecretView[];
  errors: readonly DraftError[];
}): ReactNode {
  const { draft: d, onChange, providers, secrets } = props;
  const errorOf = (key: string): string | undefined => props.errors.find((e) => e.key === key)?.message;
  const kindsOf = (t: TemplateId): readonly ProviderKind[] => TEMPLATES.find((x) => x.id === t)?.kinds ?? [];
  const firstOf = (t: TemplateId): string => providers.find((p) => kindsOf(t).includes(p.kind))?.id ?? '';

  return (
    <div className="stack-sm">
      {d.providers.map((p, i) => {
        const k = `p${p.uid}`;
        const setP = (patch: Partial<typeof p>): void =>
          onChange({ ...d, providers: d.providers.map((x) => (x.uid === p.uid ? { ...x, ...patch } : x)) });
        return (
          <Section
            key={p.uid}
            title={`Model provider${d.providers.length > 1 ? ` ${i + 1}` : ''}`}
            onRemove={() => onChange({ ...d, providers: d.providers.filter((x) => x.uid !== p.uid) })}
            testId={`section-provider-${i}`}
          >
            <ProviderPicker
              value={p.providerId}
              onChange={(providerId) => setP({ providerId })}
              kinds={kindsOf('llm')}
              providers={providers}
              testId={i === 0 ? 'template-provider' : `template-provider-${i}`}
              error={errorOf(`${k}.providerId`)}
            />
            <div className="row-2">
              <Field
                label="Models"
                error={errorOf(`${k}.models`)}
                help="Comma-separated. Leave empty to allow any model."
              >
                <input
                  value={p.models}
                  onChange={(e) => setP({ models: e.target.value })}
                  data-testid={i === 0 ? 'template-models' : `template-models-${i}`}
                />
              </Field>
              <Field
                label="Budget per day (USD)"
                error={errorOf(`${k}.budgetUsd`)}
                help="Leave empty for no budget."
              >
                <input
                  inputMode="decimal"
                  value={p.budgetUsd}
                  onChange={(e) => setP({ budgetUsd: e.target.value })}
                  className="num"
                  data-testid={i === 0 ? 'template-budget' : `template-budget-${i}`}
                />
              </Field>
            </div>
            <ApprovalPicker
              value={p.approval}
              onChange={(approval) => setP({ approval })}
              above={{
                value: p.above,
                onChange: (above) => setP({ above }),
                label: 'Estimated cost over (USD)',
                error: errorOf(`${k}.above`),
              }}
              testId={i === 0 ? 'template-approval' : `template-approval-${i}`}
            />
          </Section>
        );
      })}

      {d.email && (
        <Section title="Email" onRemove={() => onChange({ ...d, email: null })} testId="section-email">
          <ProviderPicker
            value={d.email.provider}
            onChange={(provider) => d.email && onChange({ ...d, email: { ...d.email, provider } })}
            kinds={kindsOf('email')}
            providers={providers}
            testId="template-email-provider"
            optional
          />
          <div className="row-2">
            <Field
              label="Allowed domains"
              error={errorOf('email.domains')}
              help="Comma-separated, like example.com."
            >
              <input
                value={d.email.domains}
                onChange={(e) =>
                  d.email && onChange({ ...d, email: { ...d.email, domains: e.target.value } })
                }
                data-testid="template-domains"
              />
            </Field>
            <Field label="Emails per day" error={errorOf('email.dailyLimit')}>
              <input
                inputMode="numeric"
                className="num"
                value={d.email.dailyLimit}
                onChange={(e) =>
                  d.email && onChange({ ...d, email: { ...d.email, dailyLimit: e.target.value } })
                }
                data-testid="template-daily-limit"
              />
            </Field>
          </div>
          <ApprovalPicker
            value={d.email.approval}
            onChange={(approval) =>
              d.email && approval !== 'above' && onChange({ ...d, email: { ...d.email, approval } })
            }
            testId="template-email-approval"
          />
        </Section>
      )}

      {d.payments && (
        <Section
          title="Payments"
          onRemove={() => onChange({ ...d, payments: null })}
          testId="section-payments"
        >
          <ProviderPicker
            value={d.payments.provider}
            onChange={(provider) => d.payments && onChange({ ...d, payments: { ...d.payments, provider } })}
            kinds={kindsOf('payments')}
            providers={providers}
            testId="template-payments-provider"
            optional
          />
          <div className="row-2">
            <Field
              label="Largest payment"
              error={errorOf('payments.maxAmount')}
              help="In dollars (or the currency's main unit)."
            >
              <input
                inputMode="decimal"
                className="num"
                value={d.payments.maxAmount}
                onChange={(e) =>
                  d.payments && onChange({ ...d, payments: { ...d.payments, maxAmount: e.target.value } })
                }
                data-testid="template-max-amount"
              />
            </Field>
            <Field label="Currency" error={errorOf('payments.currency')}>
              <input
                maxLength={3}
                value={d.payments.currency}
                onChange={(e) =>
                  d.payments && onChange({ ...d, payments: { ...d.payments, currency: e.target.value } })
                }
                data-testid="template-currency"
              />
            </Field>
          </div>
          <ApprovalPicker
            value={d.payments.approval}
            onChange={(approval) => d.payments && onChange({ ...d, payments: { ...d.payments, approval } })}
            above={{
              value: d.payments.above,
              onChange: (above) => d.payments && onChange({ ...d, payments: { ...d.payments, above } }),
              label: 'Payments over',
              error: errorOf('payments.above'),
            }}
            testId="template-payments-approval"
          />
        </Section>
      )}

      {d.vault && (
        <Section title="Secrets" onRemove={() => onChange({ ...d, vault: null })} testId="section-vault">
          <div className="row-2">
            <Field
              label="Secrets"
              error={errorOf('vault.secrets')}
              help={
                secrets.length ? `Stored: ${secrets.map((s) => s.name).join(', ')}` : 'No secrets stored yet.'
              }
            >
              <input
                value={d.vault.secrets}
                onChange={(e) =>
                  d.vault && onChange({ ...d, vault: { ...d.vault, secrets: e.target.value } })
                }
                data-testid="template-secret"
              />
            </Field>
            <Field
              label="Readable for (minutes)"
              error={errorOf('vault.ttlMinutes')}
              help="After its scopes are set; empty for no limit."
            >
              <input
                inputMode="numeric"
                className="num"
                value={d.vault.ttlMinutes}
                onChange={(e) =>
                  d.vault && onChange({ ...d, vault: { ...d.vault, ttlMinutes: e.target.value } })
                }
                data-testid="template-ttl"
              />
            </Field>
          </div>
        </Section>
      )}

      {errorOf('scopes') && <p className="form-error">{errorOf('scopes')}</p>}

      <div className="add-row" role="group" aria-label="Add access">
        <span className="muted small">Add:</span>
        <button
          type="button"
          className="btn btn-sm btn-ghost"
          onClick={() => onChange(addSection(d, 'llm', firstOf('llm')))}
          data-testid="add-section-llm"
        >
          <Plus size={13} aria-hidden="true" /> Model provider
        </button>
        {!d.email && (
          <button
            type="button"
            className="btn btn-sm btn-ghost"
            onClick={() => onChange(addSection(d, 'email'))}
            data-testid="add-section-email"
          >
            <Plus size={13} aria-hidden="true" /> Email
          </button>
        )}
        {!d.payments && (
          <button
            type="button"
            className="btn btn-sm btn-ghost"
            onClick={() => onChange(addSection(d, 'payments'))}
            data-testid="add-section-payments"
          >
            <Plus size={13} aria-hidden="true" /> Payments
          </button>
        )}
        {!d.vault && (
          <button
            type="button"
            className="btn btn-sm btn-ghost"
            onClick={() => onChange(addSection(d, 'vault'))}
            data-testid="add-section-vault"
          >
            <Plus size={13} aria-hidden="true" /> Secret
          </button>
        )}
      </div>
    </div>
  );
}

/** The scope JSON editor: a textarea with a line-number gutter; issues listed below at their exact path. */
export function ScopeJsonEditor(props: {
  id: string;
  text: string;
  onChange: (t: string) => void;
  issues: readonly JsonIssue[] | null;
}): ReactNode {
  const gutter = useRef<HTMLDivElement>(null);
  const lines = props.text.split('\n').length;
  const bad = new Set((props.issues ?? []).map((i) => i.line).filter((n) => n !== undefined));
  const onScroll = (e: UIEvent<HTMLTextAreaElement>): void => {
    if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
  };
  return (
    <>
      <div className="code-wrap">
        <div className="code-gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lines }, (_, i) => (
            <div key={i} className={bad.has(i + 1) ? 'code-line-bad' : undefined}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          id={props.id}
          className="code-editor"
          rows={Math.min(24, Math.max(10, lines + 1))}
          spellCheck={false}
          wrap="off"
          value={props.text}
          onChange={(e) => props.onChange(e.target.value)}
          onScroll={onScroll}
          aria-invalid={props.issues ? props.issues.length > 0 : false}
          aria-describedby={`${props.id}-issues`}
          data-testid="scope-json"
        />
      </div>
      <div id={`${props.id}-issues`} aria-live="polite">
        {props.issues && props.issues.length > 0 && (
          <ul className="issues" data-testid="scope-json-issues">
            {props.issues.map((i) => (
              <li key={`${i.path}:${i.message}`}>
                <code>{i.path}</code> {i.message}
              </li>
            ))}
          </ul>
        )}
      </div>
    </>
  );
}
