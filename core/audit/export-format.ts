// Export line formats. Each string is one complete record including its line terminator, ready to write
// to a stream: JSON Lines ("\n") or CSV per RFC 4180 ("\r\n", fields with a comma, quote, CR or LF are
// quoted, quotes doubled). CSV facts are one column of canonical JSON.
//
// CSV opened in a spreadsheet: text that starts with = + - @ TAB or CR would run as a formula, and agent
// names and paths come from agents. Such text fields get a leading apostrophe (OWASP "CSV injection");
// numbers are written as they are. JSON Lines is the faithful, machine-readable format.
import { canonicalJson } from './canonical.ts';
import type { AuditEntry } from '../../shared/models.ts';

export type ExportFormat = 'jsonl' | 'csv';

export const CSV_COLUMNS = [
  'seq',
  'time',
  'agentId',
  'agentName',
  'actor',
  'action',
  'provider',
  'method',
  'path',
  'facts',
  'decision',
  'reason',
  'rule',
  'status',
  'latencyMs',
  'costUsd',
  'requestId',
  'chain',
  'caller',
  'prevHash',
  'hash',
] as const satisfies readonly (keyof AuditEntry)[];

// A spreadsheet in a locale whose list separator is ";" (or one told to split on tabs) may start a new cell
// after either: quoted, the field stays one cell, and a formula character right after one is guarded as at
// the start of the field, for a reader that splits anyway. Agent text such as a path "/x;=HYPERLINK(…)"
// thus never becomes a formula.
const NEEDS_QUOTES = /[",;\t\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;
const FORMULA_AFTER_SEPARATOR = /([;\t])(?=[=+\-@])/g;

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const guarded = value.replace(FORMULA_AFTER_SEPARATOR, "$1'");
  const text = FORMULA_START.test(guarded) ? `'${guarded}` : guarded;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

export function csvLine(entry: AuditEntry): string {
  const cells = CSV_COLUMNS.map((column) => {
    if (column === 'facts') return csvField(entry.facts === null ? null : canonicalJson(entry.facts));
    if (column === 'caller') return csvField(entry.caller ? canonicalJson(entry.caller) : null);
    return csvField(entry[column] ?? null);
  });
  return `${cells.join(',')}\r\n`;
}

export function jsonLine(entry: AuditEntry): string {
  return `${JSON.stringify(entry)}\n`;
}
