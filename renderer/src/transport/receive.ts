// What the HTTP + SSE transport receives, checked against the contract before the store sees it. Pure and
// DOM-free (unit-tested): an answer must be the operation's output, an event one of the contract's events.
import { outputSchema, type AdminOpName, type OpOutput } from '../../../shared/contract.ts';
import { EVENT_NAMES, parseEvent, type AppEvent } from '../../../shared/events.ts';
import { formatIssuePath } from '../../../shared/issue-path.ts';
import { TransportError } from './types.ts';

const names = new Set<string>(EVENT_NAMES);

/** The answer to `name` as its output type, or a TransportError naming the field that does not match. */
export function checkedAnswer<N extends AdminOpName>(name: N, json: unknown, status: number): OpOutput<N> {
  const parsed = outputSchema(name).safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue ? formatIssuePath(issue.path) || 'answer' : 'answer';
  throw new TransportError(
    'internal_error',
    `The keychain sent an answer this page cannot read (${where}: ${issue?.message ?? 'invalid'}). Reload the page; if it keeps happening, report it.`,
    undefined,
    status,
  );
}

/**
 * One SSE block ("event: …\ndata: …") as a validated event. Comments, unknown event names and
 * unparsable data are skipped (null); data that does not match its event's schema is dropped and logged.
 */
export function eventFromBlock(block: string): AppEvent | null {
  let name = '';
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) name = line.slice(7);
    else if (line.startsWith('data: ')) data += line.slice(6);
  }
  if (!names.has(name) || data === '') return null;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  const parsed = parseEvent({ name, data: json });
  if (parsed.ok) return parsed.event;
  console.error(`[akc] an event from the keychain was dropped (${parsed.problem})`);
  return null;
}
