// OS keychain through @napi-rs/keyring (keyring-rs): macOS Keychain, Windows Credential Manager and, on
// Linux, the Secret Service. On Linux the store is pinned to 'secret-service': keyring-rs would otherwise
// fall back silently to the kernel keyring, which is lost at reboot (docs/ARCHITECTURE.md, invariant 2).
import { AsyncEntry } from '@napi-rs/keyring';
import { KeychainError, type KeychainPort } from './port.ts';

const SERVICE = 'agent-keychain';

function storeName(): string {
  if (process.platform === 'darwin') return 'macOS Keychain';
  if (process.platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service';
}

/** Turns a keyring-rs failure into an error that says what went wrong and what to do. */
export function explainKeychainFailure(err: unknown): KeychainError {
  const raw = err instanceof Error ? err.message : String(err);
  let hint: string;
  if (
    /DBUS_SESSION_BUS_ADDRESS|autolaunch|dbus-daemon|Failed to connect to socket|Connection refused|No such file or directory/i.test(
      raw,
    )
  ) {
    hint =
      'No OS keychain found: there is no D-Bus session bus, so the Secret Service cannot be reached. ' +
      'Log in to a desktop session (or start one with dbus-run-session and gnome-keyring-daemon --unlock), ' +
      'or use a passphrase vault instead.';
  } else if (/locked/i.test(raw)) {
    hint =
      'The OS keychain is locked. Unlock your login keyring (or the Secret Service collection) and try again.';
  } else if (/does not exist|no such object|ServiceUnknown|not provided by any .service files/i.test(raw)) {
    hint =
      'No Secret Service is running in this session (no login keyring found). Start gnome-keyring or KeePassXC ' +
      'with its Secret Service integration, or use a passphrase vault instead.';
  } else {
    hint = 'The OS keychain refused the request. Check that it is running and unlocked, then try again.';
  }
  // The raw cause is kept for diagnostics; it never contains the key (keyring-rs errors carry no values).
  return new KeychainError(`${hint} (${storeName()}: ${raw.split('\n')[0] ?? raw})`, { cause: err });
}

export class OsKeychain implements KeychainPort {
  readonly storeName = storeName();

  private entry(account: string): AsyncEntry {
    try {
      return new AsyncEntry(SERVICE, account, { linux: { store: 'secret-service' } });
    } catch (err) {
      throw explainKeychainFailure(err);
    }
  }

  async get(account: string): Promise<string | null> {
    try {
      const value = await this.entry(account).getPassword();
      return value ?? null;
    } catch (err) {
      throw err instanceof KeychainError ? err : explainKeychainFailure(err);
    }
  }

  async set(account: string, value: string): Promise<void> {
    try {
      await this.entry(account).setPassword(value);
    } catch (err) {
      throw err instanceof KeychainError ? err : explainKeychainFailure(err);
    }
  }

  async delete(account: string): Promise<void> {
    try {
      await this.entry(account).deletePassword();
    } catch (err) {
      throw err instanceof KeychainError ? err : explainKeychainFailure(err);
    }
  }
}
