// The console session's second secret. The login link redirects to "/#session=<proof>": the fragment
// never leaves the browser, and the proof is kept in this origin's sessionStorage only. Every admin call
// sends it as a header next to the HttpOnly cookie, so a copied cookie alone opens nothing.
import { CONSOLE_SESSION_HEADER } from '../../../shared/contract.ts';

const KEY = 'akc-session-proof';

/** Moves a proof from the URL fragment into sessionStorage (and out of the address bar); returns the proof. */
export function takeSessionProof(): string | null {
  const match = /^#session=([A-Za-z0-9_-]{20,})$/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(KEY, match[1]);
    history.replaceState(null, '', `${window.location.pathname}#/`);
  }
  return sessionStorage.getItem(KEY);
}

export function sessionHeaders(): Record<string, string> {
  const proof = sessionStorage.getItem(KEY);
  return proof ? { [CONSOLE_SESSION_HEADER]: proof } : {};
}

/** Whether this tab was signed in before (its proof is still kept): a refusal now means the session ended. */
export function hadSession(): boolean {
  return sessionStorage.getItem(KEY) !== null;
}
