// Passphrase → key-encryption key with scrypt. The parameters are stored with the vault so they can be
// raised later without breaking existing vaults.
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { z } from 'zod';

export const KdfParams = z.strictObject({
  alg: z.literal('scrypt'),
  N: z.number().int().min(1024),
  r: z.number().int().min(1),
  p: z.number().int().min(1),
  salt: z.string().min(16),
});
export type KdfParams = z.infer<typeof KdfParams>;

/** scrypt N=2^17, r=8, p=1 (OWASP minimum), 128 MiB of memory: about 2 s on a 2-core machine, off the event loop. */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;

export async function deriveKek(passphrase: string, params: KdfParams): Promise<Uint8Array> {
  return scryptAsync(passphrase.normalize('NFKC'), Buffer.from(params.salt, 'base64'), {
    N: params.N,
    r: params.r,
    p: params.p,
    dkLen: 32,
    maxmem: 256 * 1024 * 1024,
  });
}
