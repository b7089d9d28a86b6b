// The filtered model list for one agent, from its scopes as they are when the answer arrives (a scope
// narrowed meanwhile narrows the list too). The proxy scrubs the result of the key that was sent (proxy.ts).
import type { Core } from '../core.ts';
import type { AgentRecord } from '../agents/store.ts';
import type { ProviderKind } from '../../shared/facts.ts';
import { filterModelList } from './model-list.ts';

export function modelListFor(
  core: Core,
  agent: AgentRecord,
  providerId: string,
  kind: ProviderKind,
  text: string,
): string {
  const providers = (core.agents.find(agent.id) ?? agent).scopes.providers;
  const models =
    providers !== undefined && Object.hasOwn(providers, providerId)
      ? providers[providerId]?.models
      : undefined;
  return models === undefined ? text : filterModelList(kind, text, models);
}
