// Providers & Secrets: write-only. Keys and values go in, only hints come out; there is no Reveal.
import { Fragment, type SyntheticEvent, useEffect, useState, type ReactNode } from 'react';
import { CircleAlert, CircleCheck, KeyRound, Plus, Lock } from 'lucide-react';
import type { OpOutput } from '../../../shared/contract.ts';
import type { ProviderKind } from '../../../shared/facts.ts';
import type { ProviderView, SecretView } from '../../../shared/models.ts';
import { useStore } from '../store/store.ts';
import { TransportError, errorMessage } from '../transport/types.ts';
import { absoluteTime, maskedHint, relativeTime } from '../format.ts';
import { ConfirmDialog } from '../ui/ConfirmDialog.tsx';
import { Empty } from '../ui/Empty.tsx';
import { ScreenHead } from '../ui/ScreenHead.tsx';
import { replaceHash, useNow } from '../ui/hooks.ts';
import { BASE_URL_HELP, DEFAULT_BASE_URLS, baseUrlProblem } from '../../../shared/provider-url.ts';
import { KIND_LABEL } from './ScopeFields.tsx';
import { providerUsers, secretUsers } from '../store/reducers.ts';
import { FormError } from '../ui/FormError.tsx';

const KINDS: readonly ProviderKind[] = ['openai', 'anthropic', 'stripe', 'resend', 'http'];

type TestResult = OpOutput<'providerTest'>;

function agentNames(names: readonly string[]): string {
  return names.length ? names.join(', ') : 'No agents';
}

function ProviderForm({
  existing,
  onDone,
}: {
  existing: ProviderView | null;
  onDone: () => void;
}): ReactNode {
  const saveProvider = useStore((s) => s.saveProvider);
  const toast = useStore((s) => s.toast);
  const [kind, setKind] = useState<ProviderKind>(existing?.kind ?? 'openai');
  const [id, setId] = useState(existing?.id ?? '');
  const [baseUrl, setBaseUrl] = useState(existing?.baseUrl ?? '');
  const [key, setKey] = useState('');
  const [error, setError] = useState<{ text: string; path?: string | undefined } | null>(null);
  const [busy, setBusy] = useState(false);
  const [touched, setTouched] = useState(false);
  const url = baseUrl.trim();
  const urlProblem = url
    ? baseUrlProblem(url)
    : kind === 'http'
      ? 'is required for a generic http provider'
      : null;
  const keyNeeded = !existing;

  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    setTouched(true);
    if (urlProblem) return;
    setBusy(true);
    setError(null);
    try {
      const view = await saveProvider({
        id: id.trim() || kind,
        kind,
        ...(key ? { key } : {}),
        ...(url ? { baseUrl: url } : {}),
      });
      setKey('');
      toast(
        !existing
          ? `${view.id} added`
          : key
            ? `${view.id} saved with its new key`
            : `${view.id} saved; its stored key was kept`,
      );
      onDone();
    } catch (err) {
      setError({ text: errorMessage(err), path: err instanceof TransportError ? err.path : undefined });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack-sm" onSubmit={(e) => void submit(e)} data-testid="provider-form">
      <h3>{existing ? `Change ${existing.id}` : 'Add a provider'}</h3>
      <div className="row-3">
        <label className="field">
          <span>Kind</span>
          <select
            value={kind}
            onChange={(e) => setKind(e.target.value as ProviderKind)}
            disabled={!!existing}
            data-testid="provider-kind"
          >
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Id</span>
          <input
            value={id}
            onChange={(e) => setId(e.target.value)}
            placeholder={kind}
            disabled={!!existing}
            data-testid="provider-id"
          />
        </label>
      </div>
      <label className="field">
        <span>Base URL{kind === 'http' ? '' : ' (optional)'}</span>
        <input
          type="url"
          value={baseUrl}
          onChange={(e) => setBaseUrl(e.target.value)}
          onBlur={() => setTouched(true)}
          placeholder={DEFAULT_BASE_URLS[kind] || 'https://api.example.com'}
          aria-invalid={touched && !!urlProblem}
          data-testid="provider-base-url"
        />
        {touched && urlProblem ? (
          <span className="help help-error" data-testid="provider-url-error">
            The base URL {urlProblem}.
          </span>
        ) : (
          <span className="help">
            {DEFAULT_BASE_URLS[kind] ? `Empty means ${DEFAULT_BASE_URLS[kind]}. ` : ''}
            {BASE_URL_HELP[kind]}
          </span>
        )}
      </label>
      <label className="field">
        <span>{existing ? 'New master key (optional)' : 'Master key'}</span>
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          required={keyNeeded}
          placeholder={existing ? `Leave empty to keep ${maskedHint(existing.keyHint)}` : undefined}
          data-testid="provider-key"
        />
        <span className="help">
          Stored encrypted. It is never shown again, only its last four characters.
        </span>
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error.path ? `${error.path}: ` : ''}
          {error.text}
        </p>
      )}
      <div className="form-foot">
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={busy || (keyNeeded && !key)}
          data-testid="provider-save"
        >
          {busy ? 'Saving…' : existing ? 'Save' : 'Add provider'}
        </button>
      </div>
    </form>
  );
}

function SecretForm({ existing, onDone }: { existing: SecretView | null; onDone: () => void }): ReactNode {
  const saveSecret = useStore((s) => s.saveSecret);
  const toast = useStore((s) => s.toast);
  const [name, setName] = useState(existing?.name ?? '');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const view = await saveSecret(name.trim(), value);
      setValue('');
      toast(existing ? `${view.name} replaced` : `${view.name} stored`);
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack-sm" onSubmit={(e) => void submit(e)} data-testid="secret-form">
      <h3>{existing ? `Replace ${existing.name}` : 'Add a secret'}</h3>
      <div className="row-2">
        <label className="field">
          <span>Name</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="crm_api_key"
            disabled={!!existing}
            required
            data-testid="secret-name"
          />
        </label>
        <label className="field">
          <span>Value</span>
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={value}
            onChange={(e) => setValue(e.target.value)}
            required
            data-testid="secret-value"
          />
        </label>
      </div>
      <FormError error={error} />
      <div className="form-foot">
        <button type="button" className="btn" onClick={onDone}>
          Cancel
        </button>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={busy || !value || !name.trim()}
          data-testid="secret-save"
        >
          {busy ? 'Saving…' : existing ? 'Replace value' : 'Store secret'}
        </button>
      </div>
    </form>
  );
}

interface Removal {
  kind: 'provider' | 'secret';
  id: string;
  usedBy: string[];
}

function RemoveDialog({ target, onClose }: { target: Removal; onClose: () => void }): ReactNode {
  const removeProvider = useStore((s) => s.removeProvider);
  const removeSecret = useStore((s) => s.removeSecret);
  const toast = useStore((s) => s.toast);
  return (
    <ConfirmDialog
      id="remove"
      title={`Remove ${target.id}`}
      description={`${
        target.kind === 'provider'
          ? 'Its master key is deleted from the vault.'
          : 'Its value is deleted from the vault.'
      } ${
        target.usedBy.length
          ? `Requests from ${agentNames(target.usedBy)} that need it will be refused.`
          : 'No agent uses it.'
      }`}
      action="Remove"
      busyAction="Removing…"
      danger
      onConfirm={async () => {
        if (target.kind === 'provider') await removeProvider(target.id);
        else await removeSecret(target.id);
        toast(`${target.id} removed`);
        onClose();
      }}
      onCancel={onClose}
      testId="remove-dialog"
      confirmTestId="remove-confirm"
    />
  );
}

/** One list of write-only items (providers, secrets): heading with Add, the open form, an empty state or the table. */
function ItemsSection(props: {
  id: 'providers' | 'secrets';
  title: string;
  addLabel: string;
  formOpen: boolean;
  onAdd: () => void;
  form: ReactNode;
  empty: ReactNode;
  columns: readonly string[];
  count: number;
  children: ReactNode;
}): ReactNode {
  const { id, formOpen, count } = props;
  return (
    <section className="section" aria-labelledby={`${id}-h`}>
      <div className="section-head">
        <h2 id={`${id}-h`}>{props.title}</h2>
        {!formOpen && (
          <button
            type="button"
            className="btn"
            onClick={props.onAdd}
            data-testid={id === 'providers' ? 'add-provider' : 'add-secret'}
          >
            <Plus size={14} aria-hidden="true" /> {props.addLabel}
          </button>
        )}
      </div>
      {props.form}
      {count === 0 && !formOpen && props.empty}
      {count > 0 && (
        <table className="table">
          <thead>
            <tr>
              {props.columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>{props.children}</tbody>
        </table>
      )}
    </section>
  );
}

function RowButton(props: {
  label: string;
  aria: string;
  onClick: () => void;
  danger?: boolean;
  disabled?: boolean;
  testId?: string;
}): ReactNode {
  return (
    <button
      type="button"
      className={`btn btn-sm ${props.danger ? 'btn-danger-outline' : ''}`}
      onClick={props.onClick}
      disabled={props.disabled}
      aria-label={props.aria}
      data-testid={props.testId}
    >
      {props.label}
    </button>
  );
}

function TestResultNotice({ id, test }: { id: string; test: TestResult }): ReactNode {
  return (
    <div
      className={`notice ${test.ok ? 'notice-ok' : 'notice-red'}`}
      role="status"
      data-testid={`provider-test-result-${id}`}
    >
      {test.ok ? <CircleCheck size={16} aria-hidden="true" /> : <CircleAlert size={16} aria-hidden="true" />}
      <span>
        <strong>{test.ok ? 'Connected' : 'Failed'}</strong> · {test.message}{' '}
        <span className="mono small">
          {test.checked}
          {test.status !== null ? ` → ${test.status}` : ''} · {test.latencyMs} ms
        </span>
      </span>
    </div>
  );
}

export function ProvidersScreen({ add }: { add: 'provider' | 'secret' | null }): ReactNode {
  const providers = useStore((s) => s.providers);
  const secrets = useStore((s) => s.secrets);
  const agents = useStore((s) => s.agents);
  const now = useNow(60_000);
  const [providerForm, setProviderForm] = useState<ProviderView | 'new' | null>(null);
  const [secretForm, setSecretForm] = useState<SecretView | 'new' | null>(null);
  const [removal, setRemoval] = useState<Removal | null>(null);
  const testProvider = useStore((s) => s.testProvider);
  const toast = useStore((s) => s.toast);
  const [tests, setTests] = useState<Record<string, TestResult | 'running'>>({});
  // Asked for by the address (the palette's "Add provider" / "Add secret"): open that form, once.
  useEffect(() => {
    if (add === null) return;
    if (add === 'provider') setProviderForm('new');
    else setSecretForm('new');
    replaceHash('#/providers');
  }, [add]);
  const runTest = async (id: string): Promise<void> => {
    setTests((t) => ({ ...t, [id]: 'running' }));
    try {
      const result = await testProvider(id);
      setTests((t) => ({ ...t, [id]: result }));
    } catch (err) {
      setTests((t) => Object.fromEntries(Object.entries(t).filter(([k]) => k !== id)));
      toast(errorMessage(err), 'error');
    }
  };

  return (
    <div className="screen">
      <ScreenHead
        title="Providers & Secrets"
        sub="Write-only: keys go in, and only their last four characters are ever shown."
      />

      <ItemsSection
        id="providers"
        title="Providers"
        addLabel="Add provider"
        formOpen={providerForm !== null}
        onAdd={() => setProviderForm('new')}
        form={
          providerForm !== null && (
            <ProviderForm
              key={providerForm === 'new' ? 'new' : providerForm.id}
              existing={providerForm === 'new' ? null : providerForm}
              onDone={() => setProviderForm(null)}
            />
          )
        }
        empty={
          <Empty
            icon={<KeyRound size={24} />}
            text="No providers yet. Add one to let agents call it without its key."
            action={
              <button type="button" className="btn btn-primary" onClick={() => setProviderForm('new')}>
                Add provider
              </button>
            }
          />
        }
        columns={['Id', 'Kind', 'Base URL', 'Key', 'Added', 'Used by']}
        count={providers.length}
      >
        {providers.map((p) => {
          // "Used by" is derived from the agents held live in the store, never from a stale list.
          const users = providerUsers(agents, p);
          const test = tests[p.id];
          return (
            <Fragment key={p.id}>
              <tr data-testid={`provider-${p.id}`}>
                <td className="mono">{p.id}</td>
                <td>{KIND_LABEL[p.kind]}</td>
                <td className="mono small ellipsis" title={p.baseUrl}>
                  {p.baseUrl}
                </td>
                <td className="mono">{maskedHint(p.keyHint)}</td>
                <td title={absoluteTime(p.createdAt)}>{relativeTime(p.createdAt, now)}</td>
                <td className="small used-by" data-testid={`provider-used-by-${p.id}`}>
                  {agentNames(users)}
                </td>
                <td className="actions">
                  <RowButton
                    label={test === 'running' ? 'Testing…' : 'Test'}
                    aria={`Test connection to ${p.id}`}
                    onClick={() => void runTest(p.id)}
                    disabled={test === 'running'}
                    testId={`provider-test-${p.id}`}
                  />
                  <RowButton
                    label="Change"
                    aria={`Change ${p.id}: base URL or key`}
                    onClick={() => setProviderForm(p)}
                    testId={`provider-change-${p.id}`}
                  />
                  <RowButton
                    label="Remove"
                    aria={`Remove ${p.id}`}
                    danger
                    onClick={() => setRemoval({ kind: 'provider', id: p.id, usedBy: users })}
                  />
                </td>
              </tr>
              {test && test !== 'running' && (
                <tr className="test-row">
                  <td colSpan={7}>
                    <TestResultNotice id={p.id} test={test} />
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </ItemsSection>

      <ItemsSection
        id="secrets"
        title="Secrets"
        addLabel="Add secret"
        formOpen={secretForm !== null}
        onAdd={() => setSecretForm('new')}
        form={
          secretForm !== null && (
            <SecretForm
              key={secretForm === 'new' ? 'new' : secretForm.name}
              existing={secretForm === 'new' ? null : secretForm}
              onDone={() => setSecretForm(null)}
            />
          )
        }
        empty={
          <Empty icon={<Lock size={24} />} text="No secrets yet. Store one that an agent may read by name." />
        }
        columns={['Name', 'Value', 'Added', 'Used by']}
        count={secrets.length}
      >
        {secrets.map((s) => {
          const users = secretUsers(agents, s.name);
          return (
            <tr key={s.name} data-testid={`secret-${s.name}`}>
              <td className="mono">{s.name}</td>
              <td className="mono">{maskedHint(s.hint)}</td>
              <td title={absoluteTime(s.createdAt)}>{relativeTime(s.createdAt, now)}</td>
              <td className="small used-by">{agentNames(users)}</td>
              <td className="actions">
                <RowButton label="Replace" aria={`Replace ${s.name}`} onClick={() => setSecretForm(s)} />
                <RowButton
                  label="Remove"
                  aria={`Remove ${s.name}`}
                  danger
                  onClick={() => setRemoval({ kind: 'secret', id: s.name, usedBy: users })}
                />
              </td>
            </tr>
          );
        })}
      </ItemsSection>
      {removal && <RemoveDialog target={removal} onClose={() => setRemoval(null)} />}
    </div>
  );
}
