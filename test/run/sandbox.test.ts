// The akc run sandbox, tried the way an agent would: the same reads of the data directory, the keyring
// files, an owner token file, the agent's key file and the same Secret Service call, outside (they work)
// and inside (they fail). Home, the project directory and loopback stay usable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { hasKeyring, keyringSkipReason, ROOT } from '../helpers/env.ts';
import { akc, enrolledAgent, type Enrolled } from './helpers.ts';
import { findBwrap } from '../../core/run/sandbox.ts';

const bwrap = findBwrap(process.env);
if (bwrap === null) console.log('sandbox tests skipped: bwrap not found (apt install bubblewrap)');
if (!hasKeyring) console.log(`Secret Service sandbox test skipped: ${keyringSkipReason}`);

let t: TestDaemon;
let bot: Enrolled;
const home = mkdtempSync(join(tmpdir(), 'akc-home-'));
const ownerDir = mkdtempSync(join(tmpdir(), 'akc-owner-'));
const ownerToken = join(ownerDir, 'owner-token');
/** A runtime directory with systemd's user manager socket in it (a file here: only reaching it matters). */
const runtimeDir = mkdtempSync(join(tmpdir(), 'akc-runtime-'));
mkdirSync(join(runtimeDir, 'systemd'));
writeFileSync(join(runtimeDir, 'systemd', 'private'), 'systemd user manager\n');

beforeAll(async () => {
  t = await startTestDaemon();
  bot = await enrolledAgent(t, 'sandboxed-bot', {});
  writeFileSync(ownerToken, 'OWNER-SECRET-TOKEN\n', { mode: 0o600 });
  if (hasKeyring)
    execFileSync('secret-tool', ['store', '--label=akc sandbox probe', 'akc-test', 'sandbox-probe'], {
      input: 'PROBE-SECRET-VALUE',
    });
});
afterAll(async () => {
  await t.stop();
});

/** One probe script, run outside and inside: each line says whether a read worked. */
function probe(): string {
  const bus = process.env.DBUS_SESSION_BUS_ADDRESS ?? '';
  const keyrings = join(
    process.env.XDG_DATA_HOME ?? join(process.env.HOME ?? '', '.local/share'),
    'keyrings',
  );
  return [
    `cat '${join(t.dir, 'daemon.json')}' >/dev/null 2>&1 && echo data-dir=readable || echo data-dir=hidden`,
    `cat '/proc/${process.pid}/root${join(t.dir, 'daemon.json')}' >/dev/null 2>&1 && echo proc-root=readable || echo proc-root=hidden`,
    `[ -n "$(ls -A '${keyrings}' 2>/dev/null)" ] && echo keyrings=readable || echo keyrings=hidden`,
    `cat '${ownerToken}' >/dev/null 2>&1 && echo owner-token=readable || echo owner-token=hidden`,
    `cat '${bot.keyFile}' >/dev/null 2>&1 && echo key-file=readable || echo key-file=hidden`,
    `cat "$XDG_RUNTIME_DIR/systemd/private" >/dev/null 2>&1 && echo systemd=reachable || echo systemd=hidden`,
    `secret-tool lookup akc-test sandbox-probe >/dev/null 2>&1 && echo secret-service=reachable || echo secret-service=unreachable`,
    `DBUS_SESSION_BUS_ADDRESS='${bus}' secret-tool lookup akc-test sandbox-probe >/dev/null 2>&1 && echo secret-service-by-address=reachable || echo secret-service-by-address=unreachable`,
    `echo written > "$HOME/home-probe" && echo home=writable || echo home=readonly`,
    `echo written > '${join(ROOT, 'test-results', 'project-probe')}' && echo project=writable || echo project=readonly`,
  ].join('; ');
}

function lines(out: string): Record<string, string> {
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]),
  );
}

const env = (): NodeJS.ProcessEnv => ({
  HOME: home,
  AKC_ADMIN_TOKEN_FILE: ownerToken,
  XDG_RUNTIME_DIR: runtimeDir,
});

describe.skipIf(bwrap === null)('akc run sandbox', () => {
  it('outside akc run, the same reads succeed (the test can fail)', () => {
    const out = spawnSync('sh', ['-c', probe()], { env: { ...process.env, ...env() }, encoding: 'utf8' });
    const seen = lines(out.stdout);
    expect(seen['data-dir']).toBe('readable');
    expect(seen['proc-root']).toBe('readable');
    expect(seen['owner-token']).toBe('readable');
    expect(seen['key-file']).toBe('readable');
    expect(seen.systemd).toBe('reachable');
    if (hasKeyring) {
      expect(seen.keyrings).toBe('readable');
      expect(seen['secret-service']).toBe('reachable');
    }
  });

  it('inside, the data directory, keyring files, owner token, key file and Secret Service are out of reach', async () => {
    const run = akc(
      t,
      ['run', '--agent', bot.name, '--key-file', bot.keyFile, '--', 'sh', '-c', probe()],
      env(),
    );
    expect((await run.exit).code).toBe(0);
    const seen = lines(run.stdout());
    expect(seen).toMatchObject({
      'data-dir': 'hidden',
      'proc-root': 'hidden',
      keyrings: 'hidden',
      'owner-token': 'hidden',
      'key-file': 'hidden',
      systemd: 'hidden',
      'secret-service': 'unreachable',
      'secret-service-by-address': 'unreachable',
      home: 'writable',
      project: 'writable',
    });
    expect(readFileSync(join(home, 'home-probe'), 'utf8')).toBe('written\n');
    expect(existsSync(join(ROOT, 'test-results', 'project-probe'))).toBe(true);
  });

  it('--no-sandbox runs the command unconfined (and says nothing)', async () => {
    const run = akc(
      t,
      ['run', '--agent', bot.name, '--key-file', bot.keyFile, '--no-sandbox', '--', 'sh', '-c', probe()],
      env(),
    );
    expect((await run.exit).code).toBe(0);
    expect(run.stderr()).toBe('');
    const seen = lines(run.stdout());
    expect(seen['data-dir']).toBe('readable');
    if (hasKeyring) expect(seen['secret-service-by-address']).toBe('reachable');
  });

  it('without bwrap on PATH it runs unconfined with a one-line notice', async () => {
    // Nothing is found on this PATH, bwrap included: the command is named by its absolute path.
    const direct = akc(t, ['run', '--agent', bot.name, '--key-file', bot.keyFile, '--', '/bin/echo', 'ran'], {
      ...env(),
      PATH: '/nonexistent',
    });
    expect((await direct.exit).code).toBe(0);
    expect(direct.stdout()).toBe('ran\n');
    expect(direct.stderr().trim().split('\n')).toHaveLength(1);
    expect(direct.stderr()).toMatch(/no sandbox \(bubblewrap is not installed/);
  });
});
