// Client assertions (RFC 7523 shape): a JWT the agent signs with its enrolled Ed25519 key to prove who
// it is, exchanged for a short-lived credential (POST /v1/token) or a session (POST /v1/sessions).
// Checks: header alg EdDSA and kid = an enrolled, live key; signature by exactly that key; iss = sub =
// the key's agent; aud = this daemon's URL; exp at most 60 s after iat and not past; iat not in the
// future; a jti never seen before (remembered until exp).
import { decodeProtectedHeader, errors, importJWK, jwtVerify } from 'jose';
import type { Core } from '../core.ts';
import type { AgentRecord } from '../agents/store.ts';
import { AppError } from '../errors.ts';
import type { AgentKey } from './keys.ts';
import { ReplayCache } from './replay.ts';

export const MAX_ASSERTION_SECONDS = 60;
/** Clock skew tolerated between the agent and the daemon (same machine: small). */
const SKEW_SECONDS = 5;
const ALGORITHMS = ['EdDSA', 'Ed25519'];

const replays = new ReplayCache();

function refuse(message: string): never {
  throw new AppError('invalid_token', message);
}

/** Why jose refused, in words for the caller. */
function explain(err: unknown): string {
  if (err instanceof errors.JWTExpired)
    return 'The assertion has expired; sign a fresh one (exp at most 60 s ahead).';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return 'The assertion is for another audience: set aud to this daemon’s URL.';
    if (err.claim === 'iss' || err.claim === 'sub')
      return 'The assertion’s iss and sub must both be the agent id the key is enrolled for.';
    if (err.claim === 'iat' || err.claim === 'nbf') return 'The assertion is dated in the future.';
    return `The assertion's ${err.claim} claim is not acceptable: ${err.reason}.`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return 'The assertion is not signed by the key it names (kid).';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'Assertions must be signed with EdDSA (Ed25519).';
  return 'The assertion is not a valid signed JWT.';
}

/** The agent whose enrolled key an assertion names (unverified: for the audit of a refusal only). */
export function claimedAgent(core: Core, jwt: string): AgentRecord | undefined {
  try {
    const kid = decodeProtectedHeader(jwt).kid;
    const key = typeof kid === 'string' ? core.keys.find(kid) : undefined;
    return key ? core.agents.find(key.agentId) : undefined;
  } catch {
    return undefined;
  }
}

export interface VerifiedAssertion {
  agent: AgentRecord;
  key: AgentKey;
}

/** Verifies an agent's assertion; throws AppError (invalid_token, revoked, suspended, expired) otherwise. */
export async function verifyAssertion(core: Core, jwt: string, now: number): Promise<VerifiedAssertion> {
  let header;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    refuse('The assertion is not a JWT (three base64url parts separated by dots).');
  }
  if (typeof header.alg !== 'string' || !ALGORITHMS.includes(header.alg))
    refuse('Assertions must be signed with EdDSA (Ed25519).');
  if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > 64)
    refuse('The assertion header must name the enrolled key (kid = its RFC 7638 thumbprint).');
  const key = core.keys.find(header.kid);
  if (!key) refuse('No enrolled key has this kid. Enroll the agent’s key first (akc agents enroll).');
  const agent = core.agents.find(key.agentId);
  if (!agent) refuse('The key belongs to no agent.');
  const status = core.agents.statusOf(agent, now);
  if (status === 'revoked')
    throw new AppError('revoked', `Agent ${agent.name} was revoked; its key no longer works.`);
  if (key.revokedAt !== null) refuse('This key was voided (the agent was enrolled again); use its new key.');
  if (status === 'suspended')
    throw new AppError('suspended', `Agent ${agent.name} is suspended by its owner.`);
  if (status === 'expired') throw new AppError('expired', `Agent ${agent.name} has expired.`);

  let payload;
  try {
    const verified = await jwtVerify(jwt, await importJWK(key.jwk, 'EdDSA'), {
      algorithms: ALGORITHMS,
      audience: core.url,
      issuer: agent.id,
      subject: agent.id,
      requiredClaims: ['exp', 'iat', 'jti'],
      clockTolerance: SKEW_SECONDS,
      currentDate: new Date(now),
    });
    payload = verified.payload;
  } catch (err) {
    refuse(explain(err));
  }
  const nowS = now / 1000;
  const exp = payload.exp ?? 0;
  const iat = payload.iat ?? 0;
  if (iat > nowS + SKEW_SECONDS) refuse('The assertion is dated in the future.');
  if (exp - iat > MAX_ASSERTION_SECONDS || exp > nowS + MAX_ASSERTION_SECONDS + SKEW_SECONDS)
    refuse(`The assertion lives too long: exp must be at most ${MAX_ASSERTION_SECONDS} s after iat.`);
  const jti = payload.jti ?? '';
  if (jti.length < 8 || jti.length > 128) refuse('The assertion needs a unique jti of 8–128 characters.');
  // Remembered until the assertion expires: the same assertion twice is a replay.
  if (!replays.use(`${key.kid}:${jti}`, (exp + SKEW_SECONDS) * 1000, now))
    refuse('This assertion was already used (replayed jti); sign a new one for each request.');
  return { agent, key };
}
