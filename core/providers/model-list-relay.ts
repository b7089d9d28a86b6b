// Passing a filtered model list back to the agent: the upstream's whole answer is read (bounded), cut
// down to the allowlist (model-list.ts), and sent as one JSON body with a fresh length.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '../errors.ts';
import { downstreamHeaders } from '../server/upstream-headers.ts';
import { sendError } from '../server/respond.ts';
import { MODEL_LIST_LIMIT } from './model-list.ts';

/** Calls `done(true)` once the filtered list is sent, `done(false)` when it was refused or cut. */
export function relayRewritten(
  up: IncomingMessage,
  res: ServerResponse,
  status: number,
  requestId: string,
  rewrite: (text: string) => string,
  done: (ok: boolean) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  up.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MODEL_LIST_LIMIT) tooLarge = true;
    else chunks.push(c);
  });
  up.on('end', () => {
    let text: string;
    try {
      if (tooLarge) {
        throw new AppError('upstream_error', 'The provider’s model list is too large to filter.');
      }
      text = rewrite(Buffer.concat(chunks).toString('utf8'));
    } catch (err) {
      sendError(
        res,
        err instanceof AppError ? err : new AppError('upstream_error', 'The model list could not be read.'),
        requestId,
      );
      done(false);
      return;
    }
    const headers = downstreamHeaders(up.headers);
    delete headers['content-length'];
    delete headers['content-encoding'];
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(text);
    res.writeHead(status, headers);
    res.end(text);
    done(true);
  });
  up.on('error', () => {
    res.destroy();
    done(false);
  });
}
