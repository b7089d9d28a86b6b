// Bounds on what an agent writes into its own facts. Facts go into policy, the approval prompt, the audit
// entry (every page, export and verify reads it) and the live event stream; an agent that could make them as
// large as its body (8 MiB) would bloat the log at will and, with one frame over a console tab's backlog
// limit, cut the owner's live stream (prompts included). A request whose facts pass these bounds is refused
// as a bad request before anything is decided or audited with them; the limits are far above real use.
import type { ProxyFacts } from '../../shared/facts.ts';
import { AppError } from '../errors.ts';

/** The longest model id a scope may list (shared/scopes.ts), so nothing longer could ever be allowed. */
const MODEL = 200;
/** RFC 5321's longest address path. */
const ADDRESS = 320;
/** Resend takes 100 emails a batch with 50 recipients each: 5,000 is every recipient a call can have. */
const RECIPIENTS = 5_000;
const PATH = 2_048;
const SHORT = 128;

function tooLong(field: string, max: number): never {
  throw new AppError('bad_request', `"${field}" is longer than ${max} characters.`, { path: field });
}

/** Throws bad_request when a fact the agent controls is larger than any real request makes it. */
export function checkFactsBounds(facts: ProxyFacts): void {
  if (facts.path.length > PATH) tooLong('path', PATH);
  if (facts.model !== undefined && facts.model.length > MODEL) tooLong('model', MODEL);
  const recipients = facts.recipients;
  if (recipients !== undefined) {
    if (recipients.length > RECIPIENTS)
      throw new AppError('bad_request', `More than ${RECIPIENTS} recipients in one call.`, { path: 'to' });
    for (const r of recipients) if (r.length > ADDRESS) tooLong('to', ADDRESS);
  }
  for (const field of ['currency', 'account', 'organization', 'project'] as const) {
    const value = facts[field];
    if (value !== undefined && value.length > SHORT) tooLong(field, SHORT);
  }
  if (facts.card !== undefined) {
    if (facts.card.type.length > SHORT) tooLong('type', SHORT);
    const interval = facts.card.spendingLimit?.interval;
    if (interval !== undefined && interval.length > SHORT) tooLong('interval', SHORT);
  }
}
