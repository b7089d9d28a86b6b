// Turns whatever stopped an audit write into the one fail-closed error callers act on. The cause is
// named in a few words from the SQLite result code only, never from data, so no value can leak into it.
import { AppError } from '../errors.ts';

function shortCause(err: unknown): string {
  const code =
    err !== null && typeof err === 'object' && 'code' in err && typeof err.code === 'string' ? err.code : '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return 'the database is locked by another writer';
  if (code.startsWith('SQLITE_READONLY')) return 'the database is read-only';
  if (code.startsWith('SQLITE_FULL')) return 'the disk is full';
  if (code.startsWith('SQLITE_IOERR')) return 'a disk input/output error';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'the database file cannot be opened';
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'))
    return 'the database file is damaged';
  if (code.startsWith('SQLITE_CONSTRAINT')) return 'the entry conflicts with an existing one';
  if (code.startsWith('SQLITE_')) return `SQLite error ${code}`;
  if (err instanceof TypeError && /not open/i.test(err.message)) return 'the database is closed';
  if (err instanceof TypeError && /busy/i.test(err.message))
    return 'the database connection is busy with another read';
  return 'an unexpected error';
}

export function auditUnavailable(err: unknown): AppError {
  const error = new AppError(
    'audit_unavailable',
    `The audit log cannot be written (${shortCause(err)}). Nothing was forwarded. Check the data directory’s disk and permissions.`,
  );
  // Kept for the developer's debugger; the message above is what people and agents see.
  error.cause = err;
  return error;
}
