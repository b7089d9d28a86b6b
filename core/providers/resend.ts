// Resend: the recipients (to, cc, bcc) of each email sent, for domain and address allowlists and daily counts.
// Only addresses become facts: never the subject, the sender's text or the message body.
import type { ProxyFacts } from '../../shared/facts.ts';
import { AppError } from '../errors.ts';
import { isObject, parseJson, type JsonObject } from './body.ts';
import { keyHeader } from './auth.ts';
import type { ProviderAdapter } from './types.ts';

/** A bare address: no spaces, quotes, brackets or separators; a domain of dot-separated labels. */
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}\p{N}-]{2,}$/u;
/** "Display Name <address>", with a plain or double-quoted name. Commas outside quotes are refused (two recipients in one string). */
const DISPLAY = /^(?:"(?:[^"\\]|\\.)*"|[^"<>,;]*?)\s*<([^<>\s]+)>$/u;

/** The lower-cased address of one recipient string, or null when it is not exactly one address. */
export function parseRecipient(raw: string): string | null {
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

function addEmail(email: unknown, prefix: string, out: Set<string>): void {
  if (!isObject(email)) {
    throw new AppError('bad_request', 'An email must be a JSON object.', {
      path: prefix === '' ? 'body' : prefix.slice(0, -1),
    });
  }
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
    const base: ProxyFacts = {
      type: 'proxy',
      providerId,
      providerKind: 'resend',
      method: req.method,
      path: req.path,
      action: 'http.request',
    };
    if (req.method !== 'POST' || (req.path !== '/emails' && req.path !== '/emails/batch')) return base;
    const body = parseJson(req);
    const recipients = new Set<string>();
    if (req.path === '/emails') {
      addEmail(body, '', recipients);
    } else {
      if (!Array.isArray(body) || body.length === 0) {
        throw new AppError('bad_request', 'A batch must be a non-empty JSON array of emails.', {
          path: 'body',
        });
      }
      body.forEach((email: unknown, i) => addEmail(email, `[${i}].`, recipients));
    }
    return { ...base, action: 'email.send', recipients: [...recipients] };
  },

  authHeaders(masterKey, auth) {
    return keyHeader(masterKey, auth, { header: 'authorization', prefix: 'Bearer ' });
  },

  usageMeter() {
    return null;
  },
};
