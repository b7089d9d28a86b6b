// AuditLog append: chaining, hashing, row mapping, listener isolation, transactions.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../core/storage/db.ts';
import type { Db } from '../../core/storage/db.ts';
import { AuditLog } from '../../core/audit/log.ts';
import { canonicalJson } from '../../core/audit/canonical.ts';
import { GENESIS_HASH, entryJson } from '../../core/audit/hash.ts';
import type { AuditInput } from '../../core/audit/types.ts';
import { AuditEntry } from '../../shared/models.ts';
import type { Decision } from '../../shared/models.ts';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'akc-audit-log-'));
  db = openDatabase(dir);
});

afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const full: AuditInput = {
  agentId: 'agt_mail',
  agentName: 'mail, "bot"\nv2',
  actor: 'agent',
  action: 'proxy.request',
  provider: 'resend',
  method: 'POST',
  path: '/emails',
  facts: { kind: 'email', to: ['bob@example.com'], nested: { z: 1, a: [true, null] } },
  decision: 'allow',
  reason: 'approved',
  rule: 'email:allowedDomains=example.com',
  status: 200,
  latencyMs: 12.5,
  costUsd: 0.0025,
  requestId: 'req_123',
  caller: { pid: 4242, exe: '/usr/bin/python3', cmdline: 'python3 mailer.py --to bob' },
};

function expectedHash(entry: AuditEntry): string {
  const { hash: _hash, ...body } = entry;
  return createHash('sha256').update(entry.prevHash).update(canonicalJson(body)).digest('hex');
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: 'é' }, B: null })).toBe(
      '{"B":null,"a":{"c":"é","d":[3,{"x":2,"y":1}]},"b":1}',
    );
  });

  it('follows JSON.stringify for undefined, non-finite numbers and numeric-looking keys', () => {
    expect(canonicalJson({ u: undefined, n: Number.NaN, arr: [undefined, Infinity], '10': 1, '9': 2 })).toBe(
      '{"10":1,"9":2,"arr":[null,null],"n":null}',
    );
  });

  it('refuses values that have no JSON form', () => {
    expect(() => canonicalJson({ big: 1n })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
  });
});

describe('AuditLog.append', () => {
  it('starts at seq 1 from the genesis hash and chains each entry to the previous one', () => {
    const log = new AuditLog(db);
    expect(log.last()).toEqual({ seq: 0, hash: GENESIS_HASH });
    const a = log.append({ actor: 'system', action: 'vault.unlocked', decision: 'event' });
    const b = log.append(full);
    const c = log.append({ actor: 'owner', action: 'agent.created', decision: 'event', agentId: 'agt_x' });
    expect([a.seq, b.seq, c.seq]).toEqual([1, 2, 3]);
    expect(a.prevHash).toBe(GENESIS_HASH);
    expect(b.prevHash).toBe(a.hash);
    expect(c.prevHash).toBe(b.hash);
    for (const e of [a, b, c]) {
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(e.hash).toBe(expectedHash(e));
      expect(Number.isNaN(Date.parse(e.time))).toBe(false);
      expect(new Date(e.time).toISOString()).toBe(e.time);
    }
    expect(log.last()).toEqual({ seq: 3, hash: c.hash });
    expect(log.count()).toBe(3);
  });

  it('loses no field between the input, the row and the entry read back', () => {
    const log = new AuditLog(db);
    const written = log.append(full);
    const [read] = log.query({}).entries;
    expect(read).toEqual(written);
    expect(AuditEntry.strict().parse(read)).toEqual(written);
    expect(Object.keys(written).sort()).toEqual(Object.keys(AuditEntry.shape).sort());
    expect(written).toMatchObject({ ...full, seq: 1 });
    // Every column of the row is filled by a fully specified input.
    const row = db.prepare('SELECT * FROM audit WHERE seq = 1').get() as Record<string, unknown>;
    for (const [column, value] of Object.entries(row)) expect(value, column).not.toBeNull();
    // And a fresh AuditLog on the same file reads the same entry and continues the chain.
    const reopened = new AuditLog(db);
    expect(reopened.last()).toEqual({ seq: 1, hash: written.hash });
    expect(reopened.recent('agt_mail', 5)).toEqual([written]);
  });

  it('stores absent optional fields as null', async () => {
    const log = new AuditLog(db);
    const e = log.append({ actor: 'system', action: 'vault.locked', decision: 'event' });
    expect(e).toMatchObject({
      agentId: null,
      agentName: null,
      provider: null,
      method: null,
      path: null,
      facts: null,
      reason: null,
      rule: null,
      status: null,
      latencyMs: null,
      costUsd: null,
      requestId: null,
    });
    expect(await log.verify()).toMatchObject({ ok: true, checked: 1 });
  });

  it('normalises values SQLite could not store faithfully, so the hash still verifies', async () => {
    const log = new AuditLog(db);
    const e = log.append({
      actor: 'agent',
      action: 'proxy.request',
      decision: 'error',
      path: '/x\uD800y',
      status: 200.7,
      latencyMs: Number.NaN,
      costUsd: Infinity,
      facts: { lone: '\uDC00', when: new Date(0) },
    });
    expect(e.path).toBe('/x\uFFFDy');
    expect(e.status).toBe(200);
    expect(e.latencyMs).toBeNull();
    expect(e.costUsd).toBeNull();
    expect(e.facts).toEqual({ lone: '\uDC00', when: '1970-01-01T00:00:00.000Z' });
    expect(log.query({}).entries[0]).toEqual(e);
    expect((await log.verify()).ok).toBe(true);
  });

  it('cuts a long caller text without leaving half of a surrogate pair', async () => {
    const log = new AuditLog(db);
    // The 300-character cut falls between the two halves of the emoji.
    const cmdline = `${'a'.repeat(299)}\u{1F600}and more`;
    const e = log.append({
      actor: 'agent',
      action: 'proxy.request',
      decision: 'allow',
      caller: { pid: 1, exe: '/usr/bin/x', cmdline },
    });
    expect(e.caller?.cmdline).toBe(`${'a'.repeat(299)}\uFFFD…`);
    expect(e.caller?.cmdline?.isWellFormed()).toBe(true);
    expect(log.query({}).entries[0]).toEqual(e);
    expect((await log.verify()).ok).toBe(true);
  });

  it('calls the listener after commit and survives a listener that throws or rejects', async () => {
    const seen: { seq: number; inDb: number }[] = [];
    const log = new AuditLog(db, {
      listener: (entry) => {
        const row = db.prepare('SELECT count(*) AS n FROM audit WHERE seq = ?').get(entry.seq) as {
          n: number;
        };
        seen.push({ seq: entry.seq, inDb: row.n });
        throw new Error('listener bug');
      },
    });
    expect(() => log.append({ actor: 'system', action: 'a', decision: 'event' })).not.toThrow();
    log.append({ actor: 'system', action: 'b', decision: 'event' });
    expect(seen).toEqual([
      { seq: 1, inDb: 1 },
      { seq: 2, inDb: 1 },
    ]);
    const rejecting = new AuditLog(db, {
      listener: () => Promise.reject(new Error('async listener bug')) as unknown as undefined,
    });
    expect(rejecting.append({ actor: 'system', action: 'c', decision: 'event' }).seq).toBe(3);
    expect((await log.verify()).ok).toBe(true);
  });

  it("hands the listener each entry's canonical text, from which entryJson makes exactly the entry", async () => {
    const heard: { entry: AuditEntry; text: string | null }[] = [];
    const log = new AuditLog(db, { listener: (entry, text) => heard.push({ entry, text }) });
    const inputs: AuditInput[] = [
      full,
      { actor: 'system', action: 'bare', decision: 'event' },
      {
        actor: 'agent',
        action: 'proxy.request',
        decision: 'error',
        agentName: 'ünïcødé \u2028 "q" \\ \uD800',
        path: '/x\uD800y',
        status: 200.7,
        latencyMs: Number.NaN,
        costUsd: 1e21,
        facts: { lone: '\uDC00', when: new Date(0), tiny: 5e-324, neg: -0 },
      },
      // Facts whose JSON is not an object read back as { value }: no text, the entry is serialised anew.
      { actor: 'agent', action: 'odd', decision: 'deny', facts: { toJSON: () => 'not an object' } },
      // A decision outside the contract reads back as 'error': no text either.
      { actor: 'system', action: 'odd', decision: 'bogus' as Decision },
    ];
    log.appendMany(inputs); // plain chain (no key yet)
    await log.useKey(Buffer.alloc(32, 7));
    for (const input of inputs) log.append(input); // keyed chain
    expect(heard).toHaveLength(inputs.length * 2);
    expect(heard.map((h) => h.entry.chain)).toEqual([
      ...inputs.map(() => 'plain'),
      ...inputs.map(() => 'mac'),
    ]);
    for (const { entry, text } of heard) {
      if (entry.action === 'odd') {
        expect(text).toBeNull();
        if (entry.actor === 'agent') expect(entry.facts).toEqual({ value: 'not an object' });
        else expect(entry.decision).toBe('error');
        continue;
      }
      expect(text).not.toBeNull();
      // Exactly what JSON.stringify of the entry would carry, and what a later read returns.
      expect(JSON.parse(entryJson(text ?? '', entry.hash))).toEqual(JSON.parse(JSON.stringify(entry)));
      expect(AuditEntry.parse(JSON.parse(entryJson(text ?? '', entry.hash)))).toEqual(
        log.query({ cursor: String(entry.seq + 1), limit: 1 }).entries[0],
      );
    }
    expect((await log.verify({ full: true })).ok).toBe(true);
  });

  it('appendMany chains exactly like single appends', async () => {
    const log = new AuditLog(db);
    log.append({ actor: 'system', action: 'first', decision: 'event' });
    const many = log.appendMany(Array.from({ length: 50 }, (_, i) => ({ ...full, requestId: `req_${i}` })));
    expect(many.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    for (const e of many) expect(e.hash).toBe(expectedHash(e));
    log.append({ actor: 'system', action: 'after', decision: 'event' });
    expect(await log.verify()).toMatchObject({ ok: true, checked: 52 });
    expect(log.appendMany([])).toEqual([]);
  });

  it('keeps the chain right when a caller transaction around append rolls back', async () => {
    const log = new AuditLog(db);
    const first = log.append({ actor: 'owner', action: 'agent.created', decision: 'event' });
    expect(() =>
      db.transaction(() => {
        log.append({ actor: 'owner', action: 'agent.revoked', decision: 'event' });
        throw new Error('caller failed after auditing');
      })(),
    ).toThrow('caller failed');
    expect(log.count()).toBe(1);
    expect(log.last()).toEqual({ seq: 1, hash: first.hash });
    const next = log.append({ actor: 'owner', action: 'agent.revoked', decision: 'event' });
    expect(next.seq).toBe(2);
    expect(next.prevHash).toBe(first.hash);
    // And a committed caller transaction keeps its entry.
    db.transaction(() => log.append({ actor: 'owner', action: 'agent.changed', decision: 'event' }))();
    expect(log.append({ actor: 'system', action: 'x', decision: 'event' }).seq).toBe(4);
    expect(await log.verify()).toMatchObject({ ok: true, checked: 4 });
  });
});
