// Resend: the recipients (to, cc, bcc) of each email sent, for domain and address allowlists and daily counts.
// Only addresses become facts: never the subject, the sender's text or the message body.
// The body is read canonically (JSON only, no duplicate or case-variant keys, no recipient field in the query);
// CR or LF in an address or display name, and custom headers that could add or redirect recipients, are
// refused, so the provider cannot send to anyone policy did not see. Each email of a batch counts once.
import { baseFacts } from './base-facts.ts';
import type { ProxyFacts } from '../../shared/facts.ts';
import { AppError } from '../errors.ts';
import { isObject, type JsonObject } from './body.ts';
import { parseCanonicalJson, refusePolicyQuery, requireMediaType } from './canonical.ts';
import { keyHeader } from './auth.ts';
import type { ProviderAdapter } from './types.ts';

/** A bare address: no spaces, quotes, brackets or separators; a domain of dot-separated labels. */
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}\p{N}-]{2,}$/u;
/**
 * "Display Name <address>", with a double-quoted name or an unquoted one made of words (letters, digits, the
 * RFC 5322 atom symbols and ".") separated by ASCII spaces (control characters are refused before). Nothing
 * another mail parser could read as a recipient of its own is accepted in an unquoted name: no "@" (an
 * address), no ":" (a group), no ",", ";", brackets or quotes, and no Unicode space (a parser that splits on
 * it reads the part before as an address).
 */
const DISPLAY =
  /^(?:"(?:[^"\\]|\\.)*"|[\p{L}\p{N}\p{M}!#$%&'*+\-/=?^_`{|}~.]+(?: +[\p{L}\p{N}\p{M}!#$%&'*+\-/=?^_`{|}~.]+)*)? *<([^<>\s]+)>$/u;

/** True when `text` holds a C0 control character (CR, LF, NUL, …) or DEL. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32 || c === 127) return true;
  }
  return false;
}

/** Fields policy reads or that decide who receives the mail: never in the query, never in another case. */
const SENSITIVE: ReadonlySet<string> = new Set(['to', 'cc', 'bcc', 'from', 'reply_to', 'headers']);

/** Custom headers that would add, replace or redirect recipients; refused in an email's "headers". */
const RECIPIENT_HEADERS: ReadonlySet<string> = new Set([
  'to',
  'cc',
  'bcc',
  'from',
  'sender',
  'reply-to',
  'return-path',
  'resent-to',
  'resent-cc',
  'resent-bcc',
  'resent-from',
  'resent-sender',
  'disposition-notification-to',
  'errors-to',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

/** The lower-cased address of one recipient string, or null when it is not exactly one address. */
export function parseRecipient(raw: string): string | null {
  // Control characters (CR, LF, NUL, …) could start a new header line: never an address.
  if (hasControl(raw)) return null;
  let text = raw.trim();
  const display = DISPLAY.exec(text);
  if (display !== null) text = display[1] ?? '';
  text = text.toLowerCase();
  return ADDRESS.test(text) ? text : null;
}

function addField(email: JsonObject, field: 'to' | 'cc' | 'bcc', prefix: string, out: Set<string>): number {
  const value = email[field];
  if (value === undefined || value === null) return 0;
  const add = (item: unknown, path: string): void => {
    const address = typeof item === 'string' ? parseRecipient(item) : null;
    if (address === null) throw new AppError('bad_request', 'A recipient is not an email address.', { path });
    out.add(address);
  };
  if (typeof value === 'string') {
    add(value, prefix + field);
    return 1;
  }
  if (!Array.isArray(value)) {
    throw new AppError('bad_request', `"${field}" must be an address or a list of addresses.`, {
      path: prefix + field,
    });
  }
  value.forEach((item: unknown, i) => add(item, `${prefix}${field}[${i}]`));
  return value.length;
}

/** Refuses CR/LF in a sender or reply-to, and custom headers that could change who receives the email. */
function checkHeaders(email: JsonObject, prefix: string): void {
  for (const field of ['from', 'reply_to']) {
    const value = email[field];
    const values: unknown[] = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v === 'string' && hasControl(v)) {
        throw new AppError('bad_request', `"${field}" may not contain line breaks or control characters.`, {
          path: prefix + field,
        });
      }
    }
  }
  const headers = email.headers;
  if (headers === undefined || headers === null) return;
  if (!isObject(headers)) {
    throw new AppError('bad_request', '"headers" must be an object of header names to text values.', {
      path: `${prefix}headers`,
    });
  }
  for (const [name, value] of Object.entries(headers)) {
    const path = `${prefix}headers.${name.slice(0, 80)}`;
    if (!HEADER_NAME.test(name) || typeof value !== 'string' || hasControl(value)) {
      throw new AppError(
        'bad_request',
        'A custom header needs a plain name and a one-line text value (no line breaks or control characters).',
        { path },
      );
    }
    if (RECIPIENT_HEADERS.has(name.toLowerCase())) {
      throw new AppError(
        'bad_request',
        `The custom header "${name}" could change who receives the email; use the "to", "cc" and "bcc" fields, which policy checks.`,
        { path },
      );
    }
  }
}

function addEmail(email: unknown, prefix: string, out: Set<string>): void {
  if (!isObject(email)) {
    throw new AppError('bad_request', 'An email must be a JSON object.', {
      path: prefix === '' ? 'body' : prefix.slice(0, -1),
    });
  }
  checkHeaders(email, prefix);
  const to = addField(email, 'to', prefix, out);
  if (to === 0)
    throw new AppError('bad_request', 'An email needs at least one "to" recipient.', { path: `${prefix}to` });
  addField(email, 'cc', prefix, out);
  addField(email, 'bcc', prefix, out);
}

export const resendAdapter: ProviderAdapter = {
  kind: 'resend',
  defaultBaseUrl: 'https://api.resend.com',

  facts(req, providerId): ProxyFacts {
    const base: ProxyFacts = baseFacts(req, providerId, 'resend', 'http.request');
    if (req.method !== 'POST' || (req.path !== '/emails' && req.path !== '/emails/batch')) return base;
    requireMediaType(req, 'application/json', `POST ${req.path}`);
    const body = parseCanonicalJson(req, SENSITIVE);
    refusePolicyQuery(req.query, SENSITIVE, isObject(body) ? body : undefined);
    const recipients = new Set<string>();
    let emails = 1;
    if (req.path === '/emails') {
      addEmail(body, '', recipients);
    } else {
      if (!Array.isArray(body) || body.length === 0) {
        throw new AppError('bad_request', 'A batch must be a non-empty JSON array of emails.', {
          path: 'body',
        });
      }
      body.forEach((email: unknown, i) => addEmail(email, `[${i}].`, recipients));
      emails = body.length;
    }
    return { ...base, action: 'email.send', recipients: [...recipients], emails };
  },

  authHeaders(masterKey, auth) {
    return keyHeader(masterKey, auth, { header: 'authorization', prefix: 'Bearer ' });
  },

  usageMeter() {
    return null;
  },
};
