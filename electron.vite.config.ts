// Build of the Electron app: main (ESM, Node target), sandboxed preload (CommonJS, self-contained),
// renderer (React, from renderer/index.html). Output: out/main, out/preload, out/renderer.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      lib: { entry: resolve(root, 'electron/main/index.ts') },
      // Native modules stay in node_modules (loaded at run time); other dependencies are externalized too.
      externalizeDeps: { include: ['better-sqlite3', '@napi-rs/keyring'] },
      rolldownOptions: { external: ['better-sqlite3', '@napi-rs/keyring'] },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // A sandboxed preload can only require('electron') and cannot load ES modules: bundle everything
      // it imports into one CommonJS file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      // Served to the browser console too: ship it minified. One ~0.5 MB script, loaded from loopback or
      // the app's own files: splitting it would buy nothing, so Vite's 500 kB chunk warning is raised.
      minify: true,
      chunkSizeWarningLimit: 1500,
      rolldownOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
  },
});
