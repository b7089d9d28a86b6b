// The passphrase KDF is plain scrypt: a vault made by any earlier build must still open, so the output is
// pinned to the RFC 7914 test vector and to what the parameters stored with a vault describe.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT, deriveKek } from '../../core/vault/kdf.ts';

describe('deriveKek', () => {
  it('is scrypt as RFC 7914 defines it (test vector 2, first 32 bytes)', async () => {
    const key = await deriveKek('password', {
      alg: 'scrypt',
      N: 1024,
      r: 8,
      p: 16,
      salt: Buffer.from('NaCl').toString('base64'),
    });
    expect(Buffer.from(key).toString('hex')).toBe(
      'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162',
    );
  });

  it('normalises the passphrase (NFKC) so the same words typed differently open the same vault', async () => {
    const params = { alg: 'scrypt' as const, N: 1024, r: 1, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==' };
    const composed = await deriveKek('caf\u00e9', params);
    const decomposed = await deriveKek('cafe\u0301', params);
    expect(Buffer.from(decomposed).equals(Buffer.from(composed))).toBe(true);
    expect(composed).toHaveLength(32);
  });

  it('refuses parameters beyond its memory bound instead of exhausting memory', async () => {
    await expect(
      deriveKek('x', { alg: 'scrypt', N: 2 ** 20, r: 8, p: 1, salt: 'c2FsdHNhbHRzYWx0c2FsdA==' }),
    ).rejects.toThrow();
    expect(DEFAULT_SCRYPT.N * DEFAULT_SCRYPT.r * 128).toBeLessThanOrEqual(256 * 1024 * 1024);
  });
});
