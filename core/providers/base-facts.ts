// The facts every proxied request has, whatever its provider: who it is for, the provider, method and path,
// and the action the adapter names (adapters add what they read from the body).
import type { ActionKind, ProviderKind, ProxyFacts } from '../../shared/facts.ts';
import type { AdapterRequest } from './types.ts';

export function baseFacts(
  req: AdapterRequest,
  providerId: string,
  providerKind: ProviderKind,
  action: ActionKind,
): ProxyFacts {
  return { type: 'proxy', providerId, providerKind, method: req.method, path: req.path, action };
}
