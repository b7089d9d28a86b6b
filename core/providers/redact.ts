// No echo of the master key, in any form (README "Security"). Providers sometimes echo what they received
// ("Incorrect API key provided: sk-…", a Location or WWW-Authenticate header, a debug endpoint that returns
// the request); an agent must never learn the key that way. Every upstream response is scanned, headers and
// body, whatever its status, streamed or not, for the key and its encodings:
// - the key itself;
// - base64 (standard and URL-safe alphabet, with or without padding) at each of the 3 byte alignments, which
//   also covers "Basic base64(user:key)" and "base64(key:)" whatever the user name;
// - URL-encoded (encodeURIComponent, and every byte as %XX, upper and lower hex);
// - JSON-escaped (JSON.stringify, "\/" for "/", and every character as \uXXXX, upper and lower hex).
// Each match is replaced by a mask of the same length ("[redacted]****"), so a Content-Length stays right.
// A stream keeps back only the tail that could still be the start of a form (at most the longest form minus
// one byte, usually nothing), so a key split across chunks is caught and an event ending in "\n\n" is not held.
import type { IncomingHttpHeaders } from 'node:http';

/** Keys shorter than this are not looked for (a short string would match ordinary text). */
const MIN_KEY = 8;

// Lookup tables, so that building the forms of a key costs microseconds per response (the clear key is never
// cached: it is decrypted for each call, and so are its forms).
const HEX_LOWER = Buffer.from('0123456789abcdef');
const HEX_UPPER = Buffer.from('0123456789ABCDEF');

/** Every byte as "%XX". */
function percentAll(bytes: Buffer, hex: Buffer): Buffer {
  const out = Buffer.allocUnsafe(bytes.length * 3);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    out[i * 3] = 0x25;
    out[i * 3 + 1] = hex[b >> 4] as number;
    out[i * 3 + 2] = hex[b & 15] as number;
  }
  return out;
}

/** Every UTF-16 unit as "\uXXXX". */
function unicodeAll(key: string, hex: Buffer): Buffer {
  const out = Buffer.allocUnsafe(key.length * 6);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const o = i * 6;
    out[o] = 0x5c;
    out[o + 1] = 0x75;
    out[o + 2] = hex[(c >> 12) & 15] as number;
    out[o + 3] = hex[(c >> 8) & 15] as number;
    out[o + 4] = hex[(c >> 4) & 15] as number;
    out[o + 5] = hex[c & 15] as number;
  }
  return out;
}

/** The base64 text that `bytes` produce wherever they sit in a longer base64 string (3 alignments × 2 alphabets). */
function base64Forms(bytes: Buffer, into: Buffer[]): void {
  for (let align = 0; align < 3; align++) {
    const padded = align === 0 ? bytes : Buffer.concat([Buffer.alloc(align), bytes]);
    const total = padded.length;
    // Characters fully determined by our bytes: skip those mixed with unknown bytes before or after.
    const end = Math.floor(total / 3) * 4 + (total % 3);
    const start = align === 0 ? 0 : align === 1 ? 2 : 3;
    const std = Buffer.from(padded.toString('base64').slice(start, end), 'latin1');
    into.push(std);
    const url = Buffer.from(std);
    let changed = false;
    for (let i = 0; i < url.length; i++) {
      if (url[i] === 0x2b || url[i] === 0x2f) {
        url[i] = url[i] === 0x2b ? 0x2d : 0x5f;
        changed = true;
      }
    }
    if (changed) into.push(url);
  }
}

/** The forms of one key, as bytes (masks are made only when something matches, which is rare). */
export interface KeyForms {
  bytes: Buffer[];
  /** The same forms lower-cased, for header names (which reach us lower-cased). */
  lower: Buffer[];
}

const NONE: KeyForms = { bytes: [], lower: [] };

/** Every form of `key` that is redacted. Empty for keys too short to look for safely. */
export function keyForms(key: string): KeyForms {
  if (key.length < MIN_KEY) return NONE;
  const bytes = Buffer.from(key, 'utf8');
  // No duplicates by construction: each optional form is added only when it differs from the plain key.
  const list: Buffer[] = [bytes];
  base64Forms(bytes, list);
  const uri = encodeURIComponent(key);
  if (uri !== key) {
    list.push(Buffer.from(uri, 'latin1'), Buffer.from(uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())));
  }
  list.push(percentAll(bytes, HEX_UPPER), percentAll(bytes, HEX_LOWER));
  list.push(unicodeAll(key, HEX_LOWER), unicodeAll(key, HEX_UPPER));
  const json = JSON.stringify(key).slice(1, -1);
  if (json !== key) list.push(Buffer.from(json, 'utf8'));
  if (key.includes('/')) list.push(Buffer.from(key.replace(/\//g, '\\/'), 'utf8'));
  return { bytes: list, lower: list.map((f) => Buffer.from(f.toString('latin1').toLowerCase(), 'latin1')) };
}

/** A mask of the same length: "[redacted]" then "*", or "*" alone when shorter. */
function mask(length: number): string {
  return length >= 10 ? `[redacted]${'*'.repeat(length - 10)}` : '*'.repeat(length);
}

/** Every form masked, in a copy made only when something matches (else `buf` itself). */
function maskAll(buf: Buffer, forms: readonly Buffer[]): Buffer {
  let out = buf;
  for (const form of forms) {
    let at = out.indexOf(form);
    while (at >= 0) {
      if (out === buf) out = Buffer.from(buf); // copy on the first match only
      out.write(mask(form.length), at, 'latin1');
      at = out.indexOf(form, at + form.length);
    }
  }
  return out;
}

/** `text` with every form masked (bodies read whole). */
export function redactText(text: string, forms: KeyForms): string {
  if (forms.bytes.length === 0) return text;
  const buf = Buffer.from(text, 'utf8');
  const out = maskedTail(maskAll(buf, forms.bytes), forms.bytes);
  return out === buf ? text : out.toString('utf8');
}

/**
 * Masks every form in every response header value, in place (before any branch reads the headers), and
 * removes a header whose name holds a form: names reach us lower-cased, so they are compared without case.
 */
export function redactHeaders(headers: IncomingHttpHeaders, forms: KeyForms): void {
  if (forms.bytes.length === 0) return;
  const names = Buffer.from(Object.keys(headers).join('\n').toLowerCase(), 'latin1');
  const lower = forms.lower;
  if (lower.some((f) => names.includes(f))) {
    for (const name of Object.keys(headers)) {
      const n = Buffer.from(name.toLowerCase(), 'latin1');
      if (lower.some((f) => n.includes(f))) Reflect.deleteProperty(headers, name);
    }
  }
  // One search over all values joined; header by header only when something matched (rare).
  let all = '';
  for (const value of Object.values(headers)) {
    if (typeof value === 'string') all += `${value}\n`;
    else if (Array.isArray(value)) all += `${value.join('\n')}\n`;
  }
  const joined = Buffer.from(all, 'latin1');
  if (maskAll(joined, forms.bytes) === joined) return;
  const redact = (v: string): string => maskAll(Buffer.from(v, 'latin1'), forms.bytes).toString('latin1');
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') headers[name] = redact(value);
    else if (Array.isArray(value)) headers[name] = value.map(redact);
  }
}

/** Redacts a body as it streams by: push each chunk, write what it returns, then write end(). */
export class StreamRedactor {
  readonly #forms: Buffer[];
  #carry: Buffer | null = null;

  constructor(forms: KeyForms) {
    this.#forms = forms.bytes;
  }

  push(chunk: Buffer): Buffer {
    if (this.#forms.length === 0) return chunk;
    const joined = this.#carry === null ? chunk : Buffer.concat([this.#carry, chunk]);
    const buf = maskAll(joined, this.#forms);
    const cut = tailStart(buf, this.#forms);
    this.#carry = cut < buf.length ? Buffer.from(buf.subarray(cut)) : null;
    return cut === buf.length ? buf : buf.subarray(0, cut);
  }

  /**
   * What is still held back, at the end of the answer. It is the start of a form: a start of MIN_KEY bytes or
   * more is most of a short key (an answer that stops mid-echo), so it is masked too (maskedTail).
   */
  end(): Buffer {
    const rest = this.#carry ?? Buffer.alloc(0);
    this.#carry = null;
    return rest.length >= MIN_KEY ? Buffer.from(mask(rest.length), 'latin1') : rest;
  }
}

/** The first index from which the rest of `buf` is a proper prefix of some form (buf.length when none). */
function tailStart(buf: Buffer, forms: readonly Buffer[]): number {
  let cut = buf.length;
  for (const form of forms) {
    const first = form[0] as number;
    let at = buf.indexOf(first, Math.max(0, buf.length - form.length + 1));
    while (at >= 0 && at < cut) {
      // Byte by byte in JS: a candidate almost always fails on its second or third byte.
      let j = 1;
      while (at + j < buf.length && buf[at + j] === form[j]) j++;
      if (at + j === buf.length) {
        cut = at;
        break;
      }
      at = buf.indexOf(first, at + 1);
    }
  }
  return cut;
}

/** A whole body whose end is MIN_KEY or more bytes of the start of a form: that end masked too (see end()). */
function maskedTail(buf: Buffer, forms: readonly Buffer[]): Buffer {
  const cut = tailStart(buf, forms);
  if (buf.length - cut < MIN_KEY) return buf;
  const out = Buffer.from(buf);
  out.write(mask(buf.length - cut), cut, 'latin1');
  return out;
}
