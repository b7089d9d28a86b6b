// Money for people. Browser-safe (the UI uses it too); no Intl, so the output never depends on the locale.
//
// Format of formatMinor: an optional symbol, the amount with "," thousands and "." decimals, then the upper-case
// ISO code, which is always there so that no amount is ambiguous:
//   formatMinor(4200, 'usd') → "$42.00 USD"    formatMinor(4200, 'eur') → "€42.00 EUR"
//   formatMinor(500, 'jpy')  → "¥500 JPY"      formatMinor(4200, 'chf') → "42.00 CHF"
//   formatMinor(10000, '')   → "10,000 minor units"   (currency unknown: the raw minor amount)

/** Currencies without a minor unit (Stripe's zero-decimal list). */
// prettier-ignore
const ZERO_DECIMAL = new Set([
  'bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf',
]);
/** Currencies with three decimals. */
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);
const SYMBOLS: Readonly<Record<string, string>> = { usd: '$', eur: '€', gbp: '£', jpy: '¥' };

/** How many decimals the currency's minor unit has (2 unless listed above). */
export function minorDigits(currency: string): number {
  const c = currency.toLowerCase();
  if (ZERO_DECIMAL.has(c)) return 0;
  if (THREE_DECIMAL.has(c)) return 3;
  return 2;
}

function group(whole: number): string {
  const s = String(whole);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s.charAt(i);
  }
  return out;
}

/** An amount in the currency's minor unit (Stripe's convention) as text, e.g. "$42.00 USD". */
export function formatMinor(amount: number, currency: string): string {
  const minor = Math.trunc(amount);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (currency === '') return `${sign}${group(abs)} minor units`;
  const c = currency.toLowerCase();
  const digits = minorDigits(c);
  const scale = 10 ** digits;
  const whole = Math.floor(abs / scale);
  const frac = digits > 0 ? '.' + String(abs % scale).padStart(digits, '0') : '';
  return `${sign}${SYMBOLS[c] ?? ''}${group(whole)}${frac} ${c.toUpperCase()}`;
}

/** Dollars as text: "$5.00"; amounts with sub-cent digits keep them (up to 6), e.g. "$0.0025". */
export function formatUsd(usd: number): string {
  const sign = usd < 0 ? '-' : '';
  const micro = Math.round(Math.abs(usd) * 1e6);
  const whole = Math.floor(micro / 1e6);
  let frac = String(micro % 1e6).padStart(6, '0');
  while (frac.length > 2 && frac.endsWith('0')) frac = frac.slice(0, -1);
  return `${sign}$${group(whole)}.${frac}`;
}
