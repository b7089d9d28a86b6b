// One canonical reading of a request body. For every endpoint whose facts feed policy, the body is read under
// exactly one content type (the provider's own), as strict UTF-8, and anything another parser could read
// differently is refused: duplicate keys, keys that differ only in case, a case variant of a field policy
// reads ("To" for "to"), characters a form parser may treat as separators. The bytes read here are the bytes
// forwarded, so what policy checked is what the provider gets (README "Security").
import { AppError } from '../errors.ts';
import type { AdapterRequest } from './types.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The media type (lower-cased, no parameters) and the charset parameter, if any. */
export function mediaTypeOf(req: AdapterRequest): { type: string; charset: string | undefined } {
  const raw = req.headers['content-type'];
  const text = typeof raw === 'string' ? raw : '';
  const parts = text.split(';');
  const type = (parts[0] ?? '').trim().toLowerCase();
  let charset: string | undefined;
  for (const p of parts.slice(1)) {
    const [name, value] = p.split('=');
    if (name?.trim().toLowerCase() === 'charset')
      charset = (value ?? '').trim().replace(/^"|"$/g, '').toLowerCase();
  }
  return { type, charset };
}

/**
 * Refuses (415) a body that is not sent as `expected`, with at most a UTF-8 charset. Called only for endpoints
 * whose body policy reads; `what` names the endpoint in the message.
 */
export function requireMediaType(req: AdapterRequest, expected: string, what: string): void {
  const { type, charset } = mediaTypeOf(req);
  if (type !== expected) {
    throw new AppError(
      'unsupported_media_type',
      `${what} must be sent with "content-type: ${expected}"${type === '' ? ' (none was given)' : ` (got "${type}")`}.`,
    );
  }
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AppError(
      'unsupported_media_type',
      `${what} must be UTF-8 (the content-type names charset "${charset}").`,
    );
  }
}

/** The body as text; refused when it is not valid UTF-8 (a lenient decoder would read other characters). */
export function bodyText(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new AppError('bad_request', 'The request body is not valid UTF-8.', { path: 'body' });
  }
}

function duplicate(key: string): never {
  throw new AppError('bad_request', `The field "${key}" is given more than once; send each field once.`, {
    path: key,
  });
}

function caseVariant(key: string, other: string): never {
  throw new AppError(
    'bad_request',
    `The fields "${key}" and "${other}" differ only in case; send the field once, spelled in lower case.`,
    { path: key },
  );
}

/**
 * Checks the keys of every object in a JSON text that JSON.parse has already accepted: no key twice (JSON.parse
 * keeps the last, other parsers the first), no two keys equal but for case, and no case variant of a field in
 * `sensitive` (lower-case names policy reads). One linear pass over the text, strings skipped with indexOf.
 */
export function checkJsonKeys(text: string, sensitive: ReadonlySet<string>): void {
  // Per open container: null for arrays, the keys seen (lower-cased → as written) for objects.
  const stack: (Map<string, string> | null)[] = [];
  let expectKey = false;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) return; // unreachable for text JSON.parse accepted
        let b = q - 1;
        let slashes = 0;
        while (b > i && text.charCodeAt(b) === 92 /* \ */) {
          slashes++;
          b--;
        }
        j = q + 1;
        if (slashes % 2 === 0) break;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const rawKey = text.slice(i + 1, j - 1);
        const key = rawKey.includes('\\') ? (JSON.parse(text.slice(i, j)) as string) : rawKey;
        const lower = key.toLowerCase();
        const seen = top.get(lower);
        if (seen !== undefined) {
          if (seen === key) duplicate(key);
          caseVariant(key, seen);
        }
        if (lower !== key && sensitive.has(lower)) caseVariant(key, lower);
        top.set(lower, key);
        expectKey = false;
      }
      i = j;
      continue;
    }
    if (c === 123 /* { */) {
      stack.push(new Map());
      expectKey = true;
    } else if (c === 91 /* [ */) {
      stack.push(null);
      expectKey = false;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 44 /* , */) {
      expectKey = stack.length > 0 && stack[stack.length - 1] !== null;
    }
    i++;
  }
}

/** Parses a JSON body: strict UTF-8, valid JSON, and keys checked (see checkJsonKeys). Empty gives undefined. */
export function parseCanonicalJson(req: AdapterRequest, sensitive: ReadonlySet<string>): unknown {
  if (req.body.length === 0) return undefined;
  const text = bodyText(req.body);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new AppError('bad_request', 'The request body is not valid JSON.', { path: 'body' });
  }
  if (typeof value === 'object' && value !== null) checkJsonKeys(text, sensitive);
  return value;
}

// What stripe-node (qs, brackets left literal) and any careful form encoder send: unreserved characters,
// percent escapes, "+" for space, and "=", "&", "[", "]" as structure. A raw ";" (a separator to some form
// parsers), spaces, quotes or non-ASCII are refused rather than read one way here and another upstream.
const FORM_CHARS = /^[A-Za-z0-9\-_.!~*'()%[\]=&+]*$/;
const BAD_ESCAPE = /%(?![0-9A-Fa-f]{2})/;
// A parameter name: a lower-case top-level name, then any number of [subkeys] (metadata keys keep their case).
const FORM_KEY = /^[a-z0-9_]+(?:\[[^[\]]*\])*$/;

export type FormParams = Map<string, string[]>;

function formDecode(part: string, what: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new AppError('bad_request', `A form ${what} is not valid percent-encoded UTF-8.`, { path: 'body' });
  }
}

/**
 * Parses an application/x-www-form-urlencoded body strictly: every pair "name=value", names lower-case at the top
 * level, a name given twice only when it ends in "[]" (a list), and no two names equal but for case.
 */
export function parseCanonicalForm(text: string): FormParams {
  const params: FormParams = new Map();
  if (text === '') return params;
  if (!FORM_CHARS.test(text) || BAD_ESCAPE.test(text)) {
    throw new AppError(
      'bad_request',
      "The form body has characters that must be percent-encoded (only letters, digits, - _ . ! ~ * ' ( ) [ ] and %XX escapes may appear as they are).",
      { path: 'body' },
    );
  }
  const lowered = new Map<string, string>();
  for (const pair of text.split('&')) {
    const eq = pair.indexOf('=');
    if (pair === '' || eq <= 0) {
      throw new AppError(
        'bad_request',
        'Every form field must be "name=value" (empty or bare fields are refused).',
        {
          path: 'body',
        },
      );
    }
    const key = formDecode(pair.slice(0, eq), 'name');
    const value = formDecode(pair.slice(eq + 1), 'value');
    if (!FORM_KEY.test(key)) {
      throw new AppError(
        'bad_request',
        `The form field name "${key.slice(0, 80)}" is not a parameter name (lower-case, with optional [subkeys]).`,
        { path: key.slice(0, 80) },
      );
    }
    const values = params.get(key);
    if (values !== undefined) {
      if (!key.endsWith('[]')) duplicate(key);
      values.push(value);
      continue;
    }
    const lower = key.toLowerCase();
    const other = lowered.get(lower);
    if (other !== undefined) caseVariant(key, other);
    lowered.set(lower, key);
    params.set(key, [value]);
  }
  return params;
}

/** Query keys (lower-cased) of a raw query string. */
export function queryKeys(query: string): string[] {
  if (query === '') return [];
  const keys: string[] = [];
  for (const [key] of new URLSearchParams(query)) keys.push(key.toLowerCase());
  return keys;
}

/**
 * Refuses a query string that names a field policy reads from the body (or any top-level body field): the
 * provider could read the query instead of the body.
 */
export function refusePolicyQuery(
  query: string,
  sensitive: ReadonlySet<string>,
  body: Record<string, unknown> | undefined,
): void {
  for (const key of queryKeys(query)) {
    if (sensitive.has(key) || (body !== undefined && Object.hasOwn(body, key))) {
      throw new AppError(
        'bad_request',
        `"${key}" may not be given in the query string: send it in the body, where policy reads it.`,
        { path: `query.${key}` },
      );
    }
  }
}
