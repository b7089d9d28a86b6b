// Credentials (README "Security notes"): a prefix + 43 base62 characters of 256-bit randomness + 6 base62 characters of
// CRC32 over the random part. The checksum rejects malformed or mistyped tokens before any lookup and lets
// leak scanners recognise them. Only a SHA-256 hash is ever stored.
import { hash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LEN = 43;
const CHECK_LEN = 6;

export const AGENT_PREFIX = 'akc_';
export const ADMIN_PREFIX = 'akcadm_';

function base62(value: bigint, width: number): string {
  let out = '';
  let v = value;
  while (v > 0n) {
    out = ALPHABET.charAt(Number(v % 62n)) + out;
    v /= 62n;
  }
  return out.padStart(width, '0');
}

function checksum(randomPart: string): string {
  // CRC32 fits in a double: plain arithmetic, no BigInt, on the authentication hot path.
  let v = crc32(randomPart);
  let out = '';
  for (let i = 0; i < CHECK_LEN; i += 1) {
    out = ALPHABET.charAt(v % 62) + out;
    v = Math.floor(v / 62);
  }
  return out;
}

export function mintToken(prefix: string): string {
  const random = base62(BigInt('0x' + randomBytes(32).toString('hex')), RANDOM_LEN);
  return prefix + random + checksum(random);
}

const BODY = /^[0-9A-Za-z]{49}$/;

/** True when the token has the right prefix, length, alphabet and checksum. No lookup happens before this. */
export function isWellFormed(token: string, prefix: string): boolean {
  if (token.length !== prefix.length + RANDOM_LEN + CHECK_LEN || !token.startsWith(prefix)) return false;
  const body = token.slice(prefix.length);
  if (!BODY.test(body)) return false;
  return checksum(body.slice(0, RANDOM_LEN)) === body.slice(RANDOM_LEN);
}

/** The stored form of a credential: SHA-256. 256 bits of randomness make a slow hash unnecessary. */
export function hashToken(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

/** The same hash as hex, for in-memory index keys. */
export function hashTokenHex(token: string): string {
  return hash('sha256', token, 'hex');
}

/** A public handle for a credential that reveals 4 of its 43 random characters. */
export function credentialHint(token: string, prefix: string): string {
  return `${prefix}…${token.slice(prefix.length + RANDOM_LEN - 4, prefix.length + RANDOM_LEN)}`;
}

export function newId(prefix: string): string {
  return prefix + base62(BigInt('0x' + randomBytes(12).toString('hex')), 17);
}
