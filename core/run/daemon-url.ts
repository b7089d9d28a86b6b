// Where the daemon listens, for agent-side commands (akc run, akc token): --url, else the daemon.json
// the running daemon wrote in its data directory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readConfig } from '../config.ts';

const DaemonJson = z.object({ url: z.url() });

export function daemonUrl(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit !== undefined) return explicit.replace(/\/+$/, '');
  const file = join(readConfig(env).dataDir, 'daemon.json');
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`Agent Keychain is not running (no ${file}). Start it with "npm start", or pass --url.`);
  }
  const parsed = DaemonJson.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new Error(`${file} is damaged; restart Agent Keychain.`);
  return parsed.data.url.replace(/\/+$/, '');
}
