// The path an agent asks the proxy for, checked before anything else reads it. Each segment is decoded
// once and must then consist only of plain path characters (letters, digits, - . _ ~ ! $ & ' ( ) * + , = : @):
// no "." or ".." segments, no encoded slashes, backslashes, "%", "#", "?", ";", spaces, control or
// non-ASCII characters, no empty segments; a trailing "/" is dropped. What is forwarded is exactly the
// path policy saw, so no upstream can read it differently.
import { AppError } from '../errors.ts';

export interface ProxyPath {
  /** The canonical path: what policy sees and what the upstream receives. */
  path: string;
  /** Lower-cased, for recognising sensitive endpoints whatever the case the agent used. */
  lower: string;
}

const PLAIN = /^[A-Za-z0-9\-._~!$&'()*+,=:@]+$/;

function refuse(message: string): never {
  throw new AppError('bad_request', message, { path: 'path' });
}

export function checkProxyPath(rest: string): ProxyPath {
  const raw = rest === '' ? '/' : rest;
  if (!raw.startsWith('/')) refuse('The provider path must start with "/".');
  let segments = raw.split('/').slice(1);
  if (segments.length > 1 && segments.at(-1) === '') segments = segments.slice(0, -1);
  const decoded: string[] = [];
  for (const seg of segments) {
    if (seg === '' && segments.length > 1) refuse('The provider path has an empty segment ("//").');
    if (seg === '') continue;
    let d: string;
    try {
      d = decodeURIComponent(seg);
    } catch {
      refuse('The provider path is not valid percent-encoding.');
    }
    if (d === '.' || d === '..') refuse('The provider path may not contain "." or ".." segments.');
    // Encoded "/", "\", "#", "%", ";", NUL, spaces and the like would let an upstream read another path.
    if (!PLAIN.test(d))
      refuse("The provider path may contain only letters, digits and - . _ ~ ! $ & ' ( ) * + , = : @.");
    decoded.push(d);
  }
  const path = `/${decoded.join('/')}`;
  return { path, lower: path.toLowerCase() };
}

/** The upstream URL; refused if URL parsing would change the path policy saw. */
export function upstreamUrl(baseUrl: string, path: string, query: string): URL {
  const base = baseOf(baseUrl);
  const basePath = base.path;
  const target = new URL(`${base.trimmed}${path === '/' ? '' : path}${query ? `?${query}` : ''}`);
  if (
    target.pathname !== `${basePath}${path === '/' ? '' : path}` &&
    !(path === '/' && target.pathname === '/')
  ) {
    refuse('The provider path would be rewritten on its way upstream.');
  }
  if (target.origin !== base.origin) refuse('The provider path would leave the provider.');
  // The query must reach the provider exactly as policy read it (no fragment cutting it short).
  if (target.hash !== '' || target.search !== (query ? `?${query}` : '')) {
    refuse(
      'The query string would be rewritten on its way upstream (remove "#" and unencoded special characters).',
    );
  }
  return target;
}

interface Base {
  origin: string;
  /** The base URL's path without trailing slashes. */
  path: string;
  /** The base URL as configured, without trailing slashes. */
  trimmed: string;
}

/** Parsed base URLs (few: one per provider); a provider's URL change brings a new string, so a new entry. */
const bases = new Map<string, Base>();

function baseOf(baseUrl: string): Base {
  let base = bases.get(baseUrl);
  if (base === undefined) {
    const url = new URL(baseUrl);
    base = {
      origin: url.origin,
      path: url.pathname.replace(/\/+$/, ''),
      trimmed: baseUrl.replace(/\/+$/, ''),
    };
    if (bases.size >= 64) bases.clear();
    bases.set(baseUrl, base);
  }
  return base;
}
