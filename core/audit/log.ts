// The tamper-evident, fail-closed audit log (DESIGN §6).
//
// Every entry is hash-chained to the one before it:
//   hash = SHA-256(prevHash ‖ canonical JSON of the entry without `hash`), prevHash of entry 1 = 64 zeros.
// The chain head (seq, hash) is also kept in `audit_head` with an HMAC under a key derived from the vault
// key, so deleting the newest rows is detected too: a plain chain cannot tell a truncated log from a
// shorter one.
//
// Fail-closed: append commits the row and the head in one transaction before it returns. Any failure
// throws AppError 'audit_unavailable' and the caller must refuse the request; nothing is forwarded.
//
// Head key life cycle (setHeadKey):
// - No key (vault locked): appends still chain, but the head row is left as it is (unsealed tail).
// - Key set (vault unlocked): the head is checked, then kept up to date by every append.
//     * no head row yet          -> the newest row is sealed;
//     * valid MAC, the chain from the head's row to the newest row verifies -> resealed to the newest row;
//     * bad MAC, head past the end of the log, or the head's row/chain does not match -> the head is left
//       untouched and appends stop moving it ("held"), so verify keeps reporting the problem instead of
//       an append quietly sealing over the evidence.
// - If the head cannot be read or written when the key is set (lock, disk), the check is retried before
//   the next append, and no append touches the head until it has passed.
// - setHeadKey(null) zeroes and drops the key. The key lives in memory only.
import type Database from 'better-sqlite3';
import type { Db } from '../storage/db.ts';
import type { AuditEntry } from '../../shared/models.ts';
import type { AuditQuery } from '../../shared/contract.ts';
import type { AuditInput } from './types.ts';
import { AppError } from '../errors.ts';
import { canonicalJson } from './canonical.ts';
import { ChainChecker } from './chain.ts';
import { csvHeader, csvLine, jsonLine } from './export-format.ts';
import type { ExportFormat } from './export-format.ts';
import { GENESIS_HASH, entryHash, headMac, headMacMatches } from './hash.ts';
import { AuditPager, normalizeFilter } from './query.ts';
import type { AuditFilter } from './query.ts';
import { AUDIT_COLUMNS, INSERT_AUDIT_SQL, rowToEntry, rowValues } from './row.ts';
import type { AuditRow, AuditRowValues } from './row.ts';
import { auditUnavailable } from './unavailable.ts';

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  firstBrokenSeq?: number;
  problem?: string;
}

export type AuditListener = (entry: AuditEntry) => void;

interface HeadRow {
  seq: number;
  hash: string;
  mac: string;
}

interface Tip {
  seq: number;
  hash: string;
}

/** One pass of verify: the chain so far, the head read before the pass, and that head's row hash. */
class VerifyScan {
  readonly checker = new ChainChecker();
  readonly head: HeadRow | undefined;
  headRowHash: string | null = null;

  constructor(head: HeadRow | undefined) {
    this.head = head;
  }

  /** A failed verdict at the first break, or null. */
  check(row: AuditRow): AuditVerifyResult | null {
    const broken = this.checker.check(row);
    if (broken !== null)
      return {
        ok: false,
        checked: this.checker.checked,
        firstBrokenSeq: broken.seq,
        problem: broken.problem,
      };
    if (this.head !== undefined && row.seq === this.head.seq) this.headRowHash = row.hash;
    return null;
  }
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const EXPORT_BATCH = 500;
const HEAD_KEY_BYTES = 32;
/** Unpaired UTF-16 surrogates: SQLite would store them as U+FFFD and the hash would no longer match. */
const LONE_SURROGATE = /\p{Cs}/gu;

function text(value: string | null | undefined): string | null {
  return value === null || value === undefined ? null : value.replace(LONE_SURROGATE, '\uFFFD');
}

function finite(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** `status` is an INTEGER column in a STRICT table: a fractional value would fail the insert. */
function integer(value: number | null | undefined): number | null {
  const n = finite(value);
  return n === null ? null : Math.trunc(n);
}

export class AuditLog {
  private readonly db: Db;
  private readonly listener: AuditListener | undefined;
  private readonly pager: AuditPager;
  private readonly insertRow: Database.Statement<AuditRowValues>;
  private readonly upsertHead: Database.Statement<[number, string, string]>;
  private readonly selectHead: Database.Statement<[], HeadRow>;
  private readonly selectTip: Database.Statement<[], Tip>;
  private readonly selectAll: Database.Statement<[], AuditRow>;
  private readonly selectFrom: Database.Statement<[number], AuditRow>;
  private readonly selectBatch: Database.Statement<[number, number, number], AuditRow>;
  private readonly selectCount: Database.Statement<[], { n: number }>;
  private readonly writeRows: Database.Transaction<
    (inputs: readonly AuditInput[], reloadTip: boolean) => AuditRow[]
  >;

  /** Newest committed row as this process knows it; only moved after a commit. */
  private tip: Tip;
  /** False after an append inside a caller's transaction, which may still roll back: re-read the tip. */
  private tipTrusted = true;
  /**
   * Set by an owner that calls untrustTip() whenever one of its transactions rolls back (Core does):
   * then appends inside its transactions keep the in-memory tip instead of re-reading it each time.
   */
  outerRollbacksReported = false;
  private headKey: Buffer | null = null;
  /** The head was found broken when the key was set: appends leave it so verify keeps reporting it. */
  private sealHeld = false;
  /** A head row was seen or written while the current key was set (so a missing one means deletion). */
  private sealConfirmed = false;
  /** The key is set but checking the head failed (lock, disk); retried before the next append. */
  private headUnchecked = false;

  constructor(db: Db, listener?: AuditListener) {
    this.db = db;
    this.listener = listener;
    this.pager = new AuditPager(db);
    this.insertRow = db.prepare(INSERT_AUDIT_SQL);
    this.upsertHead = db.prepare(
      'INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, ?, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, mac = excluded.mac',
    );
    this.selectHead = db.prepare('SELECT seq, hash, mac FROM audit_head WHERE id = 1');
    this.selectTip = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    this.selectAll = db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit ORDER BY seq`);
    this.selectFrom = db.prepare(`SELECT ${AUDIT_COLUMNS} FROM audit WHERE seq >= ? ORDER BY seq`);
    this.selectBatch = db.prepare(
      `SELECT ${AUDIT_COLUMNS} FROM audit WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
    );
    this.selectCount = db.prepare('SELECT count(*) AS n FROM audit');
    this.writeRows = db.transaction((inputs: readonly AuditInput[], reloadTip: boolean) =>
      this.insertChained(inputs, reloadTip),
    );
    this.tip = this.readTip();
  }

  /**
   * Appends one entry and returns it once it is committed. Throws AppError 'audit_unavailable' when it
   * cannot be written; the caller must then refuse the request. Called inside a caller's own transaction,
   * the entry commits (and the listener hears of it) with that transaction.
   */
  append(input: AuditInput): AuditEntry {
    const [entry] = this.write([input]);
    if (entry === undefined) throw auditUnavailable(new Error('no entry written'));
    return entry;
  }

  /** Appends several entries in one transaction, chained exactly as single appends (bench, bulk import). */
  appendMany(inputs: readonly AuditInput[]): AuditEntry[] {
    return inputs.length === 0 ? [] : this.write(inputs);
  }

  /** Sets (vault unlocked) or drops (vault locked) the key that seals the head. See the file header. */
  setHeadKey(key: Uint8Array | null): void {
    this.headKey?.fill(0);
    this.headKey = null;
    this.sealHeld = false;
    this.sealConfirmed = false;
    this.headUnchecked = false;
    if (key === null) return;
    if (key.length !== HEAD_KEY_BYTES)
      throw new TypeError(`The audit head key must be ${HEAD_KEY_BYTES} bytes.`);
    this.headKey = Buffer.from(key); // a copy: the caller may wipe its buffer
    this.checkHead(this.headKey);
  }

  /**
   * Checks the whole chain and the sealed head. Synchronous: it holds the connection (and the event
   * loop) while it streams every row; see verifyAsync for a long log in a serving process.
   */
  verify(): AuditVerifyResult {
    const scan = new VerifyScan(this.selectHead.get());
    for (const row of this.selectAll.iterate()) {
      const broken = scan.check(row);
      if (broken !== null) return broken;
    }
    return this.verdict(scan);
  }

  /**
   * The same checks as verify, in batches of `batchSize` rows with the event loop free between them, so
   * agent requests keep being served. Covers the log as it was when called.
   */
  async verifyAsync(batchSize = 5000): Promise<AuditVerifyResult> {
    const scan = new VerifyScan(this.selectHead.get());
    const bound = this.readTip().seq;
    let after = 0;
    for (;;) {
      const rows = this.selectBatch.all(after, bound, batchSize);
      for (const row of rows) {
        const broken = scan.check(row);
        if (broken !== null) return broken;
      }
      const lastRow = rows.at(-1);
      if (rows.length < batchSize || lastRow === undefined) return this.verdict(scan);
      after = lastRow.seq;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** After a clean chain: compare its end with the sealed head. */
  private verdict(scan: VerifyScan): AuditVerifyResult {
    const { head, headRowHash } = scan;
    const checked = scan.checker.checked;
    const end = scan.checker.last.seq;
    if (head === undefined) {
      if (this.headKey !== null && this.sealConfirmed && end > 0) {
        return {
          ok: false,
          checked,
          problem:
            'The sealed head of the audit log was deleted, so removal of the newest entries cannot be ruled out.',
        };
      }
      return { ok: true, checked };
    }
    // The seal can only be checked while the vault is unlocked; the seq/hash checks below run either way.
    if (this.headKey !== null && !headMacMatches(this.headKey, head.seq, head.hash, head.mac)) {
      return {
        ok: false,
        checked,
        problem:
          'The sealed head of the audit log was altered: its seal does not match, so the newest entries cannot be vouched for.',
      };
    }
    if (head.seq > end) {
      return {
        ok: false,
        checked,
        firstBrokenSeq: end + 1,
        problem:
          end === 0
            ? `All entries were removed: the sealed head says the log reached entry ${head.seq}.`
            : `The newest entries were removed: the log ends at entry ${end} but its sealed head says it reached entry ${head.seq}.`,
      };
    }
    if (headRowHash !== head.hash) {
      return {
        ok: false,
        checked,
        firstBrokenSeq: head.seq,
        problem: `Entry ${head.seq} does not match the sealed head: the newest entries were replaced.`,
      };
    }
    return { ok: true, checked };
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
    const rows = this.pager.page(normalizeFilter(q), 'desc', 0, before, limit + 1);
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
        const rows = pager.page(filter, 'asc', after, before, EXPORT_BATCH);
        for (const row of rows) yield line(rowToEntry(row));
        const lastRow = rows.at(-1);
        if (rows.length < EXPORT_BATCH || lastRow === undefined) return;
        after = lastRow.seq;
      }
    })();
  }

  count(): number {
    return this.selectCount.get()?.n ?? 0;
  }

  /** The newest entry's seq and hash (seq 0 and the genesis hash when empty). */
  last(): { seq: number; hash: string } {
    if (!this.tipTrusted) return this.readTip();
    return { seq: this.tip.seq, hash: this.tip.hash };
  }

  /** The agent's newest n entries, newest first. */
  recent(agentId: string, n: number): AuditEntry[] {
    if (n < 1) return [];
    return this.query({ agentId, limit: Math.min(Math.trunc(n), MAX_LIMIT) }).entries;
  }

  private write(inputs: readonly AuditInput[]): AuditEntry[] {
    if (this.headKey !== null && this.headUnchecked) this.checkHead(this.headKey);
    const outer = this.db.inTransaction;
    let rows: AuditRow[];
    try {
      // Inside a transaction of an owner that reports rollbacks, its transaction already makes the row
      // and the head one unit: no savepoint of our own is needed.
      rows =
        outer && this.outerRollbacksReported
          ? this.insertChained(inputs, !this.tipTrusted)
          : this.writeRows.immediate(inputs, (outer && !this.outerRollbacksReported) || !this.tipTrusted);
    } catch (err) {
      // The transaction rolled back; the in-memory tip was not touched, so the next append chains on.
      throw auditUnavailable(err);
    }
    if (this.headKey !== null && !this.sealHeld && !this.headUnchecked) this.sealConfirmed = true;
    const newest = rows.at(-1);
    if (newest !== undefined) this.tip = { seq: newest.seq, hash: newest.hash };
    // Inside a caller's transaction the rows may still roll back: read the tip again next time.
    this.tipTrusted = !outer || this.outerRollbacksReported;
    const entries = rows.map(rowToEntry);
    for (const entry of entries) this.notify(entry);
    return entries;
  }

  /** Runs inside the write transaction. */
  private insertChained(inputs: readonly AuditInput[], reloadTip: boolean): AuditRow[] {
    let { seq, hash } = reloadTip ? this.readTip() : this.tip;
    const rows: AuditRow[] = [];
    for (const input of inputs) {
      const facts = input.facts ?? null;
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
        prev_hash: hash,
      };
      const row: AuditRow = { ...body, hash: entryHash(body) };
      this.insertRow.run(...rowValues(row));
      rows.push(row);
      seq = row.seq;
      hash = row.hash;
    }
    if (this.headKey !== null && !this.sealHeld && !this.headUnchecked) {
      if (this.deferSeal) this.pendingSeal = { seq, hash };
      else this.upsertHead.run(seq, hash, headMac(this.headKey, seq, hash));
    }
    return rows;
  }

  /**
   * While an owner's group transaction is open, the head is sealed once when it commits (sealPending)
   * rather than after every entry: the seal and the entries still commit together.
   */
  deferSeal = false;
  private pendingSeal: Tip | null = null;

  /** Writes the deferred head seal (inside the owner's transaction, right before it commits). */
  sealPending(): void {
    const pending = this.pendingSeal;
    this.pendingSeal = null;
    if (pending !== null && this.headKey !== null && !this.sealHeld && !this.headUnchecked) {
      this.upsertHead.run(pending.seq, pending.hash, headMac(this.headKey, pending.seq, pending.hash));
    }
  }

  /** The owner's transaction rolled back: its deferred seal is void. */
  dropPendingSeal(): void {
    this.pendingSeal = null;
  }

  /** Runs checkAndReseal; if the database cannot be read or written now, retries before the next append. */
  private checkHead(key: Buffer): void {
    try {
      this.checkAndReseal(key);
      this.headUnchecked = false;
    } catch {
      // Until the head has been checked, appends leave it alone: sealing blindly could cover up tampering.
      this.headUnchecked = true;
    }
  }

  private checkAndReseal(key: Buffer): void {
    const tip = this.readTip();
    const head = this.selectHead.get();
    if (head === undefined) {
      if (tip.seq > 0) this.upsertHead.run(tip.seq, tip.hash, headMac(key, tip.seq, tip.hash));
      this.sealConfirmed = tip.seq > 0;
      return;
    }
    this.sealConfirmed = true;
    const sound =
      headMacMatches(key, head.seq, head.hash, head.mac) &&
      head.seq <= tip.seq &&
      this.chainVerifiesFrom(head);
    if (!sound) {
      this.sealHeld = true;
      return;
    }
    if (head.seq !== tip.seq || head.hash !== tip.hash)
      this.upsertHead.run(tip.seq, tip.hash, headMac(key, tip.seq, tip.hash));
  }

  /** The head's own row matches it and every row after it chains on correctly. */
  private chainVerifiesFrom(head: HeadRow): boolean {
    let checker: ChainChecker | null = null;
    for (const row of this.selectFrom.iterate(head.seq)) {
      if (checker === null) {
        if (row.seq !== head.seq || row.hash !== head.hash || entryHash(row) !== row.hash) return false;
        checker = new ChainChecker(head.seq + 1, head.hash);
      } else if (checker.check(row) !== null) {
        return false;
      }
    }
    return checker !== null;
  }

  /** An outer transaction rolled back: the next append re-reads the newest row. */
  untrustTip(): void {
    this.tipTrusted = false;
  }

  private readTip(): Tip {
    return this.selectTip.get() ?? { seq: 0, hash: GENESIS_HASH };
  }

  private notify(entry: AuditEntry): void {
    if (this.listener === undefined) return;
    try {
      const result: unknown = this.listener(entry);
      if (result instanceof Promise) result.catch(() => undefined);
    } catch {
      // A broken listener must never break auditing: the entry is committed either way.
    }
  }
}
