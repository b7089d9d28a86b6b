// Stripe: amounts and currency of payments (payment intents, charges) and the spending limit of issued cards,
// read from Stripe's form-encoded parameters. Everything else is a plain http.request for method/path rules.
//
// Parameters are read from the form body only, under one canonical reading (canonical.ts): a POST must be
// "application/x-www-form-urlencoded", may not carry a query string (Stripe would read it too), and may not
// name a parameter twice (except lists, "name[]") or in two cases. A Stripe-Account header (Connect: act as a
// connected account) becomes a fact, checked against payments.accounts; it is never dropped silently.
import { baseFacts } from './base-facts.ts';
import type { ProxyFacts } from '../../shared/facts.ts';
import { AppError } from '../errors.ts';
import { bodyText, parseCanonicalForm, requireMediaType, type FormParams } from './canonical.ts';
import { keyHeader } from './auth.ts';
import type { AdapterRequest, ProviderAdapter } from './types.ts';

type Params = FormParams;

function readParams(req: AdapterRequest): Params {
  if (!req.path.startsWith('/v1/')) {
    throw new AppError(
      'bad_request',
      `POST ${req.path} is refused: only Stripe's form-encoded /v1 API is supported, where policy can read amounts.`,
      { path: 'path' },
    );
  }
  if (req.query !== '') {
    throw new AppError(
      'bad_request',
      'A Stripe POST may not carry a query string: send every parameter in the form body, where policy reads it.',
      { path: 'query' },
    );
  }
  if (req.body.length === 0) return new Map();
  requireMediaType(req, 'application/x-www-form-urlencoded', `POST ${req.path}`);
  return parseCanonicalForm(bodyText(req.body));
}

const ACCOUNT = /^acct_[A-Za-z0-9]{1,64}$/;

/** The connected account named by a Stripe-Account header, or undefined. */
function connectedAccount(req: AdapterRequest): string | undefined {
  const raw = req.headers['stripe-account'];
  if (raw === undefined) return undefined;
  const value = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  if (!ACCOUNT.test(value)) {
    throw new AppError('bad_request', 'The Stripe-Account header must name one account id like "acct_123".', {
      path: 'headers.stripe-account',
    });
  }
  return value;
}

function one(params: Params, key: string): string | undefined {
  const values = params.get(key);
  if (values === undefined) return undefined;
  const first = values[0];
  if (values.some((v) => v !== first)) {
    throw new AppError('bad_request', `"${key}" is given more than once with different values.`, {
      path: key,
    });
  }
  return first;
}

function minorAmount(params: Params, key: string, required: boolean): number | undefined {
  const raw = one(params, key);
  if (raw === undefined && !required) return undefined;
  const amount = raw !== undefined && /^[0-9]{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(amount)) {
    throw new AppError('bad_request', `"${key}" must be a whole amount in the currency's minor unit.`, {
      path: key,
    });
  }
  return amount;
}

function currencyOf(params: Params): string | undefined {
  return one(params, 'currency')?.trim().toLowerCase();
}

/** False when the payment also saves the payment method for later (future or recurring) charges. */
function isOneTime(params: Params): boolean {
  for (const [key, values] of params) {
    // Top-level setup_future_usage, or per-method payment_method_options[card][setup_future_usage]; "" and "none" unset it.
    if (
      (key === 'setup_future_usage' || key.endsWith('[setup_future_usage]')) &&
      values.some((v) => v !== '' && v !== 'none')
    ) {
      return false;
    }
  }
  return !(params.get('off_session') ?? []).some((v) => v === 'true');
}

const LIMIT_KEY = /^spending_controls\[spending_limits\]\[(\d{1,4})\]\[(amount|interval|categories)\]/;

/**
 * The card's spending limit: the first limit (lowest index) that covers all merchant categories. A limit with
 * categories caps only those categories, so it does not bound what the card can spend. Stripe enforces every
 * limit at once, so any one category-free limit is an upper bound for its interval.
 */
function spendingLimit(params: Params): { amount: number; interval: string } | undefined {
  const byIndex = new Map<number, { categories: boolean; interval?: string }>();
  for (const key of params.keys()) {
    const m = LIMIT_KEY.exec(key);
    if (m === null) continue;
    const index = Number(m[1]);
    const entry = byIndex.get(index) ?? { categories: false };
    if (m[2] === 'categories') entry.categories = true;
    byIndex.set(index, entry);
  }
  for (const index of [...byIndex.keys()].sort((a, b) => a - b)) {
    const entry = byIndex.get(index);
    if (entry === undefined || entry.categories) continue;
    const prefix = `spending_controls[spending_limits][${index}]`;
    const amount = minorAmount(params, `${prefix}[amount]`, true);
    const interval = one(params, `${prefix}[interval]`);
    if (interval === undefined || interval === '') {
      throw new AppError('bad_request', 'A spending limit needs an interval.', {
        path: `${prefix}[interval]`,
      });
    }
    if (amount !== undefined) return { amount, interval };
  }
  return undefined;
}

const PAYMENT_CREATE = new Set(['/v1/payment_intents', '/v1/charges']);
/** Calls that change the amount of an existing payment intent. */
const PAYMENT_CHANGE = /^\/v1\/payment_intents\/[^/]+(\/increment_authorization)?$/;
const CARD_UPDATE = /^\/v1\/issuing\/cards\/[^/]+$/;

function hasSpendingControls(params: Params): boolean {
  for (const key of params.keys()) if (key.startsWith('spending_controls[')) return true;
  return false;
}

export const stripeAdapter: ProviderAdapter = {
  kind: 'stripe',
  defaultBaseUrl: 'https://api.stripe.com',

  facts(req, providerId): ProxyFacts {
    const base: ProxyFacts = baseFacts(req, providerId, 'stripe', 'http.request');
    const account = connectedAccount(req);
    if (account !== undefined) base.account = account;
    if (req.method !== 'POST') return base;
    const params = readParams(req);
    const creates = PAYMENT_CREATE.has(req.path);
    // Raising the amount of an existing intent is a payment too, so a small intent cannot be grown after approval.
    if (creates || (PAYMENT_CHANGE.test(req.path) && params.has('amount'))) {
      const facts: ProxyFacts = {
        ...base,
        action: 'payment.create',
        amount: minorAmount(params, 'amount', true),
        oneTime: isOneTime(params),
      };
      const currency = currencyOf(params);
      if (currency !== undefined) facts.currency = currency;
      return facts;
    }
    // Changing an existing card's spending controls is checked like issuing a new card with those controls.
    if (req.path === '/v1/issuing/cards' || (CARD_UPDATE.test(req.path) && hasSpendingControls(params))) {
      const type = one(params, 'type');
      if (req.path === '/v1/issuing/cards' && (type === undefined || type === '')) {
        throw new AppError('bad_request', 'A new card needs a "type" (virtual or physical).', {
          path: 'type',
        });
      }
      const card: NonNullable<ProxyFacts['card']> = { type: type ?? 'unknown' };
      const limit = spendingLimit(params);
      if (limit !== undefined) card.spendingLimit = limit;
      const facts: ProxyFacts = { ...base, action: 'card.create', card };
      const currency = currencyOf(params);
      if (currency !== undefined) facts.currency = currency;
      return facts;
    }
    return base;
  },

  authHeaders(masterKey, auth) {
    return keyHeader(masterKey, auth, { header: 'authorization', prefix: 'Bearer ' });
  },

  usageMeter() {
    return null;
  },
};
