// Formatting helpers for the UI: times, money, counts and meters. Pure and DOM-free (unit-tested under Node).
import type { UsageMeter } from '../../shared/models.ts';

const LOCALE = 'en-US';
const countFormat = new Intl.NumberFormat(LOCALE);

/** "12,034" */
export function formatCount(n: number): string {
  return countFormat.format(n);
}

function toMs(iso: string | number | Date): number {
  return typeof iso === 'number' ? iso : new Date(iso).getTime();
}

/** "just now", "42 s ago", "3 min ago", "5 h ago", "yesterday", "4 d ago", then a date. Future times read "in 5 min". */
export function relativeTime(iso: string | number | Date, now: number = Date.now()): string {
  const t = toMs(iso);
  if (Number.isNaN(t)) return '—';
  const diff = now - t;
  const future = diff < 0;
  const s = Math.abs(diff) / 1000;
  // A few seconds of clock skew between the core and this window read as "just now", not "in a moment".
  if (s < 5 || (future && s < 60)) return 'just now';
  let text: string;
  if (s < 60) text = `${Math.floor(s)} s`;
  else if (s < 3600) text = `${Math.floor(s / 60)} min`;
  else if (s < 86_400) text = `${Math.floor(s / 3600)} h`;
  else if (!future && s < 2 * 86_400) return 'yesterday';
  else if (s < 30 * 86_400) text = `${Math.floor(s / 86_400)} d`;
  else return dateFormat.format(t);
  return future ? `in ${text}` : `${text} ago`;
}

// Formatters are built once: constructing Intl objects per row is what makes long lists slow.
const absoluteFormat = new Intl.DateTimeFormat(LOCALE, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dateFormat = new Intl.DateTimeFormat(LOCALE, { year: 'numeric', month: 'short', day: 'numeric' });

/** Full local date and time, for tooltips. */
export function absoluteTime(iso: string | number | Date): string {
  const t = toMs(iso);
  if (Number.isNaN(t)) return '';
  return absoluteFormat.format(t);
}

/** "0:58", "12:03", "1:02:03". Negative durations read "0:00". */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** "12 s", "4 min", "2 h 5 min", "3 d": a duration in words, for "waiting 12 s" and "14 min left". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

/** Number of minor-unit digits of a currency (2 for usd, 0 for jpy, 3 for kwd). */
export function minorDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat(LOCALE, { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions()
        .maximumFractionDigits ?? 2
    );
  } catch {
    return 2;
  }
}

/** An amount in the currency's minor unit, as Stripe counts it: (4200, "usd") → "$42.00 USD". */
export function formatMinor(amount: number, currency: string): string {
  const code = currency.toUpperCase();
  const digits = minorDigits(code);
  const value = amount / 10 ** digits;
  try {
    const text = new Intl.NumberFormat(LOCALE, {
      style: 'currency',
      currency: code,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
    return `${text} ${code}`;
  } catch {
    return `${value.toFixed(digits)} ${code}`;
  }
}

/** Major units typed by a person ("42.5") to minor units (4250); null when not a positive amount. */
export function toMinor(major: string, currency: string): number | null {
  const trimmed = major.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return null;
  const digits = minorDigits(currency);
  const [whole = '0', frac = ''] = trimmed.split('.');
  if (frac.length > digits) return null;
  const minor = Number(whole) * 10 ** digits + Number(frac.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(minor) && minor > 0 ? minor : null;
}

/** US dollars: "$5.00", and enough digits for tiny costs: "$0.0004". */
export function formatUsd(usd: number): string {
  if (usd !== 0 && Math.abs(usd) < 0.01) {
    const digits = Math.min(8, Math.max(4, 1 - Math.floor(Math.log10(Math.abs(usd)))));
    return `$${usd.toFixed(digits).replace(/0+$/, '')}`;
  }
  return `$${usd.toLocaleString(LOCALE, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Short money for meters: "$118" or "$4.50". */
function shortUsd(usd: number): string {
  return Number.isInteger(usd) ? `$${formatCount(usd)}` : formatUsd(usd);
}

/** Meter text, compact: "14/20", "$118/$200". */
export function meterText(m: Pick<UsageMeter, 'used' | 'limit' | 'unit'>): string {
  if (m.unit === 'usd') return `${shortUsd(m.used)}/${shortUsd(m.limit)}`;
  return `${formatCount(m.used)}/${formatCount(m.limit)}`;
}

/** Meter text in words: "14 of 20 emails", "$118 of $200". */
export function meterSentence(m: Pick<UsageMeter, 'used' | 'limit' | 'unit' | 'label'>): string {
  if (m.unit === 'usd') return `${shortUsd(m.used)} of ${shortUsd(m.limit)} · ${m.label}`;
  return `${formatCount(m.used)} of ${formatCount(m.limit)} ${m.label}`;
}

/** Fill ratio in [0, 1]. */
export function meterRatio(m: Pick<UsageMeter, 'used' | 'limit'>): number {
  if (m.limit <= 0) return 1;
  return Math.min(1, Math.max(0, m.used / m.limit));
}

/** Amber from 80 % of a limit (UI brief: usage ≥ 80 %). */
export function meterIsHigh(m: Pick<UsageMeter, 'used' | 'limit'>): boolean {
  return meterRatio(m) >= 0.8;
}

/** "••••abcd" from a key hint (last four characters). */
export function maskedHint(hint: string): string {
  return `••••${hint.slice(-4)}`;
}
