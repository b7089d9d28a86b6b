// The tamper-evident, fail-closed audit log (docs/audit.md).
//
// Chain: every entry's hash is a keyed MAC over the previous hash and the entry's canonical JSON, under a
// key derived from the vault key (hash.ts), so recomputing the chain after an edit needs the vault key.
// Entries written before this process first had the key (a passphrase vault not yet unlocked) are plain
// SHA-256 ('plain'); the keyed entries after them chain over them.
//
// Anchors: the newest (seq, hash) is also kept outside the database file (anchor.ts), written coalesced
// after commits and at a clean stop. At every unlock the anchors are read and compared with the log as it
// was when this process opened it, and the chain is verified from the last verified checkpoint:
//   - an anchor past the end of the log           -> 'truncated' (or 'rollback' when the log is empty)
//   - the anchored entry does not carry its hash   -> 'anchor_mismatch'
//   - a clean-stop anchor followed by more entries -> 'appended_while_stopped' (unless they are all what a
//     run that never had the key writes: plain refusals and events, see lockedRunTail)
//   - keyed entries but no anchor anywhere         -> 'anchor_missing'
//   - an anchor whose MAC does not match           -> 'anchor_forged'
//   - an anchor with an empty log (no key needed)  -> 'rollback'
// Any of these is an integrity failure: reported through onIntegrity (Core audits it and shows it in the
// status), returned by verify, and the anchors are frozen so the evidence stays. Never a silent reseal.
// Entries become keyed only once the check has passed and the first anchor is on disk, so a crash at any
// point leaves a log whose keyed entries are covered by an anchor that trails them: never "tampering".
//
// Writing: the transaction boundary belongs to the caller (core/storage/transactions.ts), which calls
// insert() inside its transaction and publish() after it commits. append() is the stand-alone form: one
// entry in its own transaction. Any failure throws AppError 'audit_unavailable'; nothing is forwarded.
import type Database from 'better-sqlite3';
import { dirname, join } from 'node:path';
import type { Db } from '../storage/db.ts';
import type { AuditEntry } from '../../shared/models.ts';
import type { AuditQuery } from '../../shared/contract.ts';
import type { AuditInput } from './types.ts';
import { AppError } from '../errors.ts';
import { canonicalJson } from './canonical.ts';
import { ChainChecker } from './chain.ts';
import type { ChainBreak, IntegrityReason } from './chain.ts';
import { csvHeader, csvLine, jsonLine } from './export-format.ts';
import type { ExportFormat } from './export-format.ts';
import { GENESIS_HASH, canonicalEntryText, deriveAuditKeys, macEquals, sealMac, textHash } from './hash.ts';
import type { AuditKeys } from './hash.ts';
import {
  ANCHOR_FILE,
  AnchorKeeper,
  FILE_ANCHOR_INTERVAL_MS,
  FileAnchor,
  KEYCHAIN_ANCHOR_INTERVAL_MS,
  openAnchor,
  sealAnchor,
} from './anchor.ts';
import type { AnchorHead, AnchorPlace, KeychainAnchor } from './anchor.ts';
import { AuditPager, normalizeFilter } from './query.ts';
import type { AuditFilter } from './query.ts';
import { AUDIT_COLUMNS, INSERT_AUDIT_SQL, isDecision, rowToEntry, rowValues } from './row.ts';
import type { AuditRow, AuditRowValues } from './row.ts';
import { auditUnavailable } from './unavailable.ts';

export type { IntegrityReason } from './chain.ts';

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  firstBrokenSeq?: number;
  problem?: string;
  reason?: IntegrityReason;
  /** The first entry this run checked (1 for a full verify; after the checkpoint for an incremental one). */
  from?: number;
}

export interface IntegrityState {
  ok: boolean;
  /** The check at unlock is still running. */
  checking: boolean;
  reason: IntegrityReason | null;
  problem: string | null;
}

/**
 * Told of each committed entry. `text` is its canonical JSON without the hash (entryJson() makes the
 * entry's JSON from it without serialising it again), or null where the entry's JSON must be made anew.
 */
export type AuditListener = (entry: AuditEntry, text: string | null) => void;

/** A row this process has just written, with the canonical text its hash was computed over. */
export interface WrittenRow extends AuditRow {
  /** Null when the entry would not read back as this text (facts that are not an object, an unknown decision). */
  text: string | null;
}

export interface AuditLogOptions {
  listener?: AuditListener;
  /** The file anchor's path; by default next to the database file; null for none. */
  anchorFile?: string | null;
  /** Told once when an integrity failure is found (Core audits it and updates the status). */
  onIntegrityFailure?: (state: IntegrityState) => void;
}

export interface Tip {
  seq: number;
  hash: string;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const EXPORT_BATCH = 500;
const VERIFY_BATCH = 5000;
const AUDIT_KEY_BYTES = 32;
const MAX_CALLER_TEXT = 300;

/**
 * Unpaired UTF-16 surrogates become U+FFFD: SQLite would store them so, and the hash would no longer match.
 * (isWellFormed first: a quarter of the cost of a /\p{Cs}/gu replace on the usual well-formed text.)
 */
function text(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return value.isWellFormed() ? value : value.toWellFormed();
}

function clipped(value: string | null | undefined): string | null {
  // Cut first, then made well-formed: a cut through a surrogate pair leaves half of it, which text() replaces.
  return text(
    value !== null && value !== undefined && value.length > MAX_CALLER_TEXT
      ? `${value.slice(0, MAX_CALLER_TEXT)}…`
      : value,
  );
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** `status` is an INTEGER column in a STRICT table: a fractional value would fail the insert. */
function integer(value: number | null | undefined): number | null {
  const n = finite(value);
  return n === null ? null : Math.trunc(n);
}

function checkpointText(seq: number, hash: string): string {
  return `agent-keychain/audit-checkpoint/v2:${seq}:${hash}`;
}

function failed(brk: ChainBreak, checked: number, from: number): AuditVerifyResult {
  return { ok: false, checked, firstBrokenSeq: brk.seq, problem: brk.problem, reason: brk.reason, from };
}

export class AuditLog {
  private readonly db: Db;
  private readonly listener: AuditListener | undefined;
  private readonly onIntegrityFailure: ((state: IntegrityState) => void) | undefined;
  private readonly pager: AuditPager;
  private readonly insertRow: Database.Statement<AuditRowValues>;
  private readonly selectTip: Database.Statement<[], { seq: number; hash: string; chain: string }>;
  private readonly selectHashAt: Database.Statement<[number], { hash: string; chain: string }>;
  private readonly selectBatch: Database.Statement<[number, number, number], AuditRow>;
  private readonly selectKeyedBefore: Database.Statement<[number], { seq: number }>;
  private readonly selectNotLockedRun: Database.Statement<[number, number], { seq: number }>;
  private readonly selectCheckpoint: Database.Statement<[], { seq: number; hash: string; mac: string }>;
  private readonly upsertCheckpoint: Database.Statement<[number, string, string]>;
  private readonly writeRows: Database.Transaction<(inputs: readonly AuditInput[]) => WrittenRow[]>;

  /** Newest committed row as this process knows it; only moved after a commit (publish). */
  private tip: Tip;
  /** False after a stand-alone append inside someone else's transaction, which may still roll back. */
  private tipTrusted = true;
  /** The log as this process found it: anchors are compared with this, not with what it wrote since. */
  private readonly opened: Tip & { chain: string | null };

  private keys: AuditKeys | null = null;
  /** Entries are keyed only once the anchors are armed (see the file header). */
  private keyed = false;
  private state: IntegrityState = { ok: true, checking: false, reason: null, problem: null };
  private readonly fileAnchor: FileAnchor | null;
  private keychainAnchor: KeychainAnchor | null = null;
  /** What each anchor place held when the check at unlock read it. */
  private foundHeads: { name: string; head: AnchorHead }[] = [];
  private keeper: AnchorKeeper | null = null;
  private checkRun: Promise<void> | null = null;

  constructor(db: Db, options: AuditLogOptions = {}) {
    this.db = db;
    this.listener = options.listener;
    this.onIntegrityFailure = options.onIntegrityFailure;
    this.pager = new AuditPager(db);
    this.insertRow = db.prepare(INSERT_AUDIT_SQL);
    this.selectTip = db.prepare('SELECT seq, hash, chain FROM audit ORDER BY seq DESC LIMIT 1');
    this.selectHashAt = db.prepare('SELECT hash, chain FROM audit WHERE seq = ?');
    this.selectBatch = db.prepare(
      `SELECT ${AUDIT_COLUMNS} FROM audit WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
    );
    this.selectNotLockedRun = db.prepare(
      "SELECT seq FROM audit WHERE seq > ? AND seq <= ? AND (chain <> 'plain' OR decision NOT IN ('deny', 'denied', 'timeout', 'error', 'event')) LIMIT 1",
    );
    this.selectKeyedBefore = db.prepare(
      "SELECT seq FROM audit WHERE seq <= ? AND chain = 'mac' ORDER BY seq DESC LIMIT 1",
    );
    this.selectCheckpoint = db.prepare('SELECT seq, hash, mac FROM audit_checkpoint WHERE id = 1');
    this.upsertCheckpoint = db.prepare(
      'INSERT INTO audit_checkpoint (id, seq, hash, mac) VALUES (1, ?, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac',
    );
    this.writeRows = db.transaction((inputs: readonly AuditInput[]) => this.insert(inputs, this.last()));
    const found = this.selectTip.get();
    this.tip = found === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: found.seq, hash: found.hash };
    this.opened = { ...this.tip, chain: found?.chain ?? null };
    const file =
      options.anchorFile !== undefined
        ? options.anchorFile
        : db.memory
          ? null
          : join(dirname(db.name), ANCHOR_FILE);
    this.fileAnchor = file === null ? null : new FileAnchor(file);
    // Needs no key: an anchor exists, so this data directory had an audit log, and now it is empty.
    if (this.opened.seq === 0 && this.fileAnchor?.readSync() != null) {
      this.fail(
        'rollback',
        `The audit log is empty, but ${this.fileAnchor.name} shows an earlier log existed: the database was ` +
          'replaced by a fresh or older copy. If you reset Agent Keychain on purpose, move that file away too.',
      );
    }
  }

  /** The log's integrity as last checked. */
  integrity(): IntegrityState {
    return { ...this.state };
  }

  /** Why the anchors could not be written last time (keychain locked, disk), or null. */
  anchorError(): string | null {
    return this.keeper?.lastError ?? null;
  }

  /**
   * Appends one entry in its own transaction and returns it once committed. Throws AppError
   * 'audit_unavailable' when it cannot be written; the caller must then refuse the request. Inside a
   * transaction someone else opened, the entry commits (or rolls back) with that transaction.
   */
  append(input: AuditInput): AuditEntry {
    try {
      if (this.db.inTransaction) {
        const rows = this.insert([input], this.readTip());
        this.tipTrusted = false;
        return this.publish(rows, false)[0] ?? this.noEntry();
      }
      const rows = this.writeRows.immediate([input]);
      return this.publish(rows)[0] ?? this.noEntry();
    } catch (err) {
      throw err instanceof AppError && err.code === 'audit_unavailable' ? err : auditUnavailable(err);
    }
  }

  /** Appends several entries in one transaction, chained exactly as single appends (bench, bulk import). */
  appendMany(inputs: readonly AuditInput[]): readonly AuditEntry[] {
    if (inputs.length === 0) return [];
    try {
      return this.publish(this.writeRows.immediate(inputs));
    } catch (err) {
      throw auditUnavailable(err);
    }
  }

  private noEntry(): never {
    throw auditUnavailable(new Error('no entry written'));
  }

  /**
   * Inserts entries chained after `after`; the caller has a transaction open and calls publish() with the
   * rows once it has committed (or drops them when it rolls back).
   */
  insert(inputs: readonly AuditInput[], after: Tip): WrittenRow[] {
    let { seq, hash } = after;
    const chain = this.keyed ? 'mac' : 'plain';
    const key = this.keyed && this.keys !== null ? this.keys.chain : null;
    const rows: WrittenRow[] = [];
    for (const input of inputs) {
      const facts = input.facts ?? null;
      const caller = input.caller ?? null;
      const body: Omit<AuditRow, 'hash'> = {
        seq: seq + 1,
        time: new Date().toISOString(),
        agent_id: text(input.agentId),
        agent_name: text(input.agentName),
        actor: input.actor,
        action: text(input.action) ?? '',
        provider: text(input.provider),
        method: text(input.method),
        path: text(input.path),
        facts_json: facts === null ? null : canonicalJson(facts),
        decision: input.decision,
        reason: text(input.reason),
        rule: text(input.rule),
        status: integer(input.status),
        latency_ms: finite(input.latencyMs),
        cost_usd: finite(input.costUsd),
        request_id: text(input.requestId),
        chain,
        caller_pid: caller === null ? null : integer(caller.pid),
        caller_exe: caller === null ? null : clipped(caller.exe),
        caller_cmdline: caller === null ? null : clipped(caller.cmdline),
        prev_hash: hash,
      };
      if (body.caller_pid === null) {
        body.caller_exe = null;
        body.caller_cmdline = null;
      }
      const canonical = canonicalEntryText(body);
      const rowHash = textHash(chain, hash, canonical, key);
      if (rowHash === null) throw new Error('no chain key for a keyed entry');
      // rowToEntry reads facts that are not an object as { value }, and a decision outside the contract as
      // 'error': such an entry is serialised anew rather than from this text.
      const reads =
        isDecision(body.decision) && (body.facts_json === null || body.facts_json.startsWith('{'));
      const row: WrittenRow = { ...body, hash: rowHash, text: reads ? canonical : null };
      this.insertRow.run(...rowValues(row));
      rows.push(row);
      seq = row.seq;
      hash = row.hash;
    }
    return rows;
  }

  /** The rows have committed: move the tip, note the anchor, tell the listener. Returns the entries. */
  publish(
    rows: readonly WrittenRow[],
    committed = true,
    entries: readonly AuditEntry[] = rows.map(rowToEntry),
  ): readonly AuditEntry[] {
    const newest = rows.at(-1);
    if (newest !== undefined && committed) {
      this.tip = { seq: newest.seq, hash: newest.hash };
      this.tipTrusted = true;
      this.keeper?.note(newest.seq, newest.hash);
    }
    for (let i = 0; i < entries.length; i += 1) {
      const entry = entries[i];
      if (entry !== undefined) this.notify(entry, rows[i]?.text ?? null);
    }
    return entries;
  }

  /**
   * The vault was unlocked: derive the audit keys and check the log against its anchors (see the file
   * header). Resolves when the check is done; its outcome is in integrity(). Later unlocks in the same
   * process reuse the keys (the vault key does not change) and the check already made.
   */
  useKey(auditKey: Uint8Array, keychainAnchor: KeychainAnchor | null = null): Promise<void> {
    if (this.checkRun !== null) return this.checkRun;
    if (auditKey.length !== AUDIT_KEY_BYTES)
      throw new TypeError(`The audit key must be ${AUDIT_KEY_BYTES} bytes.`);
    const keys = deriveAuditKeys(auditKey);
    this.keys = keys;
    this.keychainAnchor = keychainAnchor;
    if (this.state.ok) this.state = { ...this.state, checking: true };
    this.checkRun = this.checkAtUnlock(keys).catch((err: unknown) => {
      this.fail(
        'anchor_missing',
        `The audit log could not be checked against its anchors: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    return this.checkRun;
  }

  /** Writes the anchors now, marked as a clean stop. Call before closing the database. */
  async close(): Promise<void> {
    if (this.checkRun !== null) await this.checkRun;
    if (this.keeper !== null) await this.keeper.flush(true);
  }

  private async checkAtUnlock(keys: AuditKeys): Promise<void> {
    const heads: { place: AnchorPlace; head: AnchorHead }[] = [];
    const places: { place: AnchorPlace; intervalMs: number }[] = [];
    const readPlace = async (place: AnchorPlace): Promise<boolean> => {
      const raw = await place.read();
      if (raw === null) return true;
      const head = openAnchor(keys.seal, raw.trim());
      if (head === 'forged') {
        this.fail(
          'anchor_forged',
          `The audit anchor in ${place.name} was altered or belongs to another vault, so the log cannot be vouched for.`,
        );
        return false;
      }
      heads.push({ place, head });
      return true;
    };
    if (this.fileAnchor !== null) {
      places.push({ place: this.fileAnchor, intervalMs: FILE_ANCHOR_INTERVAL_MS });
      if (!(await readPlace(this.fileAnchor))) return;
    }
    const keychain = this.keychainAnchor;
    if (keychain !== null) {
      places.push({ place: keychain, intervalMs: KEYCHAIN_ANCHOR_INTERVAL_MS });
      try {
        if (!(await readPlace(keychain))) return;
      } catch {
        // The keychain answered the vault key a moment ago; if it cannot answer now, the file anchor
        // still stands, and the keychain item is rewritten at the next interval.
      }
    }
    for (const { place, head } of heads) {
      const broken = this.compareOpened(head, place.name);
      if (broken !== null) return this.fail(broken.reason, broken.problem);
    }
    if (heads.length === 0 && this.wasKeyed()) {
      return this.fail(
        'anchor_missing',
        'The audit log holds keyed entries but no anchor was found outside the database (' +
          places.map((p) => p.place.name).join(', ') +
          '): it was deleted, so removal or rewriting of the newest entries cannot be ruled out.',
      );
    }
    const verdict = await this.scan(false, this.opened.seq);
    if (!verdict.ok) {
      return this.fail(verdict.reason ?? 'edited', verdict.problem ?? 'The chain is broken.');
    }
    if (!this.state.ok) return;
    this.foundHeads = heads.map(({ place, head }) => ({ name: place.name, head }));
    // Arm the anchors: the first one goes to disk now, before any keyed entry exists.
    this.keeper = new AnchorKeeper(keys.seal, places);
    if (this.fileAnchor !== null && this.tip.seq > 0)
      this.fileAnchor.writeSync(sealAnchor(keys.seal, { ...this.tip, clean: false }));
    this.keyed = true;
    this.state = { ok: true, checking: false, reason: null, problem: null };
    if (this.tip.seq > 0) this.keeper.note(this.tip.seq, this.tip.hash);
  }

  /** An anchor compared with the log as this process opened it; null when they agree. */
  private compareOpened(head: AnchorHead, where: string): ChainBreak | null {
    const end = this.opened.seq;
    if (head.seq > end) {
      return end === 0
        ? {
            seq: 1,
            reason: 'rollback',
            problem: `The audit log is empty, but ${where} says it reached entry ${head.seq}: the database was replaced by a fresh or older copy.`,
          }
        : {
            seq: end + 1,
            reason: 'truncated',
            problem: `The audit log ended at entry ${end}, but ${where} says it reached entry ${head.seq}: the newest entries were deleted or an older copy of the database was restored.`,
          };
    }
    const mismatch = this.mismatchAt(head, where);
    if (mismatch !== null) return mismatch;
    if (head.clean && end > head.seq && !this.lockedRunTail(head.seq, end)) {
      return {
        seq: head.seq + 1,
        reason: 'appended_while_stopped',
        problem: `Agent Keychain stopped cleanly at entry ${head.seq} (${where}), but the log now goes on to entry ${end}: entries were added while it was not running.`,
      };
    }
    return null;
  }

  /**
   * Whether the entries after a clean stop are what a run that never had the key writes: a passphrase vault
   * started and stopped again without being unlocked cannot seal an anchor, so its entries are `plain` and
   * follow the clean anchor. Such a run can only refuse and note events, so a tail holding any keyed entry,
   * or any decision other than a refusal, an error or an event, is still reported (docs/audit.md).
   */
  private lockedRunTail(after: number, end: number): boolean {
    return this.selectNotLockedRun.get(after, end) === undefined;
  }

  private mismatchAt(head: AnchorHead, where: string): ChainBreak | null {
    if (head.seq === 0) return null;
    const row = this.selectHashAt.get(head.seq);
    if (row !== undefined && row.hash === head.hash) return null;
    return {
      seq: head.seq,
      reason: 'anchor_mismatch',
      problem: `Entry ${head.seq} no longer matches ${where}: entries up to it were rewritten, or an older copy of the database was restored.`,
    };
  }

  /** Keyed entries, or a checkpoint only a key could make, were in the log when this process opened it. */
  private wasKeyed(): boolean {
    if (this.opened.chain === 'mac' || this.selectCheckpoint.get() !== undefined) return true;
    // From the newest down: keyed entries are the recent ones, so this stops early when there are any.
    return this.selectKeyedBefore.get(this.opened.seq) !== undefined;
  }

  /** Records an integrity failure (the first one wins) and freezes the anchors. */
  private fail(reason: IntegrityReason, problem: string): void {
    this.keeper?.stop();
    this.keeper = null;
    // Entries stay keyed from here on: the anchors are frozen anyway, so no crash window is left to cover.
    if (this.keys !== null) this.keyed = true;
    if (!this.state.ok) return;
    this.state = { ok: false, checking: false, reason, problem };
    try {
      this.onIntegrityFailure?.({ ...this.state });
    } catch {
      // Reporting must not hide the failure: verify and the status still carry it.
    }
  }

  /**
   * Checks the chain and compares it with the anchors. Incremental by default: from the last verified
   * checkpoint (the checkpointed entry must still carry its hash) to the newest entry; `full` re-reads
   * every entry. Runs in batches with the event loop free between them, over the log as it was when called.
   */
  async verify(options: { full?: boolean; batchSize?: number } = {}): Promise<AuditVerifyResult> {
    // The check at unlock first, so a failure it finds is part of this answer.
    if (this.checkRun !== null) await this.checkRun;
    const bound = this.last().seq;
    const verdict = await this.scan(options.full === true, bound, options.batchSize);
    if (!verdict.ok) {
      if (verdict.reason !== 'locked')
        this.fail(verdict.reason ?? 'edited', verdict.problem ?? 'The chain is broken.');
      return verdict;
    }
    if (!this.state.ok) {
      return {
        ok: false,
        checked: verdict.checked,
        problem: this.state.problem ?? undefined,
        reason: this.state.reason ?? undefined,
        from: verdict.from,
      };
    }
    const anchorBreak = this.compareAnchorsNow();
    if (anchorBreak !== null) {
      this.fail(anchorBreak.reason, anchorBreak.problem);
      return failed(anchorBreak, verdict.checked, verdict.from ?? 1);
    }
    return verdict;
  }

  /** Every anchor this process knows of against the log now. */
  private compareAnchorsNow(): ChainBreak | null {
    const keys = this.keys;
    if (keys === null) return null;
    const heads = [...this.foundHeads];
    const written = this.keeper?.newestWritten ?? null;
    if (written !== null) heads.push({ name: 'the anchor this process wrote', head: written });
    if (this.fileAnchor !== null && this.keyed) {
      const raw = this.fileAnchor.readSync();
      if (raw === null) {
        if (written !== null)
          return {
            seq: written.seq,
            reason: 'anchor_missing',
            problem: `${this.fileAnchor.name} was deleted while Agent Keychain was running.`,
          };
      } else {
        const head = openAnchor(keys.seal, raw.trim());
        if (head === 'forged')
          return {
            seq: 0,
            reason: 'anchor_forged',
            problem: `The audit anchor in ${this.fileAnchor.name} was altered.`,
          };
        heads.push({ name: this.fileAnchor.name, head });
      }
    }
    const end = this.last().seq;
    for (const { name, head } of heads) {
      if (head.seq > end)
        return {
          seq: end + 1,
          reason: 'truncated',
          problem: `The audit log ends at entry ${end}, but ${name} says it reached entry ${head.seq}: the newest entries were deleted.`,
        };
      const mismatch = this.mismatchAt(head, name);
      if (mismatch !== null) return mismatch;
    }
    return null;
  }

  /** Walks the chain from the checkpoint (or entry 1) to `bound` in batches; writes the new checkpoint. */
  private async scan(full: boolean, bound: number, batchSize = VERIFY_BATCH): Promise<AuditVerifyResult> {
    const keys = this.keys;
    let checker = new ChainChecker(keys?.chain ?? null);
    const start = full ? null : this.checkpoint(bound);
    if (start !== null)
      checker = new ChainChecker(keys?.chain ?? null, start.seq + 1, start.hash, start.pastV1);
    const from = (start?.seq ?? 0) + 1;
    let after = start?.seq ?? 0;
    for (;;) {
      const rows = this.selectBatch.all(after, bound, batchSize);
      for (const row of rows) {
        const broken = checker.check(row);
        if (broken !== null) return failed(broken, checker.checked, from);
      }
      const lastRow = rows.at(-1);
      if (rows.length < batchSize || lastRow === undefined) break;
      after = lastRow.seq;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const end = checker.last;
    if (end.seq !== bound) {
      // Rows at the end vanished between reading the bound and the scan: the newest entries were deleted.
      return {
        ok: false,
        checked: checker.checked,
        firstBrokenSeq: end.seq + 1,
        reason: 'truncated',
        problem: `The log ends at entry ${end.seq} although it reached entry ${bound} a moment ago: the newest entries were deleted.`,
        from,
      };
    }
    if (keys !== null && end.seq > 0 && !this.db.inTransaction) {
      try {
        this.upsertCheckpoint.run(end.seq, end.hash, sealMac(keys.seal, checkpointText(end.seq, end.hash)));
      } catch {
        // Only a shortcut for the next verify; it starts further back if this write did not happen.
      }
    }
    return { ok: true, checked: checker.checked, from };
  }

  /** The last verified entry, if its checkpoint is genuine and the entry still carries its hash. */
  private checkpoint(bound: number): { seq: number; hash: string; pastV1: boolean } | null {
    const keys = this.keys;
    if (keys === null) return null;
    const cp = this.selectCheckpoint.get();
    if (cp === undefined || cp.seq > bound) return null;
    if (!macEquals(sealMac(keys.seal, checkpointText(cp.seq, cp.hash)), cp.mac)) return null;
    const row = this.selectHashAt.get(cp.seq);
    if (row === undefined || row.hash !== cp.hash) return null;
    return { seq: cp.seq, hash: cp.hash, pastV1: row.chain !== 'v1' };
  }

  /** Newest first, filtered, keyset-paged: nextCursor is the seq to pass back as `cursor`, or null at the end. */
  query(q: AuditQuery): { entries: AuditEntry[]; nextCursor: string | null } {
    const limit = Math.min(Math.max(Math.trunc(q.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
    let before = Number.MAX_SAFE_INTEGER;
    if (q.cursor !== undefined) {
      before = Number(q.cursor);
      if (!Number.isSafeInteger(before) || before < 0) {
        throw new AppError('bad_request', '"cursor" must be the nextCursor of a previous page.', {
          path: 'cursor',
        });
      }
    }
    const rows = this.pager.page(normalizeFilter(q), {
      direction: 'desc',
      after: 0,
      before,
      limit: limit + 1,
    });
    const entries = rows.slice(0, limit).map(rowToEntry);
    const lastEntry = entries.at(-1);
    return {
      entries,
      nextCursor: rows.length > limit && lastEntry !== undefined ? String(lastEntry.seq) : null,
    };
  }

  /**
   * The entries matching the filter, OLDEST FIRST, as complete lines with their terminators (CSV starts
   * with a header). Reads in batches by seq, so no rows pile up in memory and no SQLite cursor stays open
   * between yields (appends go on while a slow client downloads). Covers the log as it was when called.
   */
  exportLines(q: AuditFilter, format: ExportFormat): Generator<string> {
    const filter = normalizeFilter(q);
    const before = this.readTip().seq + 1;
    const pager = this.pager;
    return (function* lines(): Generator<string> {
      if (format === 'csv') yield csvHeader();
      const line = format === 'csv' ? csvLine : jsonLine;
      let after = 0;
      for (;;) {
        const rows = pager.page(filter, { direction: 'asc', after, before, limit: EXPORT_BATCH });
        for (const row of rows) yield line(rowToEntry(row));
        const lastRow = rows.at(-1);
        if (rows.length < EXPORT_BATCH || lastRow === undefined) return;
        after = lastRow.seq;
      }
    })();
  }

  /** Entries in the log: seqs run from 1 without gaps (verify reports any gap), so the newest seq. */
  count(): number {
    return this.last().seq;
  }

  /** The newest committed entry's seq and hash (seq 0 and the genesis hash when empty). */
  last(): Tip {
    if (!this.tipTrusted) return this.readTip();
    return { seq: this.tip.seq, hash: this.tip.hash };
  }

  /** The agent's newest n entries, newest first. */
  recent(agentId: string, n: number): AuditEntry[] {
    if (n < 1) return [];
    return this.query({ agentId, limit: Math.min(Math.trunc(n), MAX_LIMIT) }).entries;
  }

  private readTip(): Tip {
    const row = this.selectTip.get();
    return row === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: row.seq, hash: row.hash };
  }

  private notify(entry: AuditEntry, text: string | null): void {
    if (this.listener === undefined) return;
    try {
      const result: unknown = this.listener(entry, text);
      if (result instanceof Promise) result.catch(() => undefined);
    } catch {
      // A broken listener must never break auditing: the entry is committed either way.
    }
  }
}
