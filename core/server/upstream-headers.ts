// Which request and response headers cross the proxy. The agent's credential, cookies and browser
// context never go upstream; hop-by-hop headers never cross in either direction. Headers that would change
// what the call does or who pays are refused before anything is read (checkRequestHeaders), never dropped
// silently: the provider gets the request policy saw, or nothing.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { ProviderKind } from '../../shared/facts.ts';
import { AppError } from '../errors.ts';
import type { UpstreamRequestHeaders } from './upstream-client.ts';

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
  // Only "identity" gets this far (anything else is refused): the body is forwarded as it was read.
  'content-encoding',
  // We answer "100 Continue" ourselves and send the whole body at once: there is nothing to wait for.
  'expect',
]);

/** Connection options that name no header. */
const CONNECTION_OPTIONS = new Set(['close', 'keep-alive']);
/** Would make the provider run another method than the one policy checked. */
const METHOD_OVERRIDES = ['x-http-method-override', 'x-http-method', 'x-method-override'];
/** Re-point a call to another account; only the adapter of the kind that reads them (and a scope) may pass them. */
const BILLING_HEADERS: Readonly<Record<string, ProviderKind | null>> = {
  'stripe-account': 'stripe',
  'stripe-context': null,
  'openai-organization': 'openai',
  'openai-project': 'openai',
};

/**
 * Refuses request headers the proxy would otherwise have to drop or could not vouch for: a Connection header
 * naming an end-to-end header (the hop would strip it, e.g. the content type policy read), method overrides,
 * and billing headers the provider kind's adapter does not check against a scope.
 */
export function checkRequestHeaders(incoming: IncomingHttpHeaders, kind: ProviderKind): void {
  const connection = incoming.connection;
  if (connection !== undefined) {
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name === '' || CONNECTION_OPTIONS.has(name) || HOP_BY_HOP.has(name)) continue;
      throw new AppError(
        'bad_request',
        `The Connection header names "${name.slice(0, 64)}", an end-to-end header the proxy would have to remove; only hop-by-hop headers may be listed there.`,
        { path: 'headers.connection' },
      );
    }
  }
  for (const name of METHOD_OVERRIDES) {
    if (incoming[name] !== undefined) {
      throw new AppError(
        'bad_request',
        `The ${name} header is refused: send the request with the method you mean.`,
        { path: `headers.${name}` },
      );
    }
  }
  for (const [name, reader] of Object.entries(BILLING_HEADERS)) {
    if (incoming[name] !== undefined && reader !== kind) {
      throw new AppError(
        'bad_request',
        `The ${name} header is refused for a ${kind} provider: it would change who the call acts for or bills, which no scope here can allow.`,
        { path: `headers.${name}` },
      );
    }
  }
}

const DROP_DOWN = new Set(['set-cookie', 'alt-svc', 'strict-transport-security']);

export function upstreamHeaders(
  incoming: IncomingHttpHeaders,
  auth: Record<string, string>,
  defaults: Readonly<Record<string, string>> | undefined,
  bodyLength: number,
): UpstreamRequestHeaders {
  const out: UpstreamRequestHeaders = {};
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
  if (bodyLength > 0) out['content-length'] = String(bodyLength);
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

/** The provider's headers for an answer passed on as one text body we wrote: its own, fresh length. */
export function wholeTextHeaders(incoming: IncomingHttpHeaders, text: string): OutgoingHttpHeaders {
  const out = downstreamHeaders(incoming);
  delete out['content-length'];
  out['content-length'] = Buffer.byteLength(text);
  return out;
}
