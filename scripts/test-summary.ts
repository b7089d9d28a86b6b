// Prints the plain closing line CI reads: "N passed, N failed, N skipped", from vitest's JSON report.
import { existsSync, readFileSync } from 'node:fs';

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
process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
