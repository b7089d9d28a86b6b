// Agent identity and session credentials in the contract: enrolled Ed25519 keys, POST /v1/token,
// the `akc run` control connection (POST /v1/sessions) and the owner's view of live sessions.
import { z } from 'zod';

const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;
const Iso = z.iso.datetime({ offset: true });

/** An Ed25519 public key (RFC 8037): exactly these members, so no private part can ride along. */
export const Ed25519PublicJwk = z.strictObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(B64URL_32, 'must be a base64url Ed25519 public key (43 characters)'),
});
export type Ed25519PublicJwk = z.infer<typeof Ed25519PublicJwk>;

/** An Ed25519 private key as kept for an agent (OS keychain entry or 0600 file). */
export const Ed25519PrivateJwk = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(B64URL_32),
  d: z.string().regex(B64URL_32),
});
export type Ed25519PrivateJwk = z.infer<typeof Ed25519PrivateJwk>;

/** An enrolled key: its RFC 7638 thumbprint is the key id shown everywhere. */
export const AgentKeyView = z.object({
  kid: z.string(),
  agentId: z.string(),
  createdAt: Iso,
});
export type AgentKeyView = z.infer<typeof AgentKeyView>;

/** A live `akc run` session, as the owner sees it. */
export const SessionView = z.object({
  id: z.string(),
  agentId: z.string(),
  agentName: z.string(),
  /** The `akc run` process, as the daemon found it from its connection (null off Linux). */
  pid: z.number().int().nullable(),
  /** What the launcher said it runs (informational; the binding uses pid). */
  command: z.string().nullable(),
  credentialId: z.string(),
  startedAt: Iso,
  expiresAt: Iso,
});
export type SessionView = z.infer<typeof SessionView>;

const Assertion = z
  .string()
  .min(16)
  .max(4096)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'must be a compact JWT');

/** POST /v1/token: an assertion signed by the agent's enrolled key. */
export const TokenRequest = z.strictObject({
  assertion: Assertion,
  /** Bind the token to the key (cnf.jkt): every request then needs a DPoP proof by it. */
  bind: z.boolean().optional(),
  ttlSeconds: z.number().int().min(60).max(3600).optional(),
});
export type TokenRequest = z.infer<typeof TokenRequest>;

export const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.enum(['Bearer', 'DPoP']),
  expires_in: z.number().int(),
  kid: z.string(),
  agent_id: z.string(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** POST /v1/sessions: the control connection of `akc run`; the response streams SessionLine as NDJSON. */
export const SessionRequest = z.strictObject({
  assertion: Assertion,
  ttlSeconds: z.number().int().min(10).max(86_400).optional(),
  command: z.string().max(300).optional(),
});
export type SessionRequest = z.infer<typeof SessionRequest>;

export const SessionLine = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('session'),
    session: SessionView,
    token: z.string(),
    /** Variables for the child: provider base URLs and keys, AKC_URL, AKC_TOKEN. */
    env: z.record(z.string(), z.string()),
  }),
  z.object({ type: z.literal('renewed'), expiresAt: Iso }),
]);
export type SessionLine = z.infer<typeof SessionLine>;
