// Pure state transitions for the renderer store: core events and loaded pages in, new state out.
// DOM-free and unit-tested. The store never holds secret values or tokens: views only.
import type { AuditQuery } from '../../../shared/contract.ts';
import type { AppEvent } from '../../../shared/events.ts';
import type {
  AgentView,
  ApprovalView,
  AuditEntry,
  GrantView,
  ProviderView,
  SecretView,
  Status,
} from '../../../shared/models.ts';
import { entryMatches } from '../activityQuery.ts';
import { usesProvider, usesSecret } from '../../../shared/uses.ts';
import { grantLive } from '../../../shared/grant-live.ts';
import type { OwnerPromptView } from '../../../shared/owner.ts';

/**
 * Results of the owner's own actions that no core event carries (providers, secrets, grants removed,
 * a fresh status). They go through the same reducer as core events, so every change to the store's data
 * has one path.
 */
export type LocalEvent =
  | { name: 'status.loaded'; data: Status }
  | { name: 'provider.saved'; data: ProviderView }
  | { name: 'provider.removed'; data: { id: string } }
  | { name: 'secret.saved'; data: SecretView }
  | { name: 'secret.removed'; data: { name: string } }
  | { name: 'grant.removed'; data: { id: string } }
  | { name: 'owner.prompts.loaded'; data: OwnerPromptView[] };

/** Everything the data reducer accepts: core events and the owner's own results. */
export type StoreEvent = AppEvent | LocalEvent;

export interface FeedState {
  /** The filter the feed is loaded with (no limit or cursor). */
  query: AuditQuery;
  /** Newest first. */
  entries: AuditEntry[];
  /** Entries that arrived while the feed was paused, newest first ("N new"). */
  buffered: AuditEntry[];
  paused: boolean;
  nextCursor: string | null;
  loading: boolean;
  loaded: boolean;
  error: string | null;
}

export interface DataState {
  status: Status | null;
  agents: AgentView[];
  /** Oldest first: the queue order. */
  approvals: ApprovalView[];
  grants: GrantView[];
  providers: ProviderView[];
  secrets: SecretView[];
  feed: FeedState;
  /** Recent activity per agent, for the detail pane; only agents whose activity was loaded. */
  agentActivity: Record<string, AuditEntry[]>;
  /** Owner prompts waiting (a CLI asking for a session, an act to confirm, a console link), oldest first. */
  ownerPrompts: OwnerPromptView[];
}

export const AGENT_ACTIVITY_LIMIT = 50;

export function emptyFeed(query: AuditQuery = {}): FeedState {
  return {
    query,
    entries: [],
    buffered: [],
    paused: false,
    nextCursor: null,
    loading: false,
    loaded: false,
    error: null,
  };
}

export function emptyData(): DataState {
  return {
    status: null,
    agents: [],
    approvals: [],
    grants: [],
    providers: [],
    secrets: [],
    feed: emptyFeed(),
    agentActivity: {},
    ownerPrompts: [],
  };
}

function upsert<T extends { id: string }>(list: readonly T[], item: T, atStart = false): T[] {
  const i = list.findIndex((x) => x.id === item.id);
  if (i < 0) return atStart ? [item, ...list] : [...list, item];
  const copy = list.slice();
  copy[i] = item;
  return copy;
}

function byCreated(a: ApprovalView, b: ApprovalView): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
}

/** Prepends new entries (given newest first) that are newer than what the list holds. */
function prependNewer(list: AuditEntry[], fresh: AuditEntry[]): AuditEntry[] {
  const top = list[0]?.seq ?? -1;
  const add = fresh.filter((e) => e.seq > top);
  return add.length ? [...add, ...list] : list;
}

function applyAudit(s: DataState, entries: AuditEntry[]): DataState {
  if (!entries.length) return s;
  const seen = new Set<number>();
  const newestFirst = entries
    .slice()
    .sort((a, b) => b.seq - a.seq)
    .filter((e) => (seen.has(e.seq) ? false : (seen.add(e.seq), true)));
  let feed = s.feed;
  if (feed.loaded) {
    const matching = newestFirst.filter((e) => entryMatches(e, feed.query));
    if (matching.length) {
      if (feed.paused) {
        const top = Math.max(feed.entries[0]?.seq ?? -1, feed.buffered[0]?.seq ?? -1);
        const add = matching.filter((e) => e.seq > top);
        if (add.length) feed = { ...feed, buffered: [...add, ...feed.buffered] };
      } else feed = { ...feed, entries: prependNewer(feed.entries, matching) };
    }
  }
  let agentActivity = s.agentActivity;
  for (const id of Object.keys(agentActivity)) {
    const mine = newestFirst.filter((e) => e.agentId === id);
    if (!mine.length) continue;
    const current = agentActivity[id] ?? [];
    agentActivity = { ...agentActivity, [id]: prependNewer(current, mine).slice(0, AGENT_ACTIVITY_LIMIT) };
  }
  // An agent's own request is the freshest "last seen" the window can know of.
  let agents = s.agents;
  for (const e of newestFirst) {
    if (e.actor !== 'agent' || !e.agentId) continue;
    const i = agents.findIndex((a) => a.id === e.agentId);
    const a = agents[i];
    if (!a || (a.lastSeenAt && a.lastSeenAt >= e.time)) continue;
    agents = agents.slice();
    agents[i] = { ...a, lastSeenAt: e.time };
  }
  // The entry count follows the stream: seq numbers are the chain's positions, 1 for the first entry.
  const top = newestFirst[0]?.seq ?? 0;
  const status =
    s.status && top > s.status.counts.auditEntries
      ? { ...s.status, counts: { ...s.status.counts, auditEntries: top } }
      : s.status;
  return { ...s, feed, agentActivity, agents, status };
}

function byId<T extends { id: string }>(a: T, b: T): number {
  return a.id.localeCompare(b.id);
}

function applyOne(s: DataState, e: StoreEvent): DataState {
  switch (e.name) {
    case 'status.loaded':
      return { ...s, status: e.data };
    case 'provider.saved':
      return { ...s, providers: upsert(s.providers, e.data).sort(byId) };
    case 'provider.removed':
      return { ...s, providers: s.providers.filter((p) => p.id !== e.data.id) };
    case 'secret.saved': {
      const data = e.data;
      return {
        ...s,
        secrets: [...s.secrets.filter((x) => x.name !== data.name), data].sort((a, b) =>
          a.name.localeCompare(b.name),
        ),
      };
    }
    case 'secret.removed':
      return { ...s, secrets: s.secrets.filter((x) => x.name !== e.data.name) };
    case 'grant.removed':
      return { ...s, grants: s.grants.filter((g) => g.id !== e.data.id) };
    case 'approval.requested': {
      const data = e.data;
      return { ...s, approvals: upsert(s.approvals, data).sort(byCreated) };
    }
    case 'approval.decided': {
      const data = e.data;
      return {
        ...s,
        approvals: s.approvals.filter((a) => a.id !== data.id),
        grants: data.grant ? upsert(s.grants, data.grant, true) : s.grants,
      };
    }
    case 'agent.updated': {
      const data = e.data;
      return { ...s, agents: upsert(s.agents, data, true) };
    }
    case 'agent.revoked': {
      const { agent } = e.data;
      return {
        ...s,
        agents: upsert(s.agents, agent, true),
        // Revocation denies the agent's pending approvals and removes its grants (docs/ARCHITECTURE.md, "Invariants": revocation).
        approvals: s.approvals.filter((a) => a.agentId !== agent.id),
        grants: s.grants.filter((g) => g.agentId !== agent.id),
      };
    }
    case 'vault.state':
      return { ...s, status: e.data };
    case 'audit.appended':
      return applyAudit(s, [e.data]);
    case 'owner.prompts.loaded':
      return { ...s, ownerPrompts: e.data };
    case 'owner.prompt':
      return { ...s, ownerPrompts: upsert(s.ownerPrompts, e.data) };
    case 'owner.prompt.closed':
      return { ...s, ownerPrompts: s.ownerPrompts.filter((p) => p.id !== e.data.id) };
    default:
      return s;
  }
}

/** Applies a batch of events in order; audit entries of the batch are merged in one step. */
export function applyEvents<S extends DataState>(s: S, events: readonly StoreEvent[]): S {
  let next: DataState = s;
  let audit: AuditEntry[] = [];
  for (const e of events) {
    if (e.name === 'audit.appended') {
      audit.push(e.data);
      continue;
    }
    if (audit.length) {
      next = applyAudit(next, audit);
      audit = [];
    }
    next = applyOne(next, e);
  }
  if (audit.length) next = applyAudit(next, audit);
  return { ...s, ...next };
}

/** A page from auditList: replaces the feed (first page) or appends older entries. */
export function feedPageLoaded(
  feed: FeedState,
  page: { entries: AuditEntry[]; nextCursor: string | null },
  older: boolean,
): FeedState {
  if (!older)
    return {
      ...feed,
      entries: page.entries,
      buffered: [],
      nextCursor: page.nextCursor,
      loading: false,
      loaded: true,
      error: null,
    };
  const last = feed.entries[feed.entries.length - 1]?.seq ?? Number.POSITIVE_INFINITY;
  const add = page.entries.filter((e) => e.seq < last);
  return {
    ...feed,
    entries: [...feed.entries, ...add],
    nextCursor: page.nextCursor,
    loading: false,
    error: null,
  };
}

/** Pauses or resumes the live feed; resuming merges what arrived meanwhile. */
export function setFeedPaused(feed: FeedState, paused: boolean): FeedState {
  if (paused === feed.paused) return feed;
  if (paused) return { ...feed, paused: true };
  return { ...feed, paused: false, entries: prependNewer(feed.entries, feed.buffered), buffered: [] };
}

/** Grants still in force at `now`, by the same test the policy engine applies. */
export function liveGrants(grants: readonly GrantView[], now: number): GrantView[] {
  return grants.filter((g) =>
    grantLive(
      { expiresAt: g.expiresAt === null ? null : Date.parse(g.expiresAt), usesLeft: g.usesLeft },
      now,
    ),
  );
}

/** Names of the agents (not revoked) whose scopes reach a provider: derived live from the agents held. */
export function providerUsers(agents: readonly AgentView[], p: { id: string; kind: string }): string[] {
  return agents
    .filter((a) => a.status !== 'revoked' && usesProvider(a.scopes, p.id, p.kind))
    .map((a) => a.name);
}

/** Names of the agents (not revoked) allowed to read a secret. */
export function secretUsers(agents: readonly AgentView[], name: string): string[] {
  return agents.filter((a) => a.status !== 'revoked' && usesSecret(a.scopes, name)).map((a) => a.name);
}
