// Where an agent's private key lives: the OS keychain entry `akc run` and `akc token` read (service
// "agent-keychain", account "agent-key:<agent name>"), or a 0600 file for an agent on another account.
// The stored form names the agent and the key id, so a key is never used for the wrong agent.
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { exportJWK, generateKeyPair } from 'jose';
import { z } from 'zod';
import { Ed25519PrivateJwk } from '../../shared/identity.ts';
import type { KeychainPort } from '../keychain/port.ts';
import { publicPart, thumbprint } from './jwk.ts';

export const StoredAgentKey = z.object({
  v: z.literal(1),
  agentId: z.string().regex(/^agt_[A-Za-z0-9]{1,64}$/),
  agentName: z.string().min(1).max(100),
  kid: z.string().min(1).max(64),
  privateJwk: Ed25519PrivateJwk,
});
export type StoredAgentKey = z.infer<typeof StoredAgentKey>;

export function keychainAccount(agentName: string): string {
  return `agent-key:${agentName}`;
}

/** A fresh Ed25519 key pair for the agent, with its thumbprint. */
export async function generateAgentKey(agent: { id: string; name: string }): Promise<StoredAgentKey> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const privateJwk = Ed25519PrivateJwk.parse(await exportJWK(privateKey));
  return {
    v: 1,
    agentId: agent.id,
    agentName: agent.name,
    kid: await thumbprint(publicPart(privateJwk)),
    privateJwk,
  };
}

export async function saveKeyToKeychain(keychain: KeychainPort, key: StoredAgentKey): Promise<void> {
  await keychain.set(keychainAccount(key.agentName), JSON.stringify(key));
}

export async function loadKeyFromKeychain(
  keychain: KeychainPort,
  agentName: string,
): Promise<StoredAgentKey | null> {
  const raw = await keychain.get(keychainAccount(agentName));
  if (raw === null) return null;
  const parsed = StoredAgentKey.safeParse(JSON.parse(raw));
  if (!parsed.success)
    throw new Error(
      `The key stored for agent "${agentName}" in the ${keychain.storeName} is damaged; enroll the agent again.`,
    );
  return parsed.data;
}

/** Writes the key to a new file readable by its owner only; never overwrites. */
export function saveKeyToFile(path: string, key: StoredAgentKey): void {
  if (existsSync(path)) throw new Error(`${path} already exists; choose a new file for the key.`);
  writeFileSync(path, `${JSON.stringify(key)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
}

export function loadKeyFromFile(path: string): StoredAgentKey {
  const st = statSync(path);
  // Same rule as ssh: a private key others can read is refused (they may have copied it).
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0)
    throw new Error(`${path} is readable by other users; chmod 600 it (and consider enrolling a new key).`);
  const parsed = StoredAgentKey.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not an Agent Keychain agent key file.`);
  return parsed.data;
}
