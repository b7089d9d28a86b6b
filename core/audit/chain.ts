// Walks audit rows in seq order and reports the first place where the hash chain breaks, in words.
import { GENESIS_HASH, entryHash } from './hash.ts';
import type { AuditRow } from './row.ts';

export interface ChainBreak {
  seq: number;
  problem: string;
}

export class ChainChecker {
  private expectedSeq: number;
  private prevHash: string;
  checked = 0;

  /** Starts at entry 1 with the genesis hash, or after an entry already known to be good. */
  constructor(nextSeq = 1, prevHash = GENESIS_HASH) {
    this.expectedSeq = nextSeq;
    this.prevHash = prevHash;
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
        problem:
          seq === 1
            ? 'Entry 1 does not start the chain: entries were reordered, replaced or removed.'
            : `Entry ${seq} does not follow entry ${seq - 1}: entries were reordered, replaced or removed.`,
      };
    }
    if (entryHash(row) !== row.hash) {
      return { seq, problem: `Entry ${seq} was changed after it was written.` };
    }
    this.expectedSeq = seq + 1;
    this.prevHash = row.hash;
    return null;
  }
}
