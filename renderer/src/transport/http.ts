// HTTP + SSE transport for the headless browser console. Auth is the HttpOnly session cookie the daemon
// sets when the owner opens the printed login link; this file never sees or stores a token.
import {
  adminOps,
  fillPath,
  pathParams,
  type AdminOpName,
  type OpInput,
  type OpOutput,
} from '../../../shared/contract.ts';
import { EVENT_NAMES, type AppEvent } from '../../../shared/events.ts';
import { TransportError, type ConnectionState, type ExportQuery, type Transport } from './types.ts';

const EVENTS_PATH = '/admin/v1/events';
const EXPORT_PATH = '/admin/v1/audit/export';

function queryString(fields: Record<string, unknown>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

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

export function createHttpTransport(base = ''): Transport {
  const eventListeners = new Set<(e: AppEvent) => void>();
  const connListeners = new Set<(s: ConnectionState) => void>();
  let source: EventSource | null = null;

  const emitConn = (s: ConnectionState): void => {
    for (const l of connListeners) l(s);
  };

  const open = (): void => {
    if (source) return;
    // Same-origin EventSource carries the session cookie; no token in the URL.
    const es = new EventSource(`${base}${EVENTS_PATH}`);
    source = es;
    es.onopen = () => emitConn('open');
    es.onerror = () => emitConn(es.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    for (const name of EVENT_NAMES) {
      es.addEventListener(name, (msg: MessageEvent<string>) => {
        let data: unknown;
        try {
          data = JSON.parse(msg.data);
        } catch {
          return;
        }
        const event = { name, data } as AppEvent;
        for (const l of eventListeners) l(event);
      });
    }
  };

  const close = (): void => {
    source?.close();
    source = null;
  };

  return {
    kind: 'http',
    async call<N extends AdminOpName>(name: N, input: OpInput<N>): Promise<OpOutput<N>> {
      const def = adminOps[name];
      const all: Record<string, unknown> = isRecord(input) ? input : {};
      const url = `${base}${fillPath(def.path, all)}`;
      // Path parameters travel in the path only; the rest is the query string (GET) or the JSON body.
      const inPath = new Set(pathParams(def.path));
      const fields = Object.fromEntries(Object.entries(all).filter(([k]) => !inPath.has(k)));
      const init: RequestInit = {
        method: def.method,
        credentials: 'same-origin',
        headers: { accept: 'application/json' },
      };
      let target = url;
      if (def.method === 'GET') target += queryString(fields);
      else if (def.method !== 'DELETE' || Object.keys(fields).length) {
        init.headers = { accept: 'application/json', 'content-type': 'application/json' };
        init.body = JSON.stringify(fields);
      }
      let res: Response;
      try {
        res = await fetch(target, init);
      } catch {
        throw new TransportError('offline', 'The keychain is not answering. Is it still running?');
      }
      if (!res.ok) throw await errorFrom(res);
      return (await res.json()) as OpOutput<N>;
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
    exportAudit(query: ExportQuery, format) {
      // A same-origin download: the cookie authorizes it and the daemon streams the file.
      const a = document.createElement('a');
      a.href = `${base}${EXPORT_PATH}${queryString({ format, ...query })}`;
      a.download = `agent-keychain-audit.${format}`;
      a.rel = 'noopener';
      document.body.append(a);
      a.click();
      a.remove();
      return Promise.resolve();
    },
  };
}
