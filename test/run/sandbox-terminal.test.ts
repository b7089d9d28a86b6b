// The `akc run` sandbox shares the owner's terminal. A sandboxed command that could push bytes into the
// terminal's input queue (TIOCSTI) would have the owner's shell run them outside the sandbox once akc run
// returns: the data directory, the Secret Service and the owner's CLI session (bound to that very shell)
// would be in reach (found by an attack review). The sandbox's seccomp filter refuses it (core/run/seccomp.ts),
// for root too, while the terminal stays the command's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestDaemon, type TestDaemon } from '../helpers/daemon.ts';
import { NODE22, ROOT } from '../helpers/env.ts';
import { AKC, enrolledAgent, type Enrolled } from './helpers.ts';
import { findBwrap } from '../../core/run/sandbox.ts';

const bwrap = findBwrap(process.env);
// Where the kernel refuses TIOCSTI to everyone (dev.tty.legacy_tiocsti = 0) these pass without the filter.
const skipped =
  bwrap === null
    ? 'bubblewrap is not installed'
    : !existsSync('/usr/bin/script')
      ? 'script(1) is not installed, so there is no terminal to run in'
      : null;
if (skipped !== null) console.log(`[akc run terminal] skipped: ${skipped}`);

let t: TestDaemon;
let bot: Enrolled;
const scratch = mkdtempSync(join(tmpdir(), 'akc-rev9-tty-'));

beforeAll(async () => {
  t = await startTestDaemon();
  bot = await enrolledAgent(t, 'tty-bot', {});
});
afterAll(async () => {
  await t.stop();
});

describe.skipIf(skipped !== null)(
  `akc run sandbox and the terminal${skipped === null ? '' : ` (skipped: ${skipped})`}`,
  () => {
    it('a sandboxed command cannot type commands into the owner’s shell (TIOCSTI) that run outside the sandbox', async () => {
      const stolen = join(scratch, 'stolen-daemon-json');
      // What the agent wants the owner's shell to run once akc run is over: a read of the hidden data dir.
      const payload = `cat '${join(t.dir, 'daemon.json')}' > '${stolen}'\n`;
      const inject = join(scratch, 'inject.pl');
      writeFileSync(
        inject,
        `my $s = ${JSON.stringify(payload).replace(/\$/g, '\\$')};\nioctl(STDIN, 0x5412, $_) for split //, $s;\n`,
      );
      // The sandboxed command can read the data directory itself? No (sandbox.test.ts). Check it here too.
      const inside = join(scratch, 'inside');
      const akcRun = `${NODE22} --no-warnings ${AKC} run --agent ${bot.name} --key-file ${bot.keyFile} -- sh -c "cat '${join(t.dir, 'daemon.json')}' > '${inside}' 2>/dev/null; perl '${inject}'"`;
      // The owner's shell: runs akc run, then reads its next command line from the terminal, as an
      // interactive shell does.
      const shell = `${akcRun}; echo AKC-RUN-DONE; read -r line; eval "$line"`;
      const run = spawn(
        'script',
        ['-q', '-e', '-c', `bash -c '${shell.replace(/'/g, `'\\''`)}'`, '/dev/null'],
        {
          cwd: ROOT,
          env: { ...process.env, AKC_DATA_DIR: t.dir },
          stdio: ['pipe', 'pipe', 'pipe'],
        },
      );
      let out = '';
      // Once akc run is over, the owner types an empty line: the shell reads whatever is queued first.
      run.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (!run.stdin.writableEnded && /AKC-RUN-DONE\r?\n/.test(out)) run.stdin.end('\n');
      });
      run.stderr.on('data', (c: Buffer) => (out += c.toString()));
      await new Promise<void>((r) => run.on('exit', () => r()));
      // Inside, the data directory is hidden (the sandbox works for direct reads)...
      expect(existsSync(inside) ? readFileSync(inside, 'utf8') : '').toBe('');
      // ...and nothing it typed ran outside it: the hidden file was not read by the owner's shell.
      const leaked = existsSync(stolen) ? readFileSync(stolen, 'utf8') : '';
      expect(leaked, `terminal output:\n${out}`).not.toContain(t.url);
    }, 30_000);

    it('refuses every form of the terminal-typing ioctls and nothing else the terminal needs', async () => {
      const probe = join(scratch, 'probe.pl');
      // TIOCSTI with high bits set (the kernel reads only the low 32), TIOCLINUX, then the window size.
      writeFileSync(
        probe,
        [
          'my $c = "x";',
          'print "sti:", (ioctl(STDIN, 0x5412, $c) ? "ok" : "refused"), "\\n";',
          'print "sti64:", (ioctl(STDIN, 0x700005412, $c) ? "ok" : "refused"), "\\n";',
          'my $sel = "\\x02"; print "linux:", (ioctl(STDIN, 0x541C, $sel) ? "ok" : "refused"), "\\n";',
          'my $ws = "\\0" x 8; print "winsz:", (ioctl(STDOUT, 0x5413, $ws) ? "ok" : "refused"), "\\n";',
        ].join('\n'),
      );
      const run = spawn(
        'script',
        [
          '-q',
          '-e',
          '-c',
          `${NODE22} --no-warnings ${AKC} run --agent ${bot.name} --key-file ${bot.keyFile} -- perl ${probe}`,
          '/dev/null',
        ],
        { cwd: ROOT, env: { ...process.env, AKC_DATA_DIR: t.dir }, stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let out = '';
      run.stdout.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((r) => run.on('exit', (c) => r(c)));
      run.stdin.end();
      expect(code, out).toBe(0);
      expect(out).toContain('sti:refused');
      expect(out).toContain('sti64:refused');
      expect(out).toContain('linux:refused');
      expect(out).toContain('winsz:ok');
    }, 30_000);
  },
);
