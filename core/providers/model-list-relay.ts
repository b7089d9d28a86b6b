// Passing a filtered model list back to the agent: the upstream's whole answer is read (bounded), cut
// down to the allowlist (model-list.ts), and sent as one JSON body with a fresh length.
import type { ServerResponse } from 'node:http';
import { AppError } from '../errors.ts';
import { wholeTextHeaders } from '../server/upstream-headers.ts';
import { sendError } from '../server/respond.ts';
import { readWhole, type UpstreamResponse } from '../server/upstream-client.ts';
import { MODEL_LIST_LIMIT } from './model-list.ts';

/** Calls `done(true)` once the filtered list is sent, `done(false)` when it was refused or cut. */
export function relayRewritten(
  up: UpstreamResponse,
  res: ServerResponse,
  requestId: string,
  rewrite: (text: string) => string,
  done: (ok: boolean) => void,
): void {
  readWhole(
    up.body,
    MODEL_LIST_LIMIT,
    (bytes, overflowed) => {
      let text: string;
      try {
        if (overflowed) {
          throw new AppError('upstream_error', 'The provider’s model list is too large to filter.');
        }
        text = rewrite(bytes.toString('utf8'));
      } catch (err) {
        sendError(
          res,
          err instanceof AppError ? err : new AppError('upstream_error', 'The model list could not be read.'),
          requestId,
        );
        done(false);
        return;
      }
      const headers = wholeTextHeaders(up.headers, text);
      delete headers['content-encoding'];
      headers['content-type'] = 'application/json';
      res.writeHead(up.status, headers);
      res.end(text);
      done(true);
    },
    () => {
      if (!res.writableEnded) res.destroy();
      done(false);
    },
  );
}
