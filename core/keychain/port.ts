// The OS keychain port: where the vault key lives when the key source is "os-keychain".
export interface KeychainPort {
  /** Human name of the store, for messages ("Secret Service", "macOS Keychain", …). */
  readonly storeName: string;
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  delete(account: string): Promise<void>;
}

/** Keychain missing, locked or refusing. The message says what to do. */
export class KeychainError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeychainError';
  }
}
