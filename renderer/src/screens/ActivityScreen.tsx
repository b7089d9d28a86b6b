// Activity: a virtualized live feed of the audit log with qualifier filters kept in the URL, a row drawer,
// chain status and export. Live by default; pauses when scrolled away or while a row is open.
import { memo, type SyntheticEvent, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowUp, Download, Search, ShieldCheck, ShieldAlert, X, ListFilter } from 'lucide-react';
import type { Decision } from '../../../shared/models.ts';
import { groupEntries, groupNote, type ActivityGroup } from '../activityGroups.ts';
import { useStore } from '../store/store.ts';
import {
  OUTCOMES,
  entryHasText,
  entryText,
  filterToParams,
  formatQualifiers,
  outcomeOf,
  paramsToFilter,
  parseQualifiers,
  toAuditQuery,
  type ActivityFilter,
} from '../activityQuery.ts';
import { absoluteTime, formatCount, relativeTime } from '../format.ts';
import { MenuButton } from '../ui/Menu.tsx';
import { Empty } from '../ui/Empty.tsx';
import { ScreenHead } from '../ui/ScreenHead.tsx';
import { replaceHash, useNow } from '../ui/hooks.ts';
import { ActivityDrawer } from './ActivityDrawer.tsx';

const ROW_HEIGHT = 40;
const CHIP_OUTCOMES: readonly Decision[] = ['allow', 'approved', 'denied', 'deny', 'timeout', 'error'];

function setFilter(f: ActivityFilter): void {
  const p = filterToParams(f);
  replaceHash(p ? `#/activity?${p}` : '#/activity');
}

function ChainBadge(): ReactNode {
  const verify = useStore((s) => s.verify);
  const verifyAudit = useStore((s) => s.verifyAudit);
  const checkChain = useStore((s) => s.checkChain);
  const [checking, setChecking] = useState(false);
  useEffect(() => {
    void verifyAudit();
  }, [verifyAudit]);
  // A click checks again and says what it found, so the badge never looks inert.
  const run = async (): Promise<void> => {
    setChecking(true);
    await checkChain();
    setChecking(false);
  };
  if (!verify || checking)
    return (
      <span className="chip chip-neutral" role="status" data-testid="chain-badge">
        Checking chain…
      </span>
    );
  if (verify.ok) {
    return (
      <button
        type="button"
        className="chip chip-neutral chip-btn"
        onClick={() => void run()}
        title="Check the hash chain again"
        data-testid="chain-badge"
      >
        <ShieldCheck size={13} aria-hidden="true" /> Verified · {formatCount(verify.checked)} entries
      </button>
    );
  }
  return (
    <button
      type="button"
      className="chip chip-bad chip-btn"
      onClick={() => void run()}
      title={verify.problem ?? 'Check again'}
      data-testid="chain-badge"
    >
      <ShieldAlert size={13} aria-hidden="true" /> Chain broken
      {verify.firstBrokenSeq !== undefined ? ` at #${verify.firstBrokenSeq}` : ''}
    </button>
  );
}

const Row = memo(function Row(props: {
  g: ActivityGroup;
  now: number;
  onOpen: (key: string) => void;
  selected: boolean;
}): ReactNode {
  const { g, now, onOpen, selected } = props;
  const e = g.head;
  const text = entryText(e);
  const note = groupNote(g);
  return (
    <button
      type="button"
      className={`feed-row ${selected ? 'feed-row-selected' : ''}`}
      data-testid="activity-row"
      data-seq={e.seq}
      data-outcome={g.outcome.label}
      data-request={e.requestId ?? undefined}
      aria-label={`${e.action}${e.agentName ? ` by ${e.agentName}` : ''}, ${g.outcome.label}, ${relativeTime(e.time, now)}`}
      onClick={() => onOpen(g.key)}
    >
      <span className="feed-time muted num" title={absoluteTime(e.time)}>
        {relativeTime(e.time, now)}
      </span>
      <span className="feed-agent">
        {e.agentName ? (
          <span className="agent-pill" title={e.agentName}>
            {e.agentName}
          </span>
        ) : (
          <span className="agent-pill agent-pill-system">{e.actor}</span>
        )}
      </span>
      <span className="feed-what">
        <span className="mono">{e.action}</span>
        {text && <span className="feed-text"> {text}</span>}
        {note && <span className="feed-note muted small"> · {note}</span>}
      </span>
      <span className="feed-outcome">
        <span className={`chip chip-${g.outcome.tone}`} data-testid="activity-outcome">
          {g.outcome.label}
        </span>
      </span>
      <span className="feed-rule muted small" title={g.outcome.by.rule ?? undefined}>
        {g.outcome.by.rule ?? ''}
      </span>
    </button>
  );
});

export function ActivityScreen({ params }: { params: string }): ReactNode {
  const filter = useMemo(() => paramsToFilter(params), [params]);
  const agents = useStore((s) => s.agents);
  const feed = useStore((s) => s.feed);
  const loadFeed = useStore((s) => s.loadFeed);
  const loadOlder = useStore((s) => s.loadOlder);
  const pauseFeed = useStore((s) => s.pauseFeed);
  const exportAudit = useStore((s) => s.exportAudit);
  const now = useNow(20_000);
  const [text, setText] = useState(() => formatQualifiers(filter));
  const [errors, setErrors] = useState<string[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const approvals = useStore((s) => s.approvals);
  const [scrolled, setScrolled] = useState(false);
  const [announce, setAnnounce] = useState('');
  const [filtered, setFiltered] = useState(0);
  const scrollRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  // `/` anywhere (or "Search activity" in the palette) puts the cursor in the search, text selected.
  const searchFocusPending = useStore((s) => s.searchFocusPending);
  const focusSearch = useStore((s) => s.focusSearch);
  useEffect(() => {
    if (!searchFocusPending) return;
    searchRef.current?.focus();
    searchRef.current?.select();
    focusSearch(false);
  }, [searchFocusPending, focusSearch]);

  const agentKey = agents.map((a) => `${a.id}:${a.name}`).join(',');
  useEffect(() => setText(formatQualifiers(filter)), [filter]);
  useEffect(() => {
    const r = toAuditQuery(filter, useStore.getState().agents, Date.now());
    if (!r.ok) {
      setErrors([r.error]);
      return;
    }
    setErrors([]);
    const st = useStore.getState().feed;
    if (!st.loaded || JSON.stringify(st.query) !== JSON.stringify(r.query)) void loadFeed(r.query);
  }, [params, agentKey, filter, loadFeed]);

  const waiting = useMemo(() => new Set(approvals.map((a) => a.requestId)), [approvals]);
  // One row per request: its decision, approval, result and cost folded together.
  const rows = useMemo(
    () =>
      groupEntries(
        filter.text ? feed.entries.filter((e) => entryHasText(e, filter.text ?? '')) : feed.entries,
        waiting,
      ),
    [feed.entries, filter.text, waiting],
  );
  const open = selected !== null ? (rows.find((g) => g.key === selected) ?? null) : null;

  const paused = scrolled || open !== null;
  useEffect(() => pauseFeed(paused), [paused, pauseFeed]);
  useEffect(() => () => pauseFeed(false), [pauseFeed]);

  // Feed updates are announced politely, in batches of at most one message every few seconds.
  const topSeq = feed.entries[0]?.seq ?? 0;
  const lastAnnounced = useRef({ seq: 0, at: 0 });
  useEffect(() => {
    const prev = lastAnnounced.current;
    if (!prev.seq) {
      lastAnnounced.current = { seq: topSeq, at: Date.now() };
      return;
    }
    if (topSeq <= prev.seq || Date.now() - prev.at < 4000) return;
    const n = feed.entries.findIndex((e) => e.seq <= prev.seq);
    const count = n < 0 ? feed.entries.length : n;
    if (count > 0) setAnnounce(`${count} new ${count === 1 ? 'entry' : 'entries'}`);
    lastAnnounced.current = { seq: topSeq, at: Date.now() };
  }, [topSeq, feed.entries]);

  const virtualizer = useVirtualizer({
    count: rows.length + (feed.nextCursor ? 1 : 0),
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => rows[i]?.key ?? 'older',
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (feed.nextCursor && !feed.loading && lastIndex >= rows.length - 5 && rows.length > 0) void loadOlder();
  }, [lastIndex, rows.length, feed.nextCursor, feed.loading, loadOlder]);

  const submit = (e: SyntheticEvent): void => {
    e.preventDefault();
    const parsed = parseQualifiers(text);
    setErrors(parsed.errors);
    if (parsed.errors.length) return;
    if (filterToParams(parsed.filter) === filterToParams(filter)) {
      // Same filter (an empty query included): load it afresh, and say what is shown.
      const r = toAuditQuery(parsed.filter, useStore.getState().agents, Date.now());
      if (r.ok) void loadFeed(r.query);
      setAnnounce(hasFilter ? 'Filter applied again.' : 'Showing all activity.');
      setFiltered(Date.now());
      return;
    }
    setFilter(parsed.filter);
  };

  const toggleOutcome = (d: Decision): void =>
    setFilter({ ...filter, outcome: filter.outcome === d ? undefined : d });
  const remove = (k: keyof ActivityFilter): void => {
    setFilter({ ...filter, [k]: undefined });
  };
  const jumpTop = (): void => {
    setSelected(null);
    scrollRef.current?.scrollTo({ top: 0 });
    setScrolled(false);
  };

  const active: [keyof ActivityFilter, string][] = [];
  if (filter.agent) active.push(['agent', `agent: ${filter.agent}`]);
  if (filter.action) active.push(['action', `action: ${filter.action}`]);
  if (filter.since) active.push(['since', `since: ${filter.since}`]);
  if (filter.until) active.push(['until', `until: ${filter.until}`]);
  if (filter.text) active.push(['text', `“${filter.text}”`]);
  const hasFilter = active.length > 0 || !!filter.outcome;

  return (
    <div className="screen screen-activity">
      <ScreenHead
        title="Activity"
        sub={
          <>
            <span className={`live ${paused ? 'live-paused' : ''}`}>{paused ? 'Paused' : 'Live'}</span> ·
            every decision and change, newest first
          </>
        }
      >
        <div className="head-actions">
          <ChainBadge />
          <MenuButton
            label={
              <>
                <Download size={14} aria-hidden="true" /> Export
              </>
            }
            ariaLabel="Export the current filter"
            testId="export"
            items={[
              {
                label: 'JSON Lines (.jsonl)',
                onSelect: () => void exportAudit('jsonl'),
                testId: 'export-jsonl',
              },
              { label: 'CSV (.csv)', onSelect: () => void exportAudit('csv'), testId: 'export-csv' },
            ]}
          />
        </div>
      </ScreenHead>

      <div className="filters">
        <form className="filterbar" role="search" onSubmit={submit}>
          <label className="search">
            <Search size={14} aria-hidden="true" />
            <span className="sr-only">Filter activity (shortcut: /)</span>
            <input
              ref={searchRef}
              value={text}
              onChange={(e) => setText(e.target.value)}
              placeholder="agent:mail-bot outcome:denied action:email.* since:1h"
              spellCheck={false}
              data-testid="activity-search"
              aria-invalid={errors.length > 0}
              aria-describedby="activity-search-errors"
            />
          </label>
          <button type="submit" className="btn btn-sm" data-testid="filter-submit">
            <ListFilter size={14} aria-hidden="true" /> Filter
          </button>
        </form>
        {filtered > 0 && !hasFilter && (
          <p className="help" data-testid="filter-feedback">
            Showing all activity, newest first.
          </p>
        )}
        <div id="activity-search-errors" aria-live="polite">
          {errors.map((er) => (
            <p key={er} className="help help-error">
              {er}
            </p>
          ))}
        </div>
        <div className="chips" role="group" aria-label="Outcome">
          {CHIP_OUTCOMES.map((d) => (
            <button
              key={d}
              type="button"
              className={`chip chip-toggle ${filter.outcome === d ? 'chip-on' : ''}`}
              aria-pressed={filter.outcome === d}
              onClick={() => toggleOutcome(d)}
              data-testid={`outcome-${outcomeOf(d).word}`}
            >
              {OUTCOMES.find((o) => o.decision === d)?.label}
            </button>
          ))}
          {active.map(([k, label]) => (
            <span key={k} className="chip chip-filter">
              {label}
              <button
                type="button"
                className="chip-x"
                aria-label={`Remove filter ${label}`}
                onClick={() => remove(k)}
              >
                <X size={12} aria-hidden="true" />
              </button>
            </span>
          ))}
          {hasFilter && (
            <button type="button" className="link small" onClick={() => setFilter({})}>
              Clear filters
            </button>
          )}
        </div>
      </div>

      <div className="feed-wrap">
        <div className="feed-col">
          {feed.buffered.length > 0 && (
            <button type="button" className="new-pill" onClick={jumpTop} data-testid="new-entries">
              <ArrowUp size={13} aria-hidden="true" /> {formatCount(feed.buffered.length)} new
            </button>
          )}
          <div className="feed-head" aria-hidden="true">
            <span>Time</span>
            <span>Agent</span>
            <span>What</span>
            <span>Outcome</span>
            <span>Rule</span>
          </div>
          {feed.loaded && rows.length === 0 ? (
            <Empty
              text={
                hasFilter
                  ? 'Nothing matches these filters.'
                  : 'No activity yet. Agent requests and your changes will appear here.'
              }
              action={
                hasFilter ? (
                  <button type="button" className="btn" onClick={() => setFilter({})}>
                    Clear filters
                  </button>
                ) : undefined
              }
            />
          ) : (
            <div
              ref={scrollRef}
              className="feed-scroll"
              onScroll={(e) => setScrolled(e.currentTarget.scrollTop > 4)}
              role="list"
              aria-label="Activity entries"
              aria-busy={feed.loading}
              data-testid="activity-feed"
            >
              <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                {items.map((v) => {
                  const e = rows[v.index];
                  return (
                    <div
                      key={v.key}
                      role="listitem"
                      className="feed-item"
                      style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
                    >
                      {e ? (
                        <Row g={e} now={now} selected={e.key === selected} onOpen={setSelected} />
                      ) : (
                        <button
                          type="button"
                          className="feed-older"
                          onClick={() => void loadOlder()}
                          disabled={feed.loading}
                        >
                          {feed.loading ? 'Loading older entries…' : 'Load older entries'}
                        </button>
                      )}
                    </div>
                  );
                })}
              </div>
            </div>
          )}
          {feed.error && (
            <p className="form-error" role="alert">
              {feed.error}
            </p>
          )}
        </div>
        {open && <ActivityDrawer group={open} onClose={() => setSelected(null)} />}
      </div>
      <div className="sr-only" aria-live="polite">
        {announce}
      </div>
    </div>
  );
}
