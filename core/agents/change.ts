// What an owner's edit of an agent changed, for the audit entry of the change: name, scopes (via the shared
// scope diff the console also shows before saving) and expiry, each line marked as widening or not.
import { diffExpiry, diffScopes, type ScopeDiff } from '../../shared/scope-diff.ts';
import type { AgentRecord } from './store.ts';

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function describeAgentChange(before: AgentRecord, after: AgentRecord): ScopeDiff {
  const changes = [];
  if (before.name !== after.name)
    changes.push({ text: `name ${before.name} → ${after.name}`, widens: false });
  changes.push(...diffScopes(before.scopes, after.scopes).changes);
  const expiry = diffExpiry(iso(before.expiresAt), iso(after.expiresAt));
  if (expiry) changes.push(expiry);
  return { changes, widens: changes.some((c) => c.widens) };
}
