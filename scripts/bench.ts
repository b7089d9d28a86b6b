// `npm run bench`: every figure of the targets table in docs/benchmarks.md measured side by side in one run on this machine, loopback only.
// Benchmarks print; they never fail the build. `--only proxy` (or policy, floor, revoke, startup, approval, audit, auditgroup, soak; comma
// separated) runs some sections; `--cpu-prof <dir>` runs the daemon under --cpu-prof; `--soak <seconds>`
// sets the length of the memory soak (default 60 s).
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { benchPolicy } from './bench/policy.ts';
import { benchProxy } from './bench/proxy.ts';
import { benchFloor } from './bench/floor.ts';
import { benchRevoke } from './bench/revoke.ts';
import { benchStartup } from './bench/startup.ts';
import { formatValue, targetFor } from './bench/targets.ts';
import { benchApproval } from './bench/approval.ts';
import { benchAuditGroup } from './bench/audit-group.ts';
import { benchSoak } from './bench/soak.ts';

interface Section {
  name: string;
  title: string;
  run: () => Promise<Record<string, number>>;
}

async function benchAuditSection(): Promise<Record<string, number>> {
  // Owned by the audit engineer; loaded lazily so a missing or broken file fails only this section.
  const mod = (await import('./bench/audit.ts')) as { benchAudit?: unknown };
  if (typeof mod.benchAudit !== 'function')
    throw new Error('scripts/bench/audit.ts does not export benchAudit()');
  const result: unknown = await (mod.benchAudit as () => Promise<unknown>)();
  if (typeof result !== 'object' || result === null) throw new Error('benchAudit() returned no figures');
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(result)) if (typeof v === 'number') out[k] = v;
  return out;
}

const SECTIONS: Section[] = [
  { name: 'policy', title: 'credential lookup + policy decision, in process', run: benchPolicy },
  { name: 'proxy', title: 'proxy latency and throughput vs direct', run: benchProxy },
  {
    name: 'floor',
    title: 'the floor: pass-through, a proxy with only the committed audit, and the daemon',
    run: benchFloor,
  },
  { name: 'revoke', title: 'revoke under load', run: benchRevoke },
  { name: 'startup', title: 'headless start to ready', run: benchStartup },
  { name: 'approval', title: 'approval prompt latency to an SSE listener', run: benchApproval },
  { name: 'audit', title: 'audit append, query and verify', run: benchAuditSection },
  {
    name: 'auditgroup',
    title: 'audit appends through the group commit (request path)',
    run: benchAuditGroup,
  },
  { name: 'soak', title: 'daemon memory under sustained load (RSS curve)', run: benchSoak },
];

function parseArgs(argv: string[]): { only: Set<string> | null } {
  let only: Set<string> | null = null;
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] ?? '';
    if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? (argv[++i] ?? '') : a.slice('--only='.length);
      only = new Set(
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    } else if (a === '--cpu-prof' || a.startsWith('--cpu-prof=')) {
      const v = a === '--cpu-prof' ? (argv[++i] ?? 'bench-profiles') : a.slice('--cpu-prof='.length);
      process.env.AKC_BENCH_CPU_PROF = resolve(v);
    } else if (a === '--soak' || a.startsWith('--soak=')) {
      const v = a === '--soak' ? (argv[++i] ?? '') : a.slice('--soak='.length);
      if (!/^\d+$/.test(v) || Number(v) < 10)
        throw new Error('--soak takes the soak length in seconds (at least 10), e.g. --soak 600.');
      process.env.AKC_BENCH_SOAK_SECONDS = v;
    } else {
      throw new Error(
        `Unknown argument ${a}. Use --only ${SECTIONS.map((s) => s.name).join(',')}, --cpu-prof <dir> and/or --soak <seconds>.`,
      );
    }
  }
  if (only) {
    const unknown = [...only].filter((n) => !SECTIONS.some((s) => s.name === n));
    if (unknown.length > 0)
      throw new Error(
        `Unknown section ${unknown.join(', ')}; sections: ${SECTIONS.map((s) => s.name).join(', ')}.`,
      );
  }
  return { only };
}

function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (r: string[]): string =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join(' | ')
      .trimEnd();
  const [head, ...body] = rows;
  if (!head) return;
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of body) console.log(line(r));
}

async function main(): Promise<void> {
  const { only } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const rows: string[][] = [['figure', 'measured', 'target', 'met?']];
  const failed: string[] = [];
  console.log(
    `Agent Keychain benchmarks — Node ${process.version}, ${process.platform}/${process.arch}, loopback only`,
  );
  for (const section of SECTIONS) {
    if (only && !only.has(section.name)) continue;
    const load = loadavg()[0] ?? 0;
    console.log(
      `\n[${section.name}] ${section.title} (load average ${load.toFixed(2)} on ${availableParallelism()} CPUs${load > availableParallelism() ? ': the machine is busy, figures will be noisy' : ''})`,
    );
    const t0 = performance.now();
    try {
      const figures = await section.run();
      for (const [key, value] of Object.entries(figures)) {
        const target = targetFor(key);
        rows.push([
          key,
          formatValue(key, value),
          target?.text ?? '-',
          target ? (target.met(value) ? 'yes' : 'NO') : '',
        ]);
      }
      console.log(`  ✓ ${section.name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      failed.push(section.name);
      rows.push([`${section.name} (section failed)`, message.slice(0, 80), '-', 'NO']);
      console.log(
        `  ✗ ${section.name} failed after ${((performance.now() - t0) / 1000).toFixed(1)} s: ${message}`,
      );
    }
  }
  console.log(`\nResults (${((performance.now() - started) / 1000).toFixed(1)} s in all)\n`);
  printTable(rows);
  const missed = rows.slice(1).filter((r) => r[3] === 'NO').length;
  console.log(
    `\n${missed === 0 ? 'Every target met.' : `${missed} figure(s) missed their target or failed${failed.length ? ` (failed sections: ${failed.join(', ')})` : ''}.`} Benchmarks report; they do not fail the build.`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(2);
  },
);
