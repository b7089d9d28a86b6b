// The one renderer store (zustand): typed slices for status/vault, agents, approvals, audit feed,
// providers & secrets, grants and UI state, kept live by core events. It holds views only: no master key,
// secret value or agent token is ever put here (the show-once credential lives in a component's state).
import { create } from 'zustand';
import type { AdminOpName, AuditQuery, OpInput, OpOutput } from '../../../shared/contract.ts';
import type { AppEvent } from '../../../shared/events.ts';
import { endedNotice } from '../approvalText.ts';
import type { Scopes } from '../../../shared/scopes.ts';
import type { AgentView, Severity } from '../../../shared/models.ts';
import { TransportError, errorMessage, type ConnectionState, type Transport } from '../transport/types.ts';
import {
  applyEvents,
  emptyData,
  emptyFeed,
  feedPageLoaded,
  setFeedPaused,
  AGENT_ACTIVITY_LIMIT,
  type DataState,
} from './reducers.ts';

export type Conn = 'loading' | 'ready' | 'login' | 'offline';

export interface Toast {
  id: number;
  text: string;
  tone: 'info' | 'error';
}

export interface RevokeTarget {
  agentId: string;
  reason?: string;
  severity?: Severity;
}

export interface VerifyResult {
  ok: boolean;
  checked: number;
  firstBrokenSeq?: number;
  problem?: string;
}

export interface UiSlice {
  conn: Conn;
  live: ConnectionState;
  toasts: Toast[];
  revokeTarget: RevokeTarget | null;
  paletteOpen: boolean;
  verify: VerifyResult | null;
}

export interface Actions {
  boot: () => Promise<void>;
  loadAll: () => Promise<void>;
  call: <N extends AdminOpName>(name: N, input: OpInput<N>) => Promise<OpOutput<N>>;
  toast: (text: string, tone?: Toast['tone']) => void;
  dismissToast: (id: number) => void;
  openRevoke: (target: RevokeTarget | null) => void;
  setPalette: (open: boolean) => void;

  createAgent: (
    name: string,
    scopes: Scopes,
    expiresAt?: string,
  ) => Promise<{ agent: AgentView; token: string }>;
  revokeAgent: (id: string, reason: string, severity: Severity) => Promise<number>;
  decide: (id: string, decision: 'approve' | 'deny', minutes?: number) => Promise<void>;
  denyAllFrom: (agentId: string) => Promise<number>;

  loadFeed: (query: AuditQuery) => Promise<void>;
  loadOlder: () => Promise<void>;
  pauseFeed: (paused: boolean) => void;
  loadAgentActivity: (agentId: string) => Promise<void>;
  verifyAudit: () => Promise<void>;
  exportAudit: (format: 'jsonl' | 'csv') => Promise<void>;
}

export type AppState = DataState & UiSlice & Actions;

const FEED_PAGE = 500;
const OLDER_PAGE = 1000;
const BATCH_MS = 60;

let transport: Transport | null = null;
let toastSeq = 0;

function t(): Transport {
  if (!transport) throw new Error('Transport not set');
  return transport;
}

export const useStore = create<AppState>()((set, get) => ({
  ...emptyData(),
  conn: 'loading',
  live: 'reconnecting',
  toasts: [],
  revokeTarget: null,
  paletteOpen: false,
  verify: null,

  async call(name, input) {
    try {
      return await t().call(name, input);
    } catch (err) {
      if (err instanceof TransportError && err.isUnauthorized) set({ conn: 'login' });
      else if (err instanceof TransportError && err.code === 'offline') set({ conn: 'offline' });
      throw err;
    }
  },

  async boot() {
    try {
      const status = await get().call('status', {});
      set({ status, conn: 'ready' });
      if (status.vault === 'unlocked') await get().loadAll();
    } catch (err) {
      if (!(err instanceof TransportError && (err.isUnauthorized || err.code === 'offline'))) {
        set({ conn: 'offline' });
      }
    }
  },

  async loadAll() {
    const c = get().call;
    const results = await Promise.allSettled([
      c('status', {}),
      c('agentsList', {}),
      c('approvalsList', {}),
      c('grantsList', {}),
      c('providersList', {}),
      c('secretsList', {}),
    ]);
    const [status, agents, approvals, grants, providers, secrets] = results;
    set((s) => ({
      status: status.status === 'fulfilled' ? status.value : s.status,
      agents: agents.status === 'fulfilled' ? agents.value.agents : s.agents,
      approvals:
        approvals.status === 'fulfilled'
          ? approvals.value.approvals.slice().sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1))
          : s.approvals,
      grants: grants.status === 'fulfilled' ? grants.value.grants : s.grants,
      providers: providers.status === 'fulfilled' ? providers.value.providers : s.providers,
      secrets: secrets.status === 'fulfilled' ? secrets.value.secrets : s.secrets,
    }));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed && get().conn === 'ready') get().toast(errorMessage(failed.reason), 'error');
  },

  toast(text, tone = 'info') {
    const id = ++toastSeq;
    set((s) => ({ toasts: [...s.toasts.slice(-3), { id, text, tone }] }));
    setTimeout(() => get().dismissToast(id), tone === 'error' ? 8000 : 4500);
  },
  dismissToast(id) {
    set((s) => ({ toasts: s.toasts.filter((x) => x.id !== id) }));
  },
  openRevoke(target) {
    set({ revokeTarget: target });
  },
  setPalette(open) {
    set({ paletteOpen: open });
  },

  async createAgent(name, scopes, expiresAt) {
    const out = await get().call('agentCreate', { name, scopes, ...(expiresAt ? { expiresAt } : {}) });
    set((s) => applyEvents(s, [{ name: 'agent.updated', data: out.agent }]));
    return out;
  },

  async revokeAgent(id, reason, severity) {
    const out = await get().call('agentRevoke', { id, reason, severity });
    // Show the agent revoked at once, before the event arrives.
    set((s) => applyEvents(s, [{ name: 'agent.revoked', data: { agent: out.agent, cut: out.cut } }]));
    return out.cut;
  },

  async decide(id, decision, minutes) {
    const out = await get().call('approvalDecide', {
      id,
      decision,
      ...(minutes ? { remember: { minutes } } : {}),
    });
    set((s) =>
      applyEvents(s, [{ name: 'approval.decided', data: { id, decision: out.decision, grant: out.grant } }]),
    );
  },

  async denyAllFrom(agentId) {
    const ids = get()
      .approvals.filter((a) => a.agentId === agentId)
      .map((a) => a.id);
    const results = await Promise.allSettled(ids.map((id) => get().decide(id, 'deny')));
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed) get().toast(`${failed} could not be denied; they will time out and be denied.`, 'error');
    return ids.length - failed;
  },

  async loadFeed(query) {
    set({ feed: { ...emptyFeed(query), loading: true } });
    try {
      const page = await get().call('auditList', { ...query, limit: FEED_PAGE });
      set((s) => (sameQuery(s.feed.query, query) ? { feed: feedPageLoaded(s.feed, page, false) } : {}));
    } catch (err) {
      set((s) =>
        sameQuery(s.feed.query, query)
          ? { feed: { ...s.feed, loading: false, error: errorMessage(err) } }
          : {},
      );
    }
  },

  async loadOlder() {
    const { feed } = get();
    if (!feed.nextCursor || feed.loading) return;
    const query = feed.query;
    set({ feed: { ...feed, loading: true } });
    try {
      const page = await get().call('auditList', { ...query, limit: OLDER_PAGE, cursor: feed.nextCursor });
      set((s) => (sameQuery(s.feed.query, query) ? { feed: feedPageLoaded(s.feed, page, true) } : {}));
    } catch (err) {
      set((s) => ({ feed: { ...s.feed, loading: false, error: errorMessage(err) } }));
    }
  },

  pauseFeed(paused) {
    set((s) => ({ feed: setFeedPaused(s.feed, paused) }));
  },

  async loadAgentActivity(agentId) {
    try {
      const page = await get().call('auditList', { agentId, limit: AGENT_ACTIVITY_LIMIT });
      set((s) => ({ agentActivity: { ...s.agentActivity, [agentId]: page.entries } }));
    } catch {
      // The detail pane shows what it has; a failed refresh is not worth an alert.
    }
  },

  async verifyAudit() {
    try {
      set({ verify: await get().call('auditVerify', {}) });
    } catch (err) {
      get().toast(errorMessage(err), 'error');
    }
  },

  async exportAudit(format) {
    const { query } = get().feed;
    try {
      await t().exportAudit(query, format);
    } catch (err) {
      get().toast(errorMessage(err), 'error');
    }
  },
}));

function sameQuery(a: AuditQuery, b: AuditQuery): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Connects the store to a transport: boots, then keeps it live with batched events. */
export function connectStore(tr: Transport): () => void {
  transport = tr;
  const store = useStore;
  let queue: AppEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let wasDown = false;

  const flush = (): void => {
    timer = null;
    const batch = queue;
    queue = [];
    const before = store.getState().status?.vault;
    // A prompt that ends without the owner's answer says why (timed out, or its caller went away).
    const shown = store.getState().approvals;
    for (const e of batch) {
      if (e.name !== 'approval.decided') continue;
      const { id, decision } = e.data;
      const a = shown.find((x) => x.id === id);
      if (a && (decision === 'timeout' || decision === 'cancelled'))
        store.getState().toast(endedNotice(a, decision), decision === 'timeout' ? 'error' : 'info');
    }
    store.setState((s) => applyEvents(s, batch));
    const after = store.getState().status?.vault;
    if (after === 'unlocked' && before !== 'unlocked') void store.getState().loadAll();
  };

  if (tr.kind === 'ipc') store.setState({ live: 'open' });
  const offEvents = tr.subscribe((e) => {
    queue.push(e);
    timer ??= setTimeout(flush, BATCH_MS);
  });
  const offConn = tr.onConnection((state) => {
    store.setState({ live: state });
    if (state === 'open') {
      if (wasDown) {
        // Events may have been missed while the stream was down: reload what is shown.
        wasDown = false;
        const s = store.getState();
        void s.boot().then(() => {
          const st = store.getState();
          if (st.feed.loaded) void st.loadFeed(st.feed.query);
        });
      }
    } else {
      wasDown = true;
      if (state === 'closed') void store.getState().boot();
    }
  });
  void store.getState().boot();
  return () => {
    offEvents();
    offConn();
    if (timer) clearTimeout(timer);
  };
}
