// The audit chain's hashes (docs/audit.md).
//   chain 'mac'   : hash = HMAC-SHA256 hex( chainKey, prevHash ‖ canonical JSON v2 of the entry without `hash` )
//   chain 'plain' : hash = SHA-256 hex( prevHash ‖ canonical JSON v2 ) — written only while no key exists yet
//                   in this process (a passphrase vault before its first unlock)
//   chain 'v1'    : hash = SHA-256 hex( prevHash ‖ canonical JSON v1 ) — entries written before the keyed chain
// The chain key is derived from the vault key, so recomputing a 'mac' entry needs the vault key. Which kind
// an entry is is part of the text it is hashed over, so a kind cannot be swapped without breaking the MAC.
// The canonical JSON is written out by hand in sorted key order because verify runs it over every row;
// it is byte-for-byte canonicalJson(entry without hash) (a unit test holds the two together). Facts are
// stored as canonical JSON already, so their text is spliced in as it is.
import { createHmac, hash, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { AuditRow, ChainKind } from './row.ts';

/** prevHash of entry 1. */
export const GENESIS_HASH = '0'.repeat(64);

/** The keys the audit derives from the vault key: one for the entry MACs, one for anchors and checkpoints. */
export interface AuditKeys {
  chain: Buffer;
  seal: Buffer;
}

/** Derives the audit keys from the 32-byte key the vault hands out for the audit (itself HKDF of the vault key). */
export function deriveAuditKeys(auditKey: Uint8Array): AuditKeys {
  const derive = (label: string): Buffer =>
    Buffer.from(hkdfSync('sha256', auditKey, Buffer.alloc(0), label, 32));
  return { chain: derive('agent-keychain/audit-chain/v2'), seal: derive('agent-keychain/audit-seal/v2') };
}

function str(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

function num(value: number | null): string {
  // JSON.stringify turns NaN and ±Infinity into "null", as canonicalJson does.
  return value === null ? 'null' : JSON.stringify(value);
}

type RowBody = Omit<AuditRow, 'hash'>;

/** Canonical JSON v1 (entries written before the keyed chain): no chain kind, no caller. */
export function canonicalEntryTextV1(row: RowBody): string {
  return (
    `{"action":${str(row.action)},"actor":${str(row.actor)},"agentId":${str(row.agent_id)},` +
    `"agentName":${str(row.agent_name)},"costUsd":${num(row.cost_usd)},"decision":${str(row.decision)},` +
    `"facts":${row.facts_json ?? 'null'},"latencyMs":${num(row.latency_ms)},"method":${str(row.method)},` +
    `"path":${str(row.path)},"prevHash":${str(row.prev_hash)},"provider":${str(row.provider)},` +
    `"reason":${str(row.reason)},"requestId":${str(row.request_id)},"rule":${str(row.rule)},` +
    `"seq":${num(row.seq)},"status":${num(row.status)},"time":${str(row.time)}}`
  );
}

function callerText(row: RowBody): string {
  if (row.caller_pid === null) return 'null';
  return `{"cmdline":${str(row.caller_cmdline)},"exe":${str(row.caller_exe)},"pid":${num(row.caller_pid)}}`;
}

/** Canonical JSON v2: v1 plus the chain kind and the calling process. */
export function canonicalEntryText(row: RowBody): string {
  return (
    `{"action":${str(row.action)},"actor":${str(row.actor)},"agentId":${str(row.agent_id)},` +
    `"agentName":${str(row.agent_name)},"caller":${callerText(row)},"chain":${str(row.chain)},` +
    `"costUsd":${num(row.cost_usd)},"decision":${str(row.decision)},` +
    `"facts":${row.facts_json ?? 'null'},"latencyMs":${num(row.latency_ms)},"method":${str(row.method)},` +
    `"path":${str(row.path)},"prevHash":${str(row.prev_hash)},"provider":${str(row.provider)},` +
    `"reason":${str(row.reason)},"requestId":${str(row.request_id)},"rule":${str(row.rule)},` +
    `"seq":${num(row.seq)},"status":${num(row.status)},"time":${str(row.time)}}`
  );
}

/**
 * The hash an entry must carry, or null when it cannot be computed (a 'mac' entry while no chain key is
 * known, or an unknown chain kind).
 */
export function entryHash(row: RowBody, chainKey: Uint8Array | null): string | null {
  switch (row.chain as ChainKind) {
    case 'mac':
    case 'plain':
      return textHash(row.chain, row.prev_hash, canonicalEntryText(row), chainKey);
    case 'v1':
      return hash('sha256', row.prev_hash + canonicalEntryTextV1(row), 'hex');
    default:
      return null;
  }
}

/**
 * The hash of a new entry ('mac' or 'plain') from its canonical JSON v2 text, for the writer, which keeps
 * the text (see entryJson); null as entryHash.
 */
export function textHash(
  chain: string,
  prevHash: string,
  text: string,
  chainKey: Uint8Array | null,
): string | null {
  if (chain === 'mac') {
    if (chainKey === null) return null;
    return createHmac('sha256', chainKey)
      .update(prevHash + text)
      .digest('hex');
  }
  // One-shot hash of the UTF-8 text: twice as fast as createHash() for entries this small.
  return chain === 'plain' ? hash('sha256', prevHash + text, 'hex') : null;
}

/**
 * The entry as JSON (the contract's AuditEntry), from its canonical JSON v2 text and its hash, without
 * serialising it again: that text is the entry with every field but `hash`, under the contract's names, so
 * `hash` is added at the end (key order carries no meaning to whoever parses it). A hash is hex.
 */
export function entryJson(text: string, hashHex: string): string {
  return `${text.slice(0, -1)},"hash":"${hashHex}"}`;
}

/** A MAC over a short labelled text (anchors, checkpoints), hex. */
export function sealMac(key: Uint8Array, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

/** Constant-time comparison of two hex MACs. */
export function macEquals(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
