// The one renderer store (zustand): typed slices for status/vault, agents, approvals, audit feed,
// providers & secrets, grants and UI state, kept live by core events. It holds views only: no master key,
// secret value or agent token is ever put here (the show-once credential lives in a component's state).
import { create } from 'zustand';
import type { AdminOpName, AuditQuery, OpInput, OpOutput } from '../../../shared/contract.ts';
import type { AppEvent } from '../../../shared/events.ts';
import { endedNotice } from '../approvalText.ts';
import { formatCount } from '../format.ts';
import type { Scopes } from '../../../shared/scopes.ts';
import type { AgentView, ProviderView, SecretView, Severity, Status } from '../../../shared/models.ts';
import { TransportError, errorMessage, type ConnectionState, type Transport } from '../transport/types.ts';
import {
  applyEvents,
  emptyData,
  emptyFeed,
  feedPageLoaded,
  setFeedPaused,
  AGENT_ACTIVITY_LIMIT,
  type DataState,
  type StoreEvent,
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
  /**
   * The daemon stopped answering after the console had loaded: the shell stays, with a banner, and the
   * vault state is shown as unknown (greyed) until a call or the event stream gets through again.
   */
  unreachable: boolean;
  /** First-run setup stays on screen (showing the recovery code once) although the vault is unlocked. */
  setupHold: boolean;
  /** After a recovery-code unlock: offer to keep the vault key in a new source. */
  offerKeySource: boolean;
  toasts: Toast[];
  revokeTarget: RevokeTarget | null;
  /** The agent whose key the owner is about to rotate (the confirmation is open). */
  rotateTarget: string | null;
  paletteOpen: boolean;
  /** The keyboard shortcut sheet (`?`). */
  shortcutsOpen: boolean;
  /** Set by `/` (or the palette): the Activity search takes the focus once it is on screen. */
  searchFocusPending: boolean;
  verify: VerifyResult | null;
}

export interface Actions {
  boot: () => Promise<void>;
  loadAll: () => Promise<void>;
  /** Reads providers and secrets again (after another client changed them). */
  refreshVaultItems: () => Promise<void>;
  call: <N extends AdminOpName>(name: N, input: OpInput<N>) => Promise<OpOutput<N>>;
  /** The one way data changes: core events and the owner's own results through the same reducer. */
  apply: (events: readonly StoreEvent[]) => void;
  toast: (text: string, tone?: Toast['tone']) => void;
  dismissToast: (id: number) => void;
  openRevoke: (target: RevokeTarget | null) => void;
  openRotate: (agentId: string | null) => void;
  setPalette: (open: boolean) => void;
  setShortcuts: (open: boolean) => void;
  /** Asks the Activity search to take the focus (the caller navigates there); `false` once it has it. */
  focusSearch: (pending?: boolean) => void;

  createAgent: (
    name: string,
    scopes: Scopes,
    expiresAt?: string,
  ) => Promise<{ agent: AgentView; token: string }>;
  updateAgent: (id: string, patch: Omit<OpInput<'agentUpdate'>, 'id'>) => Promise<AgentView>;
  revokeAgent: (id: string, reason: string, severity: Severity) => Promise<number>;
  suspendAgent: (id: string) => Promise<number>;
  resumeAgent: (id: string) => Promise<void>;
  /** New credential; the old one dies at once. Returns the new token (shown once, never stored here). */
  rotateAgent: (id: string) => Promise<string>;
  removeGrant: (id: string) => Promise<void>;

  /** Returns the status and the recovery code (to be shown once by the caller, never kept in the store). */
  initVault: (input: OpInput<'vaultInit'>) => Promise<OpOutput<'vaultInit'>>;
  holdSetup: (on: boolean) => void;
  recoverVault: (code: string) => Promise<Status>;
  setKeySource: (input: OpInput<'vaultKeySource'>) => Promise<void>;
  dismissKeySourceOffer: () => void;
  unlockVault: (passphrase?: string) => Promise<Status>;
  lockVault: () => Promise<void>;

  saveProvider: (input: OpInput<'providerPut'>) => Promise<ProviderView>;
  removeProvider: (id: string) => Promise<void>;
  /** One harmless authenticated call to the provider's upstream; the result is for the screen, not the store. */
  testProvider: (id: string) => Promise<OpOutput<'providerTest'>>;
  saveSecret: (name: string, value: string) => Promise<SecretView>;
  removeSecret: (name: string) => Promise<void>;
  decide: (id: string, decision: 'approve' | 'deny', minutes?: number) => Promise<void>;
  /** Answers an owner prompt (a CLI session request, an act to confirm, a console link). */
  decideOwnerPrompt: (id: string, decision: 'allow' | 'deny', minutes?: number) => Promise<void>;
  denyAllFrom: (agentId: string) => Promise<number>;

  loadFeed: (query: AuditQuery) => Promise<void>;
  loadOlder: () => Promise<void>;
  pauseFeed: (paused: boolean) => void;
  loadAgentActivity: (agentId: string) => Promise<void>;
  verifyAudit: () => Promise<void>;
  /** Verifies the chain again and says what it found in a toast (a click on the badge, the palette). */
  checkChain: () => Promise<void>;
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
  unreachable: false,
  setupHold: false,
  offerKeySource: false,
  toasts: [],
  revokeTarget: null,
  rotateTarget: null,
  paletteOpen: false,
  shortcutsOpen: false,
  searchFocusPending: false,
  verify: null,

  async call(name, input) {
    try {
      const out = await t().call(name, input);
      if (get().unreachable) set({ unreachable: false });
      return out;
    } catch (err) {
      if (err instanceof TransportError && err.isUnauthorized) set({ conn: 'login' });
      else if (err instanceof TransportError && err.code === 'offline') {
        // Once loaded, keep the shell and say so in a banner; before that, the full-window panel.
        if (get().conn === 'ready') set({ unreachable: true });
        else set({ conn: 'offline' });
      }
      throw err;
    }
  },

  apply(events) {
    if (events.length) set((s) => applyEvents(s, events));
  },

  async boot() {
    try {
      const status = await get().call('status', {});
      get().apply([{ name: 'status.loaded', data: status }]);
      set({ conn: 'ready', unreachable: false });
      // Owner prompts are shown whatever the vault's state (a second start may ask for a console link).
      void get()
        .call('ownerPromptsList', {})
        .then((r) => get().apply([{ name: 'owner.prompts.loaded', data: r.prompts }]))
        .catch(() => undefined);
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

  async refreshVaultItems() {
    try {
      const [providers, secrets] = await Promise.all([
        get().call('providersList', {}),
        get().call('secretsList', {}),
      ]);
      get().apply([
        ...providers.providers.map((data) => ({ name: 'provider.saved' as const, data })),
        ...secrets.secrets.map((data) => ({ name: 'secret.saved' as const, data })),
      ]);
      // Removed ones: drop what the lists no longer hold.
      const keepP = new Set(providers.providers.map((p) => p.id));
      const keepS = new Set(secrets.secrets.map((x) => x.name));
      get().apply([
        ...get()
          .providers.filter((p) => !keepP.has(p.id))
          .map((p) => ({ name: 'provider.removed' as const, data: { id: p.id } })),
        ...get()
          .secrets.filter((x) => !keepS.has(x.name))
          .map((x) => ({ name: 'secret.removed' as const, data: { name: x.name } })),
      ]);
    } catch {
      // What is shown stays; the next change or reconnect reads again.
    }
  },

  toast(text, tone = 'info') {
    const id = ++toastSeq;
    set((s) => ({ toasts: [...s.toasts.slice(-1), { id, text, tone }] }));
    setTimeout(() => get().dismissToast(id), tone === 'error' ? 8000 : 4500);
  },
  dismissToast(id) {
    set((s) => ({ toasts: s.toasts.filter((x) => x.id !== id) }));
  },
  openRevoke(target) {
    set({ revokeTarget: target });
  },
  openRotate(agentId) {
    set({ rotateTarget: agentId });
  },
  setPalette(open) {
    set({ paletteOpen: open });
  },
  setShortcuts(open) {
    set({ shortcutsOpen: open });
  },
  focusSearch(pending = true) {
    set({ searchFocusPending: pending });
  },

  async createAgent(name, scopes, expiresAt) {
    const out = await get().call('agentCreate', { name, scopes, ...(expiresAt ? { expiresAt } : {}) });
    get().apply([{ name: 'agent.updated', data: out.agent }]);
    return out;
  },

  async updateAgent(id, patch) {
    const agent = await get().call('agentUpdate', { id, ...patch });
    get().apply([{ name: 'agent.updated', data: agent }]);
    return agent;
  },

  async suspendAgent(id) {
    const out = await get().call('agentSuspend', { id });
    get().apply([{ name: 'agent.updated', data: out.agent }]);
    return out.cut;
  },

  async resumeAgent(id) {
    const out = await get().call('agentResume', { id });
    get().apply([{ name: 'agent.updated', data: out.agent }]);
  },

  async rotateAgent(id) {
    const out = await get().call('agentRotate', { id });
    get().apply([{ name: 'agent.updated', data: out.agent }]);
    return out.token;
  },

  async removeGrant(id) {
    await get().call('grantDelete', { id });
    get().apply([{ name: 'grant.removed', data: { id } }]);
  },

  async initVault(input) {
    const out = await get().call('vaultInit', input);
    const { recoveryCode: _shownOnce, ...status } = out;
    get().apply([{ name: 'status.loaded', data: status }]);
    if (status.vault === 'unlocked') await get().loadAll();
    return out;
  },

  holdSetup(on) {
    set({ setupHold: on });
  },

  async recoverVault(code) {
    const status = await get().call('vaultRecover', { code });
    get().apply([{ name: 'status.loaded', data: status }]);
    set({ offerKeySource: true });
    if (status.vault === 'unlocked') await get().loadAll();
    return status;
  },

  async setKeySource(input) {
    const status = await get().call('vaultKeySource', input);
    get().apply([{ name: 'status.loaded', data: status }]);
    set({ offerKeySource: false });
  },

  dismissKeySourceOffer() {
    set({ offerKeySource: false });
  },

  async unlockVault(passphrase) {
    const status = await get().call('vaultUnlock', passphrase === undefined ? {} : { passphrase });
    get().apply([{ name: 'status.loaded', data: status }]);
    if (status.vault === 'unlocked') await get().loadAll();
    return status;
  },

  async lockVault() {
    try {
      get().apply([{ name: 'status.loaded', data: await get().call('vaultLock', {}) }]);
    } catch (err) {
      get().toast(errorMessage(err), 'error');
    }
  },

  async saveProvider(input) {
    const view = await get().call('providerPut', input);
    get().apply([{ name: 'provider.saved', data: view }]);
    return view;
  },

  testProvider(id) {
    return get().call('providerTest', { id });
  },

  async removeProvider(id) {
    await get().call('providerDelete', { id });
    get().apply([{ name: 'provider.removed', data: { id } }]);
  },

  async saveSecret(name, value) {
    const view = await get().call('secretPut', { name, value });
    get().apply([{ name: 'secret.saved', data: view }]);
    return view;
  },

  async removeSecret(name) {
    await get().call('secretDelete', { name });
    get().apply([{ name: 'secret.removed', data: { name } }]);
  },

  async revokeAgent(id, reason, severity) {
    const out = await get().call('agentRevoke', { id, reason, severity });
    // Show the agent revoked at once, before the event arrives.
    get().apply([{ name: 'agent.revoked', data: { agent: out.agent, cut: out.cut } }]);
    return out.cut;
  },

  async decideOwnerPrompt(id, decision, minutes) {
    await get().call('ownerPromptDecide', { id, decision, ...(minutes ? { minutes } : {}) });
    get().apply([
      { name: 'owner.prompt.closed', data: { id, outcome: decision === 'allow' ? 'allowed' : 'denied' } },
    ]);
  },

  async decide(id, decision, minutes) {
    const out = await get().call('approvalDecide', {
      id,
      decision,
      ...(minutes ? { remember: { minutes } } : {}),
    });
    get().apply([{ name: 'approval.decided', data: { id, decision: out.decision, grant: out.grant } }]);
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

  async checkChain() {
    await get().verifyAudit();
    const v = get().verify;
    if (v)
      get().toast(
        v.ok
          ? `Audit chain checked just now: ${formatCount(v.checked)} entries, no edits, gaps or rollback.`
          : `Audit chain broken${v.firstBrokenSeq !== undefined ? ` at entry #${v.firstBrokenSeq}` : ''}: ${v.problem ?? 'see Settings'}`,
        v.ok ? 'info' : 'error',
      );
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

function changesVaultItems(e: AppEvent): boolean {
  return (
    e.name === 'audit.appended' &&
    /^(provider|secret)\.(added|key_replaced|changed|removed|stored)$/.test(e.data.action)
  );
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
    store.getState().apply(batch);
    const after = store.getState().status?.vault;
    if (after === 'unlocked' && before !== 'unlocked') void store.getState().loadAll();
    // Providers and secrets have no events of their own: their audit entries (from any client, the CLI
    // included) say they changed, and the lists are read again.
    else if (after === 'unlocked' && batch.some(changesVaultItems)) void store.getState().refreshVaultItems();
  };

  if (tr.kind === 'ipc') store.setState({ live: 'open' });
  const offEvents = tr.subscribe((e) => {
    queue.push(e);
    timer ??= setTimeout(flush, BATCH_MS);
  });
  const offConn = tr.onConnection((state) => {
    store.setState(state === 'open' ? { live: state, unreachable: false } : { live: state });
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
      // The stream dropped: ask the daemon directly. If it does not answer, call() raises the
      // "not reachable" banner; if it does, the stream is simply reconnecting and nothing is shown.
      if (state === 'reconnecting' && !wasDown && store.getState().conn === 'ready')
        void store
          .getState()
          .call('status', {})
          .then((status) => store.getState().apply([{ name: 'status.loaded', data: status }]))
          .catch(() => undefined);
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
