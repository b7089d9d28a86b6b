// The audit hash chain and the head seal.
//   hash = SHA-256 hex( prevHash ‖ canonical JSON of the entry without `hash` )
//   mac  = HMAC-SHA256 hex( headKey, `${seq}:${hash}` )
// The canonical JSON is written out by hand in sorted key order because verify runs it over every row;
// it is byte-for-byte canonicalJson(entry without hash) (a unit test holds the two together). Facts are
// stored as canonical JSON already, so their text is spliced in as it is.
import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import type { AuditRow } from './row.ts';

/** prevHash of entry 1. */
export const GENESIS_HASH = '0'.repeat(64);

function str(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

function num(value: number | null): string {
  // JSON.stringify turns NaN and ±Infinity into "null", as canonicalJson does.
  return value === null ? 'null' : JSON.stringify(value);
}

/** Canonical JSON of the entry a row holds, without its hash. */
export function canonicalEntryText(row: Omit<AuditRow, 'hash'>): string {
  return (
    `{"action":${str(row.action)},"actor":${str(row.actor)},"agentId":${str(row.agent_id)},` +
    `"agentName":${str(row.agent_name)},"costUsd":${num(row.cost_usd)},"decision":${str(row.decision)},` +
    `"facts":${row.facts_json ?? 'null'},"latencyMs":${num(row.latency_ms)},"method":${str(row.method)},` +
    `"path":${str(row.path)},"prevHash":${str(row.prev_hash)},"provider":${str(row.provider)},` +
    `"reason":${str(row.reason)},"requestId":${str(row.request_id)},"rule":${str(row.rule)},` +
    `"seq":${num(row.seq)},"status":${num(row.status)},"time":${str(row.time)}}`
  );
}

export function entryHash(row: Omit<AuditRow, 'hash'>): string {
  // One-shot hash of the UTF-8 text: twice as fast as createHash() for entries this small.
  return hash('sha256', row.prev_hash + canonicalEntryText(row), 'hex');
}

export function headMac(key: Uint8Array, seq: number, hash: string): string {
  return createHmac('sha256', key).update(`${seq}:${hash}`).digest('hex');
}

/** Constant-time check of a head seal. */
export function headMacMatches(key: Uint8Array, seq: number, hash: string, mac: string): boolean {
  const expected = Buffer.from(headMac(key, seq, hash), 'utf8');
  const given = Buffer.from(mac, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
