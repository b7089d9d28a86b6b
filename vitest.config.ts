import { dirname, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vitest/config';

/** electron-vite's `?asset` imports (tray icons) resolve to the file's absolute path, as in the build. */
const assetPaths: Plugin = {
  name: 'akc-asset-paths',
  enforce: 'pre',
  resolveId(id, importer) {
    if (!id.endsWith('?asset') || !importer) return null;
    return `\0asset:${resolve(dirname(importer), id.slice(0, -'?asset'.length))}`;
  },
  load(id) {
    return id.startsWith('\0asset:')
      ? `export default ${JSON.stringify(id.slice('\0asset:'.length))};`
      : null;
  },
};

export default defineConfig({
  plugins: [assetPaths],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    // Off by default (targeted runs stay fast); .ci/run turns it on. scripts/test-summary.ts prints it per
    // folder above the closing line.
    coverage: {
      provider: 'v8',
      include: ['core/**/*.ts', 'shared/**/*.ts', 'electron/**/*.ts'],
      reporter: ['json-summary'],
      reportsDirectory: 'test-results/coverage',
    },
  },
});
