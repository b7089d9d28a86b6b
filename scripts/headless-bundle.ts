// The headless daemon as one plain JavaScript file (out/headless/headless.js), built from core/ and shared/
// with Vite (dependencies stay in node_modules). `npm start` runs it instead of the TypeScript sources:
// Node then never loads its TypeScript stripper, which saves about 30 MB of memory and 40 % of the start
// time (docs/benchmarks.md). The bundle is rebuilt whenever the digest of its sources differs from the one it
// was built from, so what runs is always what the sources say.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** This file: how a bundle is built is part of what it is built from. */
const SELF = 'scripts/headless-bundle.ts';

export interface Bundle {
  /** Checkout root. */
  root: string;
  /** Entry, relative to root (e.g. core/cli/headless.ts). */
  entry: string;
  /** Every folder (relative to root) whose TypeScript the entry imports: the bundle's sources. */
  sources: readonly string[];
  /** Output folder, relative to root; the file is <entry's base name>.js there. */
  outDir: string;
}

/**
 * V8 flags for the daemon, so its memory levels off low under sustained load (docs/benchmarks.md). With V8's
 * defaults the old generation grows to ~45 MB of mostly dead request objects before its first full GC, and
 * the resident size stays at that peak: ~178 MB after a minute at full load. A 2 × 8 MB young generation and
 * an old generation allowed to grow 1.5× its live size between full GCs level off at ~144 MB within 15 s;
 * CPU per request moved within the run-to-run noise (±5 %).
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--heap-growing-percent=50'];

export const HEADLESS: Omit<Bundle, 'root'> = {
  entry: 'core/cli/headless.ts',
  sources: ['core', 'shared'],
  outDir: 'out/headless',
};

function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const abs = join(root, dir);
  if (!existsSync(abs)) return out;
  for (const e of readdirSync(abs, { withFileTypes: true })) {
    const rel = join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(root, rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** SHA-256 over the path and bytes of every source the bundle is made from. */
export function sourcesDigest(b: Bundle): string {
  const h = createHash('sha256');
  const files = [...new Set(b.sources.flatMap((d) => sourceFiles(b.root, d)))].sort();
  files.push(SELF);
  for (const f of files) {
    const p = join(b.root, f);
    if (!existsSync(p)) continue;
    h.update(`${f}\0`);
    h.update(readFileSync(p));
    h.update('\0');
  }
  return h.digest('hex');
}

function bundleFile(b: Bundle): string {
  const base = b.entry.split('/').pop()?.replace(/\.ts$/, '') ?? 'index';
  return join(b.root, b.outDir, `${base}.js`);
}

function digestFile(b: Bundle): string {
  return join(b.root, b.outDir, 'sources.sha256');
}

/** The bundle's path when it was built from exactly the sources there now; otherwise null. */
export function freshBundle(b: Bundle): string | null {
  const file = bundleFile(b);
  if (!existsSync(file) || !existsSync(digestFile(b))) return null;
  return readFileSync(digestFile(b), 'utf8').trim() === sourcesDigest(b) ? file : null;
}

/** Builds the bundle (about half a second) and returns its path. Throws with Vite's message on failure. */
export async function buildBundle(b: Bundle): Promise<string> {
  const digest = sourcesDigest(b);
  const file = bundleFile(b);
  // Built aside and renamed into place: a daemon starting meanwhile reads either the old file or the new one.
  const staging = join(b.outDir, `.build-${process.pid}`);
  const { build } = await import('vite');
  // Vite sets NODE_ENV=production in this process when it is unset: what the daemon then inherits must
  // not depend on whether this start happened to rebuild.
  const nodeEnv = process.env.NODE_ENV;
  try {
    await build({
      configFile: false,
      root: b.root,
      logLevel: 'warn',
      publicDir: false,
      envDir: false,
      build: {
        ssr: b.entry,
        outDir: staging,
        emptyOutDir: true,
        target: 'node22',
        minify: false,
        sourcemap: false,
        reportCompressedSize: false,
        rolldownOptions: { output: { format: 'esm', entryFileNames: '[name].js' } },
      },
    });
    // The old digest goes first: until the new one is written, no digest vouches for the file in place.
    rmSync(digestFile(b), { force: true });
    renameSync(join(b.root, staging, basename(file)), file);
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
    rmSync(join(b.root, staging), { recursive: true, force: true });
  }
  // Written last, and only if no source changed while Vite read them: a build that stopped half-way, or
  // one that may hold a mix of two versions, leaves no digest and is rebuilt by the next start.
  if (sourcesDigest(b) === digest) writeFileSync(digestFile(b), `${digest}\n`);
  return file;
}

/** The fresh bundle, built first if the sources changed since (or it was never built). */
export async function ensureBundle(b: Bundle): Promise<{ file: string; built: boolean }> {
  const fresh = freshBundle(b);
  if (fresh !== null) return { file: fresh, built: false };
  return { file: await buildBundle(b), built: true };
}
