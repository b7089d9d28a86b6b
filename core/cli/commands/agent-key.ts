// Finding an agent's private key for the agent-side commands (akc run, akc token): --key-file, else the
// OS keychain entry written by `akc agents enroll` / the desktop app.
import { OsKeychain } from '../../keychain/os-keychain.ts';
import { loadKeyFromFile, loadKeyFromKeychain, type StoredAgentKey } from '../../identity/key-store.ts';

export async function agentKey(agent: string, keyFile: string | undefined): Promise<StoredAgentKey> {
  if (keyFile !== undefined) {
    const key = loadKeyFromFile(keyFile);
    if (key.agentName !== agent && key.agentId !== agent)
      throw new Error(`${keyFile} holds the key of agent ${key.agentName} (${key.agentId}), not ${agent}.`);
    return key;
  }
  const keychain = new OsKeychain();
  const key = await loadKeyFromKeychain(keychain, agent);
  if (key === null)
    throw new Error(
      `No key for agent "${agent}" in the ${keychain.storeName}. Enroll one with "akc agents enroll ${agent}" (or in the app), or pass --key-file.`,
    );
  return key;
}

/** "90", "90s", "15m", "2h" → seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d{1,6})([smh]?)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration: use e.g. 90s, 15m or 2h.`);
  const n = Number(m[1]);
  return m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : n;
}
