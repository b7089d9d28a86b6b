// Full-window vault panels: first-run setup, locked (passphrase or OS keychain), login needed, offline.
import { type RefObject, type SyntheticEvent, useId, useRef, useState, type ReactNode } from 'react';
import { KeyRound, LifeBuoy, Lock, ShieldCheck, Unplug } from 'lucide-react';
import { TokenRow } from '../ui/TokenRow.tsx';
import { useStore } from '../store/store.ts';
import { hadSession } from '../transport/session.ts';
import { useAction } from '../ui/useAction.ts';
import { ShowToggle, useKeySource, type KeySourceChoice } from './KeySourceFields.tsx';
import { FormError } from '../ui/FormError.tsx';

/** After a refusal: the field has the focus with its text selected, ready to be typed over. */
function retypeIn(ref: RefObject<HTMLInputElement | null>): void {
  setTimeout(() => {
    ref.current?.focus();
    ref.current?.select();
  }, 0);
}

function Panel({
  icon,
  title,
  children,
  testId,
}: {
  icon: ReactNode;
  title: string;
  children: ReactNode;
  testId?: string;
}): ReactNode {
  return (
    <main className="fullpanel" data-testid={testId}>
      <div className="fullpanel-card">
        <div className="fullpanel-icon" aria-hidden="true">
          {icon}
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}

export function VaultSetup(): ReactNode {
  const initVault = useStore((s) => s.initVault);
  const holdSetup = useStore((s) => s.holdSetup);
  const [recovery, setRecovery] = useState<string | null>(null);
  // The daemon asked the OS keychain at start: preselect what will work here.
  const keychain = useStore((s) => s.status?.keychain);
  const noKeychain = keychain?.available === false;
  const { busy, error, setError, run } = useAction();
  // An error belongs to the choice it came from.
  const ks = useKeySource(noKeychain ? 'passphrase' : 'os-keychain', () => setError(null));
  const choices: KeySourceChoice[] = [
    {
      value: 'os-keychain',
      title: 'OS keychain',
      tag: noKeychain ? 'Not available here' : 'Recommended',
      help: noKeychain
        ? `No OS keychain answered: ${keychain.problem ?? 'unknown reason'}`
        : 'Unlocks by itself when you log in. Nothing to remember.',
      testId: 'setup-keychain',
    },
    {
      value: 'passphrase',
      title: 'Passphrase',
      ...(noKeychain ? { tag: 'Works here' } : {}),
      help: 'You unlock it after each start. If you forget it, the vault cannot be opened.',
      testId: 'setup-passphrase',
    },
  ];

  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    if (!ks.ready()) return;
    // Keep this screen up after the vault exists: the recovery code is shown here, once.
    holdSetup(true);
    let code: string | undefined;
    const ok = await run(async () => {
      code = (await initVault(ks.input())).recoveryCode;
    });
    if (ok) ks.clear();
    if (ok && code) setRecovery(code);
    else holdSetup(false);
  };

  if (recovery) return <RecoveryCodeOnce code={recovery} onDone={() => holdSetup(false)} />;

  return (
    <Panel icon={<ShieldCheck size={28} />} title="Set up Agent Keychain" testId="vault-setup">
      <p className="lead">
        Your provider keys are stored encrypted. Choose where the key that protects them lives.
      </p>
      <form onSubmit={(e) => void submit(e)} className="stack">
        {ks.fields({ name: 'src', legend: 'Where the vault key lives', choices })}
        <FormError error={error} />
        <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="vault-init">
          {busy ? 'Creating…' : 'Create vault'}
        </button>
      </form>
    </Panel>
  );
}

/**
 * The recovery code, shown once: the owner copies or writes it down, then proves it by typing its last
 * group. It lives only in this component's state and is gone when the screen closes.
 */
function RecoveryCodeOnce({ code, onDone }: { code: string; onDone: () => void }): ReactNode {
  const [check, setCheck] = useState('');
  const [tried, setTried] = useState(false);
  const last = code.split('-').at(-1) ?? '';
  const ok = check.trim().toUpperCase() === last;
  const id = useId();
  return (
    <Panel icon={<LifeBuoy size={28} />} title="Save your recovery code" testId="recovery-code">
      <p className="lead">
        If the OS keychain entry is lost (new machine, keyring reset) or you forget your passphrase, this code
        is the only way back into your keys. It is shown once and not stored by Agent Keychain.
      </p>
      <div className="stack">
        <TokenRow
          text={code}
          className="recovery-code"
          testId="recovery-code-value"
          copy="Copy code"
          copyTestId="copy-recovery"
        />
        <p className="muted small">Keep it in a password manager or on paper, away from this computer.</p>
        <form
          className="stack-sm"
          onSubmit={(e) => {
            e.preventDefault();
            setTried(true);
            if (ok) onDone();
          }}
        >
          <label className="field">
            <span>To confirm you saved it, type its last four characters</span>
            <input
              value={check}
              onChange={(e) => setCheck(e.target.value)}
              maxLength={8}
              autoComplete="off"
              spellCheck={false}
              className="mono field-narrow"
              aria-invalid={tried && !ok}
              aria-describedby={`${id}-help`}
              data-testid="recovery-check"
            />
            <span id={`${id}-help`} className={`help ${tried && !ok ? 'help-error' : ''}`}>
              {tried && !ok
                ? 'That is not the end of the code above. Look again.'
                : 'The group after the last dash.'}
            </span>
          </label>
          <button type="submit" className="btn btn-primary btn-block" data-testid="recovery-saved">
            I saved it — continue
          </button>
        </form>
      </div>
    </Panel>
  );
}

function RecoverForm({ onCancel }: { onCancel: () => void }): ReactNode {
  const recoverVault = useStore((s) => s.recoverVault);
  const [code, setCode] = useState('');
  const { busy, error, run } = useAction();
  const ref = useRef<HTMLInputElement>(null);
  const submit = async (e: SyntheticEvent): Promise<void> => {
    e.preventDefault();
    if (await run(() => recoverVault(code))) setCode('');
    else retypeIn(ref);
  };
  return (
    <form className="stack" onSubmit={(e) => void submit(e)} data-testid="recover-form">
      <label className="field">
        <span>Recovery code</span>
        <input
          ref={ref}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoFocus
          autoComplete="off"
          spellCheck={false}
          className="mono"
          placeholder="XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"
          data-testid="recover-code"
        />
        <span className="help">
          The code shown once when the vault was set up. Dashes and case do not matter.
        </span>
      </label>
      <FormError error={error} />
      <button
        type="submit"
        className="btn btn-primary btn-block"
        disabled={busy || !code.trim()}
        data-testid="recover"
      >
        {busy ? 'Unlocking…' : 'Unlock with recovery code'}
      </button>
      <button type="button" className="btn btn-ghost btn-block" onClick={onCancel}>
        Back
      </button>
    </form>
  );
}

export function VaultLocked(): ReactNode {
  const status = useStore((s) => s.status);
  const unlockVault = useStore((s) => s.unlockVault);
  const [pass, setPass] = useState('');
  const [show, setShow] = useState(false);
  const { busy, error, setError, run } = useAction();
  const [recovering, setRecovering] = useState(false);
  const passRef = useRef<HTMLInputElement>(null);
  const keychain = status?.keySource === 'os-keychain';
  const recoverLink = status?.recoverable ? (
    <button
      type="button"
      className="link small"
      onClick={() => setRecovering(true)}
      data-testid="use-recovery"
    >
      {keychain
        ? 'Keychain entry gone? Unlock with your recovery code'
        : 'Forgot it? Unlock with your recovery code'}
    </button>
  ) : null;
  if (recovering)
    return (
      <Panel icon={<LifeBuoy size={28} />} title="Unlock with recovery code" testId="vault-locked">
        <p className="lead">Agent requests are refused until you unlock.</p>
        <RecoverForm onCancel={() => setRecovering(false)} />
      </Panel>
    );

  const unlock = async (e?: SyntheticEvent): Promise<void> => {
    e?.preventDefault();
    let problem: string | undefined;
    const ok = await run(async () => {
      const next = await unlockVault(keychain ? undefined : pass);
      if (next.vault !== 'unlocked') problem = next.vaultError ?? undefined;
    });
    if (ok) setPass('');
    if (problem) setError(problem);
    // Keep the owner in the field with the wrong text selected, ready to be typed over.
    if (!ok) retypeIn(passRef);
  };

  return (
    <Panel icon={<Lock size={28} />} title="Locked" testId="vault-locked">
      <p className="lead">Agent requests are refused until you unlock.</p>
      {keychain ? (
        <div className="stack">
          <div className="notice">
            <KeyRound size={16} aria-hidden="true" />
            <span>
              The vault key lives in the OS keychain.
              {status?.vaultError
                ? ` It could not be read: ${status.vaultError}`
                : ' It unlocks by itself at start; it was locked by hand.'}
            </span>
          </div>
          <FormError error={error} />
          <button
            type="button"
            className="btn btn-primary btn-block"
            onClick={() => void unlock()}
            disabled={busy}
            data-testid="unlock"
          >
            {busy ? 'Unlocking…' : status?.vaultError ? 'Retry' : 'Unlock from the OS keychain'}
          </button>
          {recoverLink}
        </div>
      ) : (
        <form className="stack" onSubmit={(e) => void unlock(e)}>
          <label className="field">
            <span>Passphrase</span>
            <input
              ref={passRef}
              type={show ? 'text' : 'password'}
              autoComplete="current-password"
              autoFocus
              value={pass}
              onChange={(e) => setPass(e.target.value)}
              data-testid="unlock-passphrase"
            />
          </label>
          <ShowToggle show={show} onShow={setShow} />
          <FormError error={error} />
          <button
            type="submit"
            className="btn btn-primary btn-block"
            disabled={busy || !pass}
            data-testid="unlock"
          >
            {busy ? 'Unlocking…' : 'Unlock'}
          </button>
          {recoverLink}
        </form>
      )}
    </Panel>
  );
}

export function LoginNeeded(): ReactNode {
  // A tab that had a session and is refused now was signed out: the keychain restarted (sessions live in
  // its memory only) or the 12-hour session ran out. A tab that never had one needs its first link.
  const ended = hadSession();
  return (
    <Panel
      icon={<KeyRound size={28} />}
      title={ended ? 'Signed out: sign in again' : 'Sign-in needed'}
      testId="login-needed"
    >
      <p className="lead" data-testid="login-why">
        {ended
          ? 'This tab’s session ended: the keychain was restarted (a restart signs every tab out) or the session reached its 12 hours. Reloading will not help; a new login link will.'
          : 'This tab is not signed in. The console opens only through the one-time login link the keychain prints in its terminal, so no other program can open it.'}
      </p>
      <ol className="steps small">
        <li>
          In the terminal where <code>npm start</code> runs, open the newest “Open the console” link (one is
          printed each time the keychain starts; each works once, for 10 minutes).
        </li>
        <li>
          No fresh link there? Run <code>npm start</code> in a second terminal: it asks for a new link, which
          you allow in the desktop app or another signed-in tab, or with the vault passphrase.
        </li>
        <li>
          Neither possible? Stop the keychain (Ctrl+C in its terminal) and start it again; it prints a new
          link.
        </li>
      </ol>
    </Panel>
  );
}

export function Offline(): ReactNode {
  return (
    <Panel icon={<Unplug size={28} />} title="Not connected" testId="offline">
      <p className="lead">
        The keychain is not answering. It may have stopped; start it again and reload this page.
      </p>
      <button type="button" className="btn btn-block" onClick={() => void useStore.getState().boot()}>
        Try again
      </button>
    </Panel>
  );
}

export function Loading(): ReactNode {
  return (
    <main className="fullpanel" aria-busy="true">
      <p className="muted">Connecting…</p>
    </main>
  );
}
