// The data directory: 0700, owned by one process at a time (a lock file with the owner's pid).
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  renameSync,
} from 'node:fs';
import { chmod, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export class DataDirBusy extends Error {
  readonly pid: number;
  readonly url: string | null;

  constructor(pid: number, url: string | null, dir: string) {
    super(
      `Agent Keychain is already running for ${dir} (pid ${pid}${url ? `, ${url}` : ''}). ` +
        'Use that one, stop it first, or set AKC_DATA_DIR to another directory.',
    );
    this.name = 'DataDirBusy';
    this.pid = pid;
    this.url = url;
  }
}

export function prepareDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function runningUrl(dir: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(dir, 'daemon.json'), 'utf8')) as { url?: string }).url ?? null;
  } catch {
    return null;
  }
}

/** Takes the directory's lock; a stale lock (dead pid) is taken over. Returns the release function. */
export function lockDataDir(dir: string): () => void {
  const lockFile = join(dir, 'daemon.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new DataDirBusy(pid, runningUrl(dir), dir);
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not take the lock ${lockFile}.`);
}

/** Writes a file 0600 atomically (temp file + rename), so readers never see half of it. */
export function writePrivateFile(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/**
 * writePrivateFile off the event loop, for a file rewritten often under load (the audit anchor). The caller
 * keeps its writes of one path one at a time: they share the temp file.
 */
export async function writePrivateFileAsync(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}
