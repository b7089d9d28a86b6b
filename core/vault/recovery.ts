// The recovery code: an independent wrapping of the vault key, like a disk-encryption recovery key. At setup
// a random 160-bit code is shown to the owner once; the vault key is sealed under a key derived from it and
// only that sealed copy is stored. The code itself is never stored, logged or returned again, so losing
// the OS keychain entry (new machine, keyring reset) or forgetting the passphrase does not lose every key.
import { randomBytes } from 'node:crypto';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Meta } from '../storage/meta.ts';
import { AppError } from '../errors.ts';
import { IntegrityError, open, seal } from './seal.ts';

/** Crockford base32: no I, L, O or U, so the code survives being written down and read back. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_BYTES = 20;
const INFO = new TextEncoder().encode('agent-keychain/recovery/v1');
const AD = 'vault-key-recovery';

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31] ?? '';
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31] ?? '';
  return out;
}

/** The code as the owner types it, reduced to its 32 significant characters (dashes, spaces, case ignored). */
export function normalizeRecoveryCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

function kekFrom(code: string, salt: Uint8Array): Uint8Array {
  // The code carries 160 bits of randomness: a plain HKDF is enough, no slow KDF is needed against guessing.
  return hkdf(sha256, new TextEncoder().encode(normalizeRecoveryCode(code)), salt, INFO, 32);
}

/**
 * Creates a recovery code for this vault key and stores only the key sealed under it. Returns the code,
 * grouped for reading ("ABCD-EFGH-…"), to be shown once.
 */
export function createRecovery(meta: Meta, vaultKey: Uint8Array): string {
  const code = base32(new Uint8Array(randomBytes(CODE_BYTES)));
  const salt = new Uint8Array(randomBytes(16));
  const kek = kekFrom(code, salt);
  meta.set('vault.recoverySalt', Buffer.from(salt).toString('base64'));
  meta.set('vault.recoveryWrapped', seal(kek, vaultKey, AD).toString('base64'));
  kek.fill(0);
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

/** True when this vault has a recovery wrapping (vaults made before recovery codes have none). */
export function hasRecovery(meta: Meta): boolean {
  return meta.get('vault.recoveryWrapped') !== null;
}

/** The vault key from a recovery code; a wrong code changes nothing and says so. */
export function openWithRecovery(meta: Meta, code: string): Uint8Array {
  const wrapped = meta.get('vault.recoveryWrapped');
  const salt = meta.get('vault.recoverySalt');
  if (wrapped === null || salt === null)
    throw new AppError(
      'conflict',
      'This vault has no recovery code (it was set up before recovery codes existed). Nothing was changed.',
    );
  if (normalizeRecoveryCode(code).length !== 32)
    throw new AppError(
      'wrong_passphrase',
      'A recovery code has 32 letters and digits. Nothing was changed.',
      {
        path: 'code',
      },
    );
  const kek = kekFrom(code, new Uint8Array(Buffer.from(salt, 'base64')));
  try {
    return open(kek, Buffer.from(wrapped, 'base64'), AD, 'The recovery wrapping');
  } catch (err) {
    if (err instanceof IntegrityError)
      throw new AppError(
        'wrong_passphrase',
        'Wrong recovery code. The vault stays locked; nothing was changed.',
        {
          path: 'code',
        },
      );
    throw err;
  } finally {
    kek.fill(0);
  }
}
