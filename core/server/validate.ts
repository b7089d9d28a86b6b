// Schema validation at the edge: the first issue becomes a bad_request naming the exact field path.
import type { z } from 'zod';
import { AppError } from '../errors.ts';
import { formatIssuePath } from '../../shared/issue-path.ts';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? formatIssuePath(issue.path) : '';
  if (issue?.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const first = keys[0] ?? '';
    const where = path === '' ? 'the request' : path;
    throw new AppError(
      'bad_request',
      `Unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')} in ${where}.`,
      { path: formatIssuePath([...issue.path, first]) },
    );
  }
  const message = issue?.message ?? 'Invalid input.';
  throw new AppError('bad_request', path === '' ? message : `${path}: ${message}`, { path });
}
