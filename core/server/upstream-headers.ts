// Which request and response headers cross the proxy. The agent's credential, cookies and browser
// context never go upstream; hop-by-hop headers never cross in either direction.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

// Never forwarded upstream: our credential headers, the Host (set from baseUrl), length (recomputed),
// browser context, our own Prefer, and accept-encoding (we read usage from the body, so we ask for identity).
const DROP_UP = new Set([
  'host',
  'authorization',
  'x-api-key',
  'api-key',
  'cookie',
  'origin',
  'referer',
  'prefer',
  'content-length',
  'accept-encoding',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  // Headers that would change what the call does or who pays, which policy never sees.
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'content-encoding',
  'stripe-account',
  'stripe-context',
  'openai-organization',
  'openai-project',
]);

const DROP_DOWN = new Set(['set-cookie', 'alt-svc', 'strict-transport-security']);

export function upstreamHeaders(
  incoming: IncomingHttpHeaders,
  auth: Record<string, string>,
  defaults: Readonly<Record<string, string>> | undefined,
  bodyLength: number,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const connectionListed = new Set(
    (incoming.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    if (HOP_BY_HOP.has(name) || DROP_UP.has(name) || connectionListed.has(name)) continue;
    if (name.startsWith('x-akc-')) continue;
    out[name] = value;
  }
  if (defaults) for (const [k, v] of Object.entries(defaults)) if (out[k] === undefined) out[k] = v;
  // The master key goes only into the provider's own auth header.
  for (const [k, v] of Object.entries(auth)) out[k.toLowerCase()] = v;
  out['accept-encoding'] = 'identity';
  if (bodyLength > 0) out['content-length'] = bodyLength;
  return out;
}

export function downstreamHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || DROP_DOWN.has(name)) continue;
    if (name.startsWith('access-control-')) continue; // no CORS headers, ever
    out[name] = value;
  }
  return out;
}
