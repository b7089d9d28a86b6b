// Prints the plain closing line CI reads: "N passed, N failed, N skipped", from vitest's JSON report; above it,
// when the run measured coverage (`npm test -- --coverage.enabled`, as .ci/run does), the coverage of core/,
// shared/ and electron/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

type Count = { total: number; covered: number };
type FileCoverage = Record<'lines' | 'statements' | 'functions' | 'branches', Count>;

function printCoverage(summaryFile: string): void {
  if (!existsSync(summaryFile)) return;
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Record<string, FileCoverage>;
  const folders = new Map<string, FileCoverage & { files: number }>();
  for (const [path, cov] of Object.entries(summary)) {
    if (path === 'total') continue;
    const folder = `${relative(process.cwd(), path).split('/')[0] ?? ''}/`;
    const sum = folders.get(folder) ?? {
      files: 0,
      lines: { total: 0, covered: 0 },
      statements: { total: 0, covered: 0 },
      functions: { total: 0, covered: 0 },
      branches: { total: 0, covered: 0 },
    };
    sum.files += 1;
    for (const k of ['lines', 'statements', 'functions', 'branches'] as const) {
      sum[k].total += cov[k].total;
      sum[k].covered += cov[k].covered;
    }
    folders.set(folder, sum);
  }
  const pct = (c: Count): string => (c.total === 0 ? '100.0' : ((100 * c.covered) / c.total).toFixed(1));
  process.stdout.write('Coverage (lines, statements, functions, branches):\n');
  for (const [folder, c] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
    process.stdout.write(
      `  ${folder.padEnd(10)} ${pct(c.lines)} %  ${pct(c.statements)} %  ${pct(c.functions)} %  ${pct(c.branches)} %  (${c.files} files)\n`,
    );
  }
}

const file = process.argv[2] ?? 'test-results/vitest.json';
if (!existsSync(file)) {
  process.stdout.write('0 passed, 1 failed, 0 skipped\n');
  process.stderr.write(`No test report at ${file}: the test run did not complete.\n`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(file, 'utf8')) as {
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  numTotalTests?: number;
  testResults?: {
    status?: string;
    message?: string;
    name?: string;
    assertionResults?: { status?: string; fullName?: string }[];
  }[];
};
const failedSuites = (report.testResults ?? []).filter(
  (r) => r.status === 'failed' && (r.message ?? '') !== '',
).length;
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + failedSuites;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// Skipped tests say why in their names ("Electron app (skipped: no Electron binary)"): print them here,
// so a skip is never silent and never only in the JSON report.
for (const suite of report.testResults ?? []) {
  for (const t of suite.assertionResults ?? []) {
    if (t.status === 'skipped' || t.status === 'pending' || t.status === 'todo')
      process.stdout.write(
        `skipped: ${t.fullName ?? '(unnamed)'} [${suite.name?.replace(/^.*?\/test\//, 'test/') ?? ''}]\n`,
      );
  }
}
printCoverage(join(dirname(file), 'coverage', 'coverage-summary.json'));
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
