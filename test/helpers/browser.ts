// Debian's Chromium through playwright-core (never a downloaded browser), and the built console.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, NODE22, ROOT } from './env.ts';

export const CONSOLE_DIR = join(ROOT, 'out', 'renderer');

function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

/** Builds the renderer when out/renderer is missing or older than its sources (a fresh clone, an edit). */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE_DIR, 'index.html');
  const sources = Math.max(newest(join(ROOT, 'renderer')), newest(join(ROOT, 'shared')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const r = spawnSync(NODE22, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stderr}`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Recorded in the page before any app script runs: the text of every response the console's transport
 * receives, including each chunk of the event stream, so a test can check what reached the renderer.
 */
export const TRANSPORT_RECORDER = `
  window.__akcTransport = [];
  const origFetch = window.fetch.bind(window);
  window.fetch = async (...args) => {
    const res = await origFetch(...args);
    const url = String(args[0]);
    const copy = res.clone();
    if ((res.headers.get('content-type') || '').includes('event-stream') && copy.body) {
      // The event stream stays open: record each chunk as it arrives.
      const reader = copy.body.pipeThrough(new TextDecoderStream()).getReader();
      (async () => { for (;;) { const { value, done } = await reader.read(); if (done) break; window.__akcTransport.push({ kind: 'sse', url, text: value }); } })().catch(() => {});
    } else {
      copy.text().then((text) => window.__akcTransport.push({ kind: 'fetch', url, text }), () => {});
    }
    return res;
  };
`;
