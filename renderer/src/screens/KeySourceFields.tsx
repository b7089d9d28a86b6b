// The two pieces every "where does the vault key live" form shares (first-run setup, a new key source
// after a recovery-code unlock): the choice between the OS keychain and a passphrase, and the new
// passphrase with its confirmation, inline hints and a show toggle.
import { useId, useRef, useState, type ReactNode, type RefObject } from 'react';

export type KeySourceKind = 'os-keychain' | 'passphrase';

export interface KeySourceChoice {
  value: KeySourceKind;
  title: string;
  /** A short tag after the title ("Recommended", "Not available here"). */
  tag?: string;
  help: string;
  testId?: string;
}

function KeySourceChoices(props: {
  name: string;
  legend: string;
  choices: readonly KeySourceChoice[];
  value: KeySourceKind;
  onChange: (value: KeySourceKind) => void;
}): ReactNode {
  return (
    <fieldset className="choice-group">
      <legend className="sr-only">{props.legend}</legend>
      {props.choices.map((c) => (
        <label key={c.value} className={`choice ${props.value === c.value ? 'choice-on' : ''}`}>
          <input
            type="radio"
            name={props.name}
            checked={props.value === c.value}
            onChange={() => props.onChange(c.value)}
            data-testid={c.testId}
          />
          <span>
            <strong>{c.title}</strong>
            {c.tag && <span className="tag">{c.tag}</span>}
            <span className="choice-help">{c.help}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

const MIN_PASSPHRASE = 12;

/** Focuses the field to fix (the hints already say what is wrong); true when there was one. */
function focusPassphraseProblem(
  pass: string,
  confirm: string,
  refs: { pass: RefObject<HTMLInputElement | null>; confirm: RefObject<HTMLInputElement | null> },
): boolean {
  if (pass.length < MIN_PASSPHRASE) refs.pass.current?.focus();
  else if (pass !== confirm) refs.confirm.current?.focus();
  else return false;
  return true;
}

function NewPassphraseFields(props: {
  pass: string;
  confirm: string;
  onPass: (v: string) => void;
  onConfirm: (v: string) => void;
  /** Submit was tried: show the hints for empty fields too. */
  tried: boolean;
  passRef: RefObject<HTMLInputElement | null>;
  confirmRef: RefObject<HTMLInputElement | null>;
  label?: string;
}): ReactNode {
  const { pass, confirm, tried } = props;
  const [show, setShow] = useState(false);
  const id = useId();
  const tooShort = (pass.length > 0 || tried) && pass.length < MIN_PASSPHRASE;
  const mismatch = (confirm.length > 0 || tried) && pass !== confirm;
  return (
    <div className="stack-sm">
      <label className="field">
        <span>{props.label ?? 'Passphrase'}</span>
        <input
          ref={props.passRef}
          type={show ? 'text' : 'password'}
          autoComplete="new-password"
          value={pass}
          onChange={(e) => props.onPass(e.target.value)}
          aria-describedby={`${id}-hint`}
          aria-invalid={tooShort}
          data-testid="passphrase"
        />
        <span id={`${id}-hint`} className={`help ${tooShort ? 'help-error' : ''}`}>
          At least {MIN_PASSPHRASE} characters{pass ? ` · ${pass.length} so far` : ''}.
        </span>
      </label>
      <label className="field">
        <span>Confirm passphrase</span>
        <input
          ref={props.confirmRef}
          type={show ? 'text' : 'password'}
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => props.onConfirm(e.target.value)}
          aria-invalid={mismatch}
          data-testid="passphrase-confirm"
        />
        {mismatch && <span className="help help-error">The two passphrases differ.</span>}
      </label>
      <ShowToggle show={show} onShow={setShow} testId="show-passphrase" />
    </div>
  );
}

/** "Show passphrase": typed text visible while checked. */
export function ShowToggle(props: {
  show: boolean;
  onShow: (v: boolean) => void;
  testId?: string;
}): ReactNode {
  return (
    <label className="check">
      <input
        type="checkbox"
        checked={props.show}
        onChange={(e) => props.onShow(e.target.checked)}
        data-testid={props.testId}
      />
      Show passphrase
    </label>
  );
}

export type KeySourceInput = { keySource: 'os-keychain' } | { keySource: 'passphrase'; passphrase: string };

export interface KeySourceState {
  source: KeySourceKind;
  /** Marks the submit as tried; false, with the focus on the field to fix, when the passphrase is unusable. */
  ready: () => boolean;
  /** What the vault operation takes. */
  input: () => KeySourceInput;
  /** Drops the typed passphrase (after it was used). */
  clear: () => void;
  /** The choice, then the passphrase fields when a passphrase is chosen. */
  fields: (p: {
    name: string;
    legend: string;
    choices: readonly KeySourceChoice[];
    passLabel?: string;
  }) => ReactNode;
}

/** The state and fields of a key-source form; `onChoose` runs when the owner picks another source. */
export function useKeySource(initial: KeySourceKind, onChoose: () => void): KeySourceState {
  const [source, setSource] = useState<KeySourceKind>(initial);
  const [pass, setPass] = useState('');
  const [confirm, setConfirm] = useState('');
  const [tried, setTried] = useState(false);
  const passRef = useRef<HTMLInputElement>(null);
  const confirmRef = useRef<HTMLInputElement>(null);
  return {
    source,
    ready: () => {
      setTried(true);
      return (
        source !== 'passphrase' ||
        !focusPassphraseProblem(pass, confirm, { pass: passRef, confirm: confirmRef })
      );
    },
    input: () =>
      source === 'passphrase' ? { keySource: 'passphrase', passphrase: pass } : { keySource: 'os-keychain' },
    clear: () => {
      setPass('');
      setConfirm('');
    },
    fields: (p) => (
      <>
        <KeySourceChoices
          name={p.name}
          legend={p.legend}
          choices={p.choices}
          value={source}
          onChange={(v) => {
            setSource(v);
            onChoose();
          }}
        />
        {source === 'passphrase' && (
          <NewPassphraseFields
            {...(p.passLabel !== undefined ? { label: p.passLabel } : {})}
            pass={pass}
            confirm={confirm}
            onPass={setPass}
            onConfirm={setConfirm}
            tried={tried}
            passRef={passRef}
            confirmRef={confirmRef}
          />
        )}
      </>
    ),
  };
}
