// A generic HTTP provider: method and path rules only; the key goes in the header the owner configured.
import { baseFacts } from './base-facts.ts';
import type { ProxyFacts } from '../../shared/facts.ts';
import { keyHeader } from './auth.ts';
import type { ProviderAdapter } from './types.ts';

export const httpAdapter: ProviderAdapter = {
  kind: 'http',
  defaultBaseUrl: '', // no default: an http provider must be given its base URL

  facts(req, providerId): ProxyFacts {
    return baseFacts(req, providerId, 'http', 'http.request');
  },

  authHeaders(masterKey, auth) {
    return keyHeader(masterKey, auth, { header: 'authorization', prefix: 'Bearer ' });
  },

  usageMeter() {
    return null;
  },
};
