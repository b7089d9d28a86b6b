// The credential, shown once: copy buttons and ready-to-paste environment lines. The token lives only in
// the caller's component state and is dropped on "I've stored it".
import { useId, useRef, useEffect, type ReactNode } from 'react';
import { TriangleAlert } from 'lucide-react';
import type { AgentView } from '../../../shared/models.ts';
import { useStore } from '../store/store.ts';
import { envLines, scopeProviderIds } from '../scopeForm.ts';
import { CopyButton } from '../ui/CopyButton.tsx';
import { TokenRow, type Copyable } from '../ui/TokenRow.tsx';

export function CredentialOnce(props: {
  agent: AgentView;
  token: string;
  onDone: () => void;
  title?: string;
  /** The heading's id, when a dialog around it names itself after it. */
  headingId?: string;
}): ReactNode {
  const { agent, token, onDone, title } = props;
  const url = useStore((s) => s.status?.url ?? window.location.origin);
  const providers = useStore((s) => s.providers);
  const ownId = useId();
  const headingId = props.headingId ?? ownId;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const ids = scopeProviderIds(agent.scopes);
  const kinds = ids.map((id) => ({
    id,
    kind:
      providers.find((p) => p.id === id)?.kind ??
      (id === 'anthropic' ? 'anthropic' : id === 'openai' ? 'openai' : 'http'),
  }));
  const lines = envLines(url, token, kinds);
  const block = lines.map((l) => `${l.name}=${l.value}`).join('\n');
  const exports = lines.map((l) => `export ${l.name}=${shellQuote(l.value)}`).join('\n');
  const run = `akc run --agent ${shellQuote(agent.name)} -- python3 agent.py`;

  return (
    <section className="credential" aria-labelledby={headingId} data-testid="credential-once">
      <h2 id={headingId} ref={heading} tabIndex={-1}>
        {title ?? `${agent.name} is ready`}
      </h2>
      <div className="notice notice-amber">
        <TriangleAlert size={16} aria-hidden="true" />
        <span>
          This key is shown only once. Store it where your agent reads its settings; the keychain keeps only a
          hash.
        </span>
      </div>
      <div className="field">
        <span className="field-label">Agent key</span>
        <TokenRow text={token} testId="credential-token" copy="Copy key" copyTestId="copy-token" />
      </div>
      <Snippet
        label="For a shell: paste before starting your agent"
        text={exports}
        copy="Copy export lines"
        testId="export-lines"
        copyTestId="copy-exports"
      />
      <Snippet
        label="For a .env file (the OpenAI and Anthropic SDKs read these variables)"
        text={block}
        copy="Copy lines"
        testId="env-lines"
        copyTestId="copy-env"
      />
      <Snippet
        label="Or let akc start it with a short-lived key instead of this one"
        text={run}
        copy="Copy command"
        testId="akc-run-line"
        copyTestId="copy-run"
      />
      <div className="credential-foot">
        <button type="button" className="btn btn-primary" onClick={onDone} data-testid="stored-it">
          I’ve stored it
        </button>
      </div>
    </section>
  );
}

/** A ready-to-paste block with its copy button. */
function Snippet(props: Copyable & { label: string }): ReactNode {
  return (
    <div className="field">
      <span className="field-label">{props.label}</span>
      <pre className="env-block" data-testid={props.testId}>
        {props.text}
      </pre>
      <div>
        <CopyButton text={props.text} label={props.copy} testId={props.copyTestId} />
      </div>
    </div>
  );
}

/** Single-quotes a value for POSIX shells when it holds anything but safe characters. */
function shellQuote(v: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}
