// POST /v1/token: assertions signed by an agent's enrolled Ed25519 key, refused in every way an attacker
// would try (replay, expired, future, too long, wrong audience, another key, revoked agent), and
// key-bound tokens refused without a fresh proof by the key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { SignJWT, importJWK } from 'jose';
import { raw, startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { generateAgentKey, type StoredAgentKey } from '../../core/identity/key-store.ts';
import { publicPart } from '../../core/identity/jwk.ts';
import { signAssertion, signProof } from '../../core/identity/sign.ts';

let t: TestDaemon;
let key: StoredAgentKey;
let agentId: string;

beforeAll(async () => {
  t = await startTestDaemon();
  const created = await t.admin.agents.create({ name: 'key-bot', scopes: {} });
  agentId = created.agent.id;
  key = await generateAgentKey(created.agent);
  const enrolled = await t.admin.call('agentEnroll', { id: agentId, publicKey: publicPart(key.privateJwk) });
  expect(enrolled.key.kid).toBe(key.kid);
});
afterAll(async () => {
  await t.stop();
});

async function token(
  body: Record<string, unknown>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await raw(t.url, {
    method: 'POST',
    path: '/v1/token',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: res.json() as Record<string, unknown> };
}

function errorOf(json: Record<string, unknown>): { code: string; message: string } {
  return json.error as { code: string; message: string };
}

async function whoami(tok: string, headers: Record<string, string> = {}): Promise<number> {
  return (await raw(t.url, { path: '/v1/whoami', headers: { authorization: `Bearer ${tok}`, ...headers } }))
    .status;
}

/** An assertion with hand-picked claims, signed by the given private key. */
async function craft(
  signer: StoredAgentKey,
  claims: { iat?: number; exp?: number; aud?: string; iss?: string; kid?: string; jti?: string },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'EdDSA', kid: claims.kid ?? signer.kid })
    .setIssuer(claims.iss ?? agentId)
    .setSubject(claims.iss ?? agentId)
    .setAudience(claims.aud ?? t.url)
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 30)
    .setJti(claims.jti ?? randomUUID())
    .sign(await importJWK(signer.privateJwk, 'EdDSA'));
}

describe('POST /v1/token', () => {
  it('exchanges a fresh assertion for a short-lived akc_ credential that works on the agent API', async () => {
    const res = await token({ assertion: await signAssertion(key, t.url) });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      token_type: 'Bearer',
      expires_in: 600,
      kid: key.kid,
      agent_id: agentId,
    });
    const tok = String(res.json.access_token);
    expect(tok).toMatch(/^akc_[0-9A-Za-z]{49}$/);
    const me = await raw(t.url, { path: '/v1/whoami', headers: { authorization: `Bearer ${tok}` } });
    expect(me.status).toBe(200);
    expect((me.json() as { id: string }).id).toBe(agentId);
    const issued = await t.admin.audit.list({ action: 'token.issued' });
    expect(issued.entries[0]?.agentId).toBe(agentId);
    expect(JSON.stringify(issued.entries)).not.toContain(tok);
  });

  it('refuses a replayed assertion (same jti), and audits the refusal with its reason', async () => {
    const assertion = await signAssertion(key, t.url);
    expect((await token({ assertion })).status).toBe(200);
    const again = await token({ assertion });
    expect(again.status).toBe(401);
    expect(errorOf(again.json)).toMatchObject({ code: 'invalid_token' });
    expect(errorOf(again.json).message).toMatch(/replayed/);
    const refused = await t.admin.audit.list({ action: 'token.refused' });
    expect(refused.entries[0]).toMatchObject({ decision: 'deny', reason: 'invalid_token', agentId });
    expect(refused.entries[0]?.rule).toMatch(/replayed/);
  });

  it('refuses expired, future-dated and too-long assertions', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await token({ assertion: await craft(key, { iat: now - 120, exp: now - 60 }) });
    expect(expired.status).toBe(401);
    expect(errorOf(expired.json).message).toMatch(/expired/);
    const future = await token({ assertion: await craft(key, { iat: now + 300, exp: now + 330 }) });
    expect(future.status).toBe(401);
    expect(errorOf(future.json).message).toMatch(/future/);
    const long = await token({ assertion: await craft(key, { iat: now, exp: now + 3600 }) });
    expect(long.status).toBe(401);
    expect(errorOf(long.json).message).toMatch(/too long/);
  });

  it('refuses a wrong audience, a wrong issuer and a signature by another key', async () => {
    const aud = await token({ assertion: await craft(key, { aud: 'http://127.0.0.1:1' }) });
    expect(aud.status).toBe(401);
    expect(errorOf(aud.json).message).toMatch(/audience/);
    const other = await generateAgentKey({ id: agentId, name: 'key-bot' });
    // Names the enrolled key (kid) but is signed by a key the daemon never saw.
    const forged = await token({ assertion: await craft(other, { kid: key.kid }) });
    expect(forged.status).toBe(401);
    expect(errorOf(forged.json).message).toMatch(/not signed by the key/);
    const unknown = await token({ assertion: await craft(other, {}) });
    expect(unknown.status).toBe(401);
    expect(errorOf(unknown.json).message).toMatch(/No enrolled key/);
    const iss = await token({ assertion: await craft(key, { iss: 'agt_someoneelse' }) });
    expect(iss.status).toBe(401);
  });

  it('rejects malformed bodies with bad_request and changes nothing', async () => {
    expect((await token({ assertion: 'not-a-jwt' })).status).toBe(400);
    expect((await token({ assertion: await signAssertion(key, t.url), extra: 1 })).status).toBe(400);
    expect((await token({ assertion: await signAssertion(key, t.url), ttlSeconds: 999999 })).status).toBe(
      400,
    );
  });

  it('binds a token to the key: refused without a proof, with a stale, replayed or foreign proof', async () => {
    const res = await token({ assertion: await signAssertion(key, t.url), bind: true });
    expect(res.status).toBe(200);
    expect(res.json.token_type).toBe('DPoP');
    const tok = String(res.json.access_token);
    const url = `${t.url}/v1/whoami`;
    expect(await whoami(tok)).toBe(401);
    const proof = await signProof(key, 'GET', url, tok);
    expect(await whoami(tok, { dpop: proof })).toBe(200);
    expect(await whoami(tok, { dpop: proof })).toBe(401); // replayed proof
    expect(await whoami(tok, { dpop: await signProof(key, 'POST', url, tok) })).toBe(401); // wrong htm
    expect(await whoami(tok, { dpop: await signProof(key, 'GET', `${t.url}/v1/secrets/x`, tok) })).toBe(401);
    const other = await generateAgentKey({ id: agentId, name: 'key-bot' });
    expect(await whoami(tok, { dpop: await signProof(other, 'GET', url, tok) })).toBe(401);
    expect(await whoami(tok, { dpop: await signProof(key, 'GET', url, 'akc_another') })).toBe(401); // ath
    expect(await whoami(tok, { dpop: await signProof(key, 'GET', url, tok) })).toBe(200);
  });

  it('enrolling a new key voids the old one and what it minted; revoking the agent voids key and tokens', async () => {
    const old = String((await token({ assertion: await signAssertion(key, t.url) })).json.access_token);
    const next = await generateAgentKey({ id: agentId, name: 'key-bot' });
    await t.admin.call('agentEnroll', { id: agentId, publicKey: publicPart(next.privateJwk) });
    expect(await whoami(old)).toBe(401);
    const stale = await token({ assertion: await signAssertion(key, t.url) });
    expect(stale.status).toBe(401);
    expect(errorOf(stale.json).message).toMatch(/voided/);
    key = next;
    const live = String((await token({ assertion: await signAssertion(key, t.url) })).json.access_token);
    expect(await whoami(live)).toBe(200);
    await t.admin.agents.revoke(agentId, { reason: 'test', severity: 'high' });
    expect(await whoami(live)).toBe(401);
    const after = await token({ assertion: await signAssertion(key, t.url) });
    expect(after.status).toBe(401);
    expect(errorOf(after.json).code).toBe('revoked');
  });
});
