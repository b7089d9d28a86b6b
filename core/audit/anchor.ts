// The audit head kept outside the database file (docs/audit.md, "Anchors"): the newest entry's seq and
// hash, sealed with a MAC under a key derived from the vault key, in
//   - a 0600 file next to the database (every vault), and
//   - an item in the OS keychain next to the vault key (keychain vaults).
// An attacker who edits the SQLite file cannot move either, so deleting the newest rows, restoring an older
// copy of the file or rewriting entries no longer matches the anchor. Writes are coalesced (see
// AnchorKeeper): the anchor may trail the log by at most the interval, never lead it, because it is only
// written after the entries it names have committed.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { writePrivateFile, writePrivateFileAsync } from '../storage/data-dir.ts';
import type { KeychainPort } from '../keychain/port.ts';
import { macEquals, sealMac } from './hash.ts';

export const ANCHOR_FILE = 'audit-anchor.json';

export interface AnchorHead {
  seq: number;
  hash: string;
  /** Written at a clean stop: nothing may follow it in the log until this process appends. */
  clean: boolean;
}

const SealedAnchor = z.strictObject({
  v: z.literal(2),
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  clean: z.boolean(),
  mac: z.string().regex(/^[0-9a-f]{64}$/),
});

function anchorText(head: AnchorHead): string {
  return `agent-keychain/audit-anchor/v2:${head.seq}:${head.hash}:${head.clean ? 1 : 0}`;
}

export function sealAnchor(key: Uint8Array, head: AnchorHead): string {
  return JSON.stringify({ v: 2, ...head, mac: sealMac(key, anchorText(head)) });
}

/** The head an anchor's text vouches for, or 'forged' when it does not parse or its MAC does not match. */
export function openAnchor(key: Uint8Array, text: string): AnchorHead | 'forged' {
  let parsed: z.infer<typeof SealedAnchor>;
  try {
    parsed = SealedAnchor.parse(JSON.parse(text));
  } catch {
    return 'forged';
  }
  const head = { seq: parsed.seq, hash: parsed.hash, clean: parsed.clean };
  return macEquals(sealMac(key, anchorText(head)), parsed.mac) ? head : 'forged';
}

/** One place an anchor is kept. */
export interface AnchorPlace {
  /** For messages: "the anchor file", "the Secret Service". */
  readonly name: string;
  read(): Promise<string | null>;
  write(text: string): Promise<void>;
}

export class FileAnchor implements AnchorPlace {
  readonly name: string;
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    this.name = `the anchor file ${path}`;
  }

  readSync(): string | null {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  read(): Promise<string | null> {
    return Promise.resolve(this.readSync());
  }

  writeSync(text: string): void {
    // Temp file + rename: a crash mid-write leaves the previous anchor, never half of one.
    writePrivateFile(this.path, `${text}\n`);
  }

  /**
   * Off the event loop: under load the keeper rewrites this file every FILE_ANCHOR_INTERVAL_MS, and a
   * synchronous write, chmod and rename stopped the event loop for ~0.2–0.5 ms each time. The keeper runs one
   * write per place at a time, so this never races itself; writeSync is only used before the keeper starts.
   */
  write(text: string): Promise<void> {
    return writePrivateFileAsync(this.path, `${text}\n`);
  }
}

export class KeychainAnchor implements AnchorPlace {
  readonly name: string;
  private readonly keychain: KeychainPort;
  private readonly account: string;

  constructor(keychain: KeychainPort, account: string) {
    this.keychain = keychain;
    this.account = account;
    this.name = `the ${keychain.storeName} item "agent-keychain / ${account}"`;
  }

  read(): Promise<string | null> {
    return this.keychain.get(this.account);
  }

  write(text: string): Promise<void> {
    return this.keychain.set(this.account, text);
  }
}

/** How often each kind of place is rewritten at most while entries are being appended. */
export const FILE_ANCHOR_INTERVAL_MS = 100;
export const KEYCHAIN_ANCHOR_INTERVAL_MS = 1000;

interface Slot {
  place: AnchorPlace;
  intervalMs: number;
  timer: NodeJS.Timeout | null;
  /** The newest head this process wrote there. */
  written: AnchorHead | null;
  writing: Promise<void> | null;
}

/**
 * Keeps the anchors up to date, coalesced: note() after every commit is cheap; each place is written at
 * most once per its interval, and flush() writes all of them now (a clean stop). A place that cannot be
 * written (keychain locked) is retried at the next interval; the failure is kept for the status view.
 */
export class AnchorKeeper {
  private readonly slots: Slot[] = [];
  private readonly key: Uint8Array;
  private latest: AnchorHead | null = null;
  lastError: string | null = null;

  constructor(key: Uint8Array, places: readonly { place: AnchorPlace; intervalMs: number }[]) {
    this.key = key;
    for (const { place, intervalMs } of places)
      this.slots.push({ place, intervalMs, timer: null, written: null, writing: null });
  }

  /** The newest head written anywhere by this process (verify compares it with the log too). */
  get newestWritten(): AnchorHead | null {
    let newest: AnchorHead | null = null;
    for (const slot of this.slots)
      if (slot.written !== null && (newest === null || slot.written.seq > newest.seq)) newest = slot.written;
    return newest;
  }

  note(seq: number, hash: string): void {
    this.latest = { seq, hash, clean: false };
    for (const slot of this.slots) {
      if (slot.timer !== null) continue;
      slot.timer = setTimeout(() => {
        slot.timer = null;
        void this.writeSlot(slot);
      }, slot.intervalMs);
      slot.timer.unref();
    }
  }

  /** Writes every place now; `clean` marks a clean stop. Resolves when all writes have settled. */
  async flush(clean: boolean): Promise<void> {
    if (this.latest === null) return;
    this.latest = { ...this.latest, clean };
    for (const slot of this.slots) {
      if (slot.timer !== null) clearTimeout(slot.timer);
      slot.timer = null;
    }
    await Promise.all(this.slots.map((slot) => this.writeSlot(slot)));
  }

  /** Stops writing (an integrity failure freezes the anchors so they keep the evidence). */
  stop(): void {
    for (const slot of this.slots) {
      if (slot.timer !== null) clearTimeout(slot.timer);
      slot.timer = null;
    }
    this.latest = null;
  }

  private async writeSlot(slot: Slot): Promise<void> {
    // One write at a time per place, so an older head can never land after a newer one.
    while (slot.writing !== null) await slot.writing;
    const head = this.latest;
    if (head === null) return;
    const same =
      slot.written !== null &&
      slot.written.seq === head.seq &&
      slot.written.hash === head.hash &&
      slot.written.clean === head.clean;
    if (same) return;
    const text = sealAnchor(this.key, head);
    slot.writing = (async () => {
      try {
        await slot.place.write(text);
        slot.written = head;
        this.lastError = null;
      } catch (err) {
        this.lastError = `The audit anchor could not be written to ${slot.place.name}: ${err instanceof Error ? err.message : String(err)}`;
      }
    })();
    try {
      await slot.writing;
    } finally {
      slot.writing = null;
    }
  }
}
