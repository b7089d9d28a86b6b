// Where `akc` keeps its owner session between invocations: a 0600 file in the user's runtime directory,
// one per daemon and per shell. The file is readable by any process of the same user, so the credential in
// it is worth nothing alone: the daemon honours it only for akc processes started by the very shell that
// logged in (see core/owner/tree.ts and README "Owner sessions and presence").
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { writePrivateFile } from '../storage/data-dir.ts';
import { anchorOf } from '../owner/tree.ts';

const Stored = z.strictObject({
  url: z.string(),
  sessionId: z.string(),
  token: z.string(),
  expiresAt: z.string(),
});
export type StoredSession = z.infer<typeof Stored>;

function runtimeDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_RUNTIME_DIR;
  const base =
    xdg !== undefined && xdg.startsWith('/')
      ? join(xdg, 'agent-keychain')
      : join(tmpdir(), `agent-keychain-${String(process.getuid?.() ?? 'user')}`);
  mkdirSync(base, { recursive: true, mode: 0o700 });
  chmodSync(base, 0o700);
  return base;
}

/** The file for this daemon and the shell this akc runs under; null where no shell can be found. */
function fileFor(url: string, env: NodeJS.ProcessEnv): string | null {
  const anchor = anchorOf(process.pid);
  if (anchor === null) return null;
  const id = createHash('sha256').update(`${url}\n${anchor.pid}\n${anchor.start}`).digest('hex').slice(0, 24);
  return join(runtimeDir(env), `owner-session-${id}.json`);
}

export function loadSession(url: string, env: NodeJS.ProcessEnv): StoredSession | null {
  const file = fileFor(url, env);
  if (file === null) return null;
  try {
    const parsed = Stored.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success || parsed.data.url !== url || Date.parse(parsed.data.expiresAt) <= Date.now()) {
      rmSync(file, { force: true });
      return null;
    }
    return parsed.data;
  } catch {
    return null;
  }
}

export function saveSession(session: StoredSession, env: NodeJS.ProcessEnv): void {
  const file = fileFor(session.url, env);
  if (file !== null) writePrivateFile(file, `${JSON.stringify(session)}\n`);
}

export function forgetSession(url: string, env: NodeJS.ProcessEnv): void {
  const file = fileFor(url, env);
  if (file !== null) rmSync(file, { force: true });
}
