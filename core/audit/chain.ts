// Walks audit rows in seq order and reports the first place where the chain breaks, in words.
import { GENESIS_HASH, entryHash } from './hash.ts';
import type { AuditRow } from './row.ts';

/** Why verify (or the check at unlock) is not ok; stable codes for programs, the problem text for people. */
export type IntegrityReason =
  | 'edited'
  | 'deleted'
  | 'reordered'
  | 'downgraded'
  | 'truncated'
  | 'rollback'
  | 'anchor_mismatch'
  | 'appended_while_stopped'
  | 'anchor_missing'
  | 'anchor_forged'
  | 'locked';

export interface ChainBreak {
  seq: number;
  reason: IntegrityReason;
  problem: string;
}

export class ChainChecker {
  private expectedSeq: number;
  private prevHash: string;
  private readonly key: Uint8Array | null;
  /** A non-'v1' entry was seen: a 'v1' one after it was rewritten in the old, unkeyed format. */
  private pastV1: boolean;
  checked = 0;

  /** Starts at entry 1 with the genesis hash, or after an entry already known to be good. */
  constructor(key: Uint8Array | null, nextSeq = 1, prevHash = GENESIS_HASH, pastV1 = false) {
    this.key = key;
    this.expectedSeq = nextSeq;
    this.prevHash = prevHash;
    this.pastV1 = pastV1;
  }

  /** The seq and hash of the last row that checked out. */
  get last(): { seq: number; hash: string } {
    return { seq: this.expectedSeq - 1, hash: this.prevHash };
  }

  /** Checks the next row (rows must come in ascending seq order). Null when it is sound. */
  check(row: AuditRow): ChainBreak | null {
    this.checked++;
    const seq = this.expectedSeq;
    if (row.seq !== seq) {
      return {
        seq,
        reason: 'deleted',
        problem:
          seq === 1
            ? `The log starts at entry ${row.seq} instead of entry 1: the oldest entries were deleted.`
            : `Entry ${seq} is missing: the log jumps from entry ${seq - 1} to entry ${row.seq}. Entries were deleted.`,
      };
    }
    // Prev link first: a row moved to another seq fails here, an edited field fails the hash below.
    if (row.prev_hash !== this.prevHash) {
      return {
        seq,
        reason: 'reordered',
        problem:
          seq === 1
            ? 'Entry 1 does not start the chain: entries were reordered, replaced or removed.'
            : `Entry ${seq} does not follow entry ${seq - 1}: entries were reordered, replaced or removed.`,
      };
    }
    if (row.chain === 'v1' && this.pastV1) {
      return {
        seq,
        reason: 'downgraded',
        problem: `Entry ${seq} claims the old unkeyed format, which no entry after a keyed one can have: it was rewritten.`,
      };
    }
    if (row.chain !== 'v1') this.pastV1 = true;
    const expected = entryHash(row, this.key);
    if (expected === null) {
      return row.chain === 'mac'
        ? {
            seq,
            reason: 'locked',
            problem: `Entry ${seq} is sealed with the vault's key: unlock the vault to verify the audit log.`,
          }
        : { seq, reason: 'edited', problem: `Entry ${seq} has an unknown chain kind: it was changed.` };
    }
    if (expected !== row.hash) {
      return { seq, reason: 'edited', problem: `Entry ${seq} was changed after it was written.` };
    }
    this.expectedSeq = seq + 1;
    this.prevHash = row.hash;
    return null;
  }
}
