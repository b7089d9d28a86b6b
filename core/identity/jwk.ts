// Ed25519 public keys as JWKs (RFC 8037) and their RFC 7638 thumbprints, the key id shown everywhere.
import { calculateJwkThumbprint } from 'jose';
import type { Ed25519PrivateJwk, Ed25519PublicJwk } from '../../shared/identity.ts';

/** RFC 7638 thumbprint (SHA-256, base64url) of the public key. */
export function thumbprint(jwk: Ed25519PublicJwk): Promise<string> {
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'sha256');
}

export function publicPart(jwk: Ed25519PrivateJwk): Ed25519PublicJwk {
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}
