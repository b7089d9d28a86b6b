// The agent side of key-based identity: assertions for POST /v1/token and POST /v1/sessions, and
// per-request proofs for key-bound tokens. Used by `akc token`, `akc run` and the TypeScript client.
import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';
import type { StoredAgentKey } from './key-store.ts';
import { publicPart } from './jwk.ts';
import { tokenHashClaim } from './proof.ts';

/** A one-use assertion for the daemon at `audience` (its URL), valid for 30 s. */
export async function signAssertion(key: StoredAgentKey, audience: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
    .setIssuer(key.agentId)
    .setSubject(key.agentId)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('30s')
    .setJti(randomUUID())
    .sign(await importJWK(key.privateJwk, 'EdDSA'));
}

/** A DPoP-style proof for one request with a key-bound token. */
export async function signProof(
  key: StoredAgentKey,
  method: string,
  url: string,
  token: string,
): Promise<string> {
  const u = new URL(url);
  return new SignJWT({
    htm: method.toUpperCase(),
    htu: `${u.origin}${u.pathname}`,
    ath: tokenHashClaim(token),
  })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'dpop+jwt', jwk: publicPart(key.privateJwk) })
    .setIssuedAt()
    .setJti(randomUUID())
    .sign(await importJWK(key.privateJwk, 'EdDSA'));
}
