// XChaCha20-Poly1305 with a fresh 24-byte nonce per write. The associated data binds each ciphertext to
// its record ("provider:openai", "secret:crm_api_key"), so a ciphertext moved to another row fails to open.
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from 'node:crypto';

const NONCE = 24;
const encoder = new TextEncoder();

export class IntegrityError extends Error {
  constructor(what: string) {
    super(
      `${what} failed its integrity check: it was changed outside Agent Keychain or belongs to another record. Replace it.`,
    );
    this.name = 'IntegrityError';
  }
}

export function seal(key: Uint8Array, plaintext: Uint8Array, ad: string): Buffer {
  const nonce = randomBytes(NONCE);
  const ct = xchacha20poly1305(key, nonce, encoder.encode(ad)).encrypt(plaintext);
  return Buffer.concat([nonce, ct]);
}

export function open(key: Uint8Array, sealed: Uint8Array, ad: string, what: string): Uint8Array {
  if (sealed.length < NONCE + 16) throw new IntegrityError(what);
  try {
    return xchacha20poly1305(key, sealed.subarray(0, NONCE), encoder.encode(ad)).decrypt(
      sealed.subarray(NONCE),
    );
  } catch {
    throw new IntegrityError(what);
  }
}
