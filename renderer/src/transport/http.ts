// HTTP + SSE transport for the headless browser console. Auth is the HttpOnly session cookie the daemon
// sets when the owner opens the printed login link, plus the session proof header (see session.ts).
// Events arrive over a fetch stream (not EventSource) so that they carry the proof header too.
import {
  httpRequestFor,
  queryString,
  type AdminOpName,
  type OpInput,
  type OpOutput,
} from '../../../shared/contract.ts';
import type { AppEvent } from '../../../shared/events.ts';
import { checkedAnswer, eventFromBlock } from './receive.ts';
import { TransportError, type ConnectionState, type ExportQuery, type Transport } from './types.ts';
import { sessionHeaders } from './session.ts';

const EVENTS_PATH = '/admin/v1/events';
const EXPORT_PATH = '/admin/v1/audit/export';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function errorFrom(res: Response): Promise<TransportError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  const err = isRecord(body) && isRecord(body['error']) ? body['error'] : null;
  const code =
    typeof err?.['code'] === 'string' ? err['code'] : res.status === 401 ? 'unauthorized' : 'internal_error';
  const message = typeof err?.['message'] === 'string' ? err['message'] : `Request failed (${res.status}).`;
  const path = typeof err?.['path'] === 'string' ? err['path'] : undefined;
  return new TransportError(code, message, path, res.status);
}

/** "agent-keychain-audit-2026-11-24-agt_x-denied.jsonl": the day of export and the filter, file-name safe. */
export function exportFileName(query: ExportQuery, format: 'jsonl' | 'csv', now: Date): string {
  const parts = ['agent-keychain-audit', now.toISOString().slice(0, 10)];
  if (query.agentId) parts.push(query.agentId);
  if (query.decision) parts.push(query.decision);
  if (query.action) parts.push(query.action.replace(/\*/g, 'all'));
  if (query.since) parts.push(`since-${query.since.slice(0, 10)}`);
  if (query.until) parts.push(`until-${query.until.slice(0, 10)}`);
  return `${parts.join('-').replace(/[^A-Za-z0-9_.-]/g, '_')}.${format}`;
}

export function createHttpTransport(base = ''): Transport {
  const eventListeners = new Set<(e: AppEvent) => void>();
  const connListeners = new Set<(s: ConnectionState) => void>();
  let stream: AbortController | null = null;

  const emitConn = (s: ConnectionState): void => {
    for (const l of connListeners) l(s);
  };

  const dispatch = (block: string): void => {
    const event = eventFromBlock(block);
    if (event) for (const l of eventListeners) l(event);
  };

  const run = async (ctrl: AbortController): Promise<void> => {
    let delay = 500;
    while (!ctrl.signal.aborted) {
      try {
        const res = await fetch(`${base}${EVENTS_PATH}`, {
          credentials: 'same-origin',
          headers: { accept: 'text/event-stream', ...sessionHeaders() },
          signal: ctrl.signal,
        });
        if (res.status === 401) {
          emitConn('closed');
          return;
        }
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        emitConn('open');
        delay = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let idx: number;
          while ((idx = buf.indexOf('\n\n')) >= 0) {
            dispatch(buf.slice(0, idx));
            buf = buf.slice(idx + 2);
          }
        }
      } catch {
        if (ctrl.signal.aborted) return;
      }
      emitConn('reconnecting');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };

  const open = (): void => {
    if (stream) return;
    stream = new AbortController();
    void run(stream);
  };

  const close = (): void => {
    stream?.abort();
    stream = null;
  };

  return {
    kind: 'http',
    async call<N extends AdminOpName>(name: N, input: OpInput<N>): Promise<OpOutput<N>> {
      const { method, target: path, body } = httpRequestFor(name, input);
      const target = `${base}${path}`;
      const init: RequestInit = {
        method,
        credentials: 'same-origin',
        headers: { accept: 'application/json', ...sessionHeaders() },
      };
      if (body !== undefined) {
        init.headers = {
          accept: 'application/json',
          'content-type': 'application/json',
          ...sessionHeaders(),
        };
        init.body = JSON.stringify(body);
      }
      let res: Response;
      try {
        res = await fetch(target, init);
      } catch {
        throw new TransportError('offline', 'The keychain is not answering. Is it still running?');
      }
      if (!res.ok) throw await errorFrom(res);
      let json: unknown;
      try {
        json = await res.json();
      } catch {
        json = undefined;
      }
      return checkedAnswer(name, json, res.status);
    },
    subscribe(listener) {
      eventListeners.add(listener);
      open();
      return () => {
        eventListeners.delete(listener);
        if (!eventListeners.size) close();
      };
    },
    onConnection(listener) {
      connListeners.add(listener);
      return () => connListeners.delete(listener);
    },
    async exportAudit(query: ExportQuery, format) {
      // Fetched with the session proof, then handed to the browser as a download.
      let res: Response;
      try {
        res = await fetch(`${base}${EXPORT_PATH}${queryString({ format, ...query })}`, {
          credentials: 'same-origin',
          headers: sessionHeaders(),
        });
      } catch {
        throw new TransportError('offline', 'The keychain is not answering. Is it still running?');
      }
      if (!res.ok) throw await errorFrom(res);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = exportFileName(query, format, new Date());
      a.rel = 'noopener';
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },
  };
}
