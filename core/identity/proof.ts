// Per-request proof of possession for key-bound tokens (DPoP shape, RFC 9449): a JWT in the `DPoP`
// header, typ "dpop+jwt", signed with the agent's key whose public JWK rides in the header, with the
// request's method (htm) and URL (htu), a fresh iat, a unique jti and the token's hash (ath). A token
// issued with cnf.jkt is honoured only with a proof whose key has that thumbprint.
import { createHash } from 'node:crypto';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { AppError } from '../errors.ts';
import { Ed25519PublicJwk } from '../../shared/identity.ts';
import { thumbprint } from './jwk.ts';
import { ReplayCache } from './replay.ts';

export const PROOF_HEADER = 'dpop';
const MAX_AGE_SECONDS = 60;
const replays = new ReplayCache();

function refuse(message: string): never {
  throw new AppError('invalid_token', message);
}

/** base64url(SHA-256(token)), the proof's ath claim. */
export function tokenHashClaim(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export interface ProofExpectation {
  method: string;
  /** http://host:port/path of the request, without query or fragment. */
  url: string;
  jkt: string;
  token: string;
}

export async function verifyProof(
  proof: string | undefined,
  want: ProofExpectation,
  now: number,
): Promise<void> {
  if (proof === undefined || proof.length === 0 || proof.length > 4096)
    refuse('This token is bound to a key: send a DPoP proof signed with that key with every request.');
  let header;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    refuse('The DPoP proof is not a JWT.');
  }
  if (header.typ !== 'dpop+jwt') refuse('The DPoP proof must have typ "dpop+jwt".');
  const jwk = Ed25519PublicJwk.safeParse(header.jwk);
  if (!jwk.success) refuse('The DPoP proof header must carry the Ed25519 public key (jwk).');
  if ((await thumbprint(jwk.data)) !== want.jkt)
    refuse('The DPoP proof is signed by another key than the token is bound to.');
  let payload;
  try {
    payload = (
      await jwtVerify(proof, await importJWK(jwk.data, 'EdDSA'), {
        algorithms: ['EdDSA', 'Ed25519'],
        typ: 'dpop+jwt',
        requiredClaims: ['iat', 'jti'],
        currentDate: new Date(now),
      })
    ).payload;
  } catch {
    refuse('The DPoP proof signature does not verify.');
  }
  const iat = payload.iat ?? 0;
  if (Math.abs(now / 1000 - iat) > MAX_AGE_SECONDS) refuse('The DPoP proof is stale or dated in the future.');
  if (payload.htm !== want.method) refuse('The DPoP proof is for another HTTP method (htm).');
  if (payload.htu !== want.url) refuse('The DPoP proof is for another URL (htu).');
  if (payload.ath !== tokenHashClaim(want.token)) refuse('The DPoP proof is for another token (ath).');
  const jti = typeof payload.jti === 'string' ? payload.jti : '';
  if (jti.length < 8 || jti.length > 128) refuse('The DPoP proof needs a unique jti of 8–128 characters.');
  if (!replays.use(`${want.jkt}:${jti}`, (iat + MAX_AGE_SECONDS) * 1000 + 1000, now))
    refuse('This DPoP proof was already used; sign a new one for each request.');
}
