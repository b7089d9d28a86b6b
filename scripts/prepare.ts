// `npm install` / `npm ci` (the "prepare" script): builds the app (console, Electron shell) and the headless
// daemon bundle when they are older than their sources, so the first `npm start` serves a working console at
// once. A failed build does not fail the install: it is reported, and `npm start` tries again.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appBuildArgs, appStale } from './app-build.ts';
import { ensureBundle, HEADLESS } from './headless-bundle.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const t0 = performance.now();
const done: string[] = [];
if (appStale(root)) {
  const result = spawnSync(process.execPath, appBuildArgs(root), {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (result.status === 0) done.push('the app');
  else
    process.stderr.write(
      `Building the app failed; \`npm start\` will try again (run \`npm run build\` to see why):\n${result.stderr}\n`,
    );
}
try {
  if ((await ensureBundle({ root, ...HEADLESS })).built) done.push('the headless daemon');
} catch (err) {
  process.stderr.write(
    `Building the headless daemon failed; \`npm start\` will try again: ${err instanceof Error ? err.message : String(err)}\n`,
  );
}
if (done.length > 0)
  process.stdout.write(`Built ${done.join(' and ')} in ${((performance.now() - t0) / 1000).toFixed(1)} s.\n`);
