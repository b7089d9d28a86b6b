// Forward-only schema migrations. Each runs in its own transaction and bumps PRAGMA user_version.
// Money is kept as integer micro-dollars (1 USD = 1_000_000) so that sums are exact.
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The audit's per-agent index is split into blocks of 2^AUDIT_AGENT_BLOCK_BITS consecutive seqs (migration 5).
 * Fixed: the index expression in that migration and the pager's queries (core/audit/query.ts) must match.
 */
export const AUDIT_AGENT_BLOCK_BITS = 12;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      -- Master keys: XChaCha20-Poly1305 ciphertext (nonce || ct), bound to the row by associated data.
      CREATE TABLE providers (
        id          TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        base_url    TEXT NOT NULL,
        key_sealed  BLOB NOT NULL,
        key_hint    TEXT NOT NULL,
        auth_header TEXT,
        auth_prefix TEXT,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE secrets (
        name         TEXT PRIMARY KEY,
        value_sealed BLOB NOT NULL,
        hint         TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      ) STRICT;

      -- Credentials are stored only as SHA-256 hashes (token_hash); credential_id is a public handle.
      CREATE TABLE agents (
        id              TEXT PRIMARY KEY,
        name            TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('active','suspended','revoked')),
        scopes_json     TEXT NOT NULL,
        scopes_set_at   TEXT NOT NULL,
        token_hash      BLOB NOT NULL UNIQUE,
        credential_id   TEXT NOT NULL,
        expires_at      TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        last_seen_at    TEXT,
        revoked_at      TEXT,
        revoke_reason   TEXT,
        revoke_severity TEXT
      ) STRICT;

      -- Rate windows, daily limits and budgets. One row per agent, counter key and window start.
      CREATE TABLE counters (
        agent_id       TEXT NOT NULL,
        key            TEXT NOT NULL,
        window_start   INTEGER NOT NULL,
        count          INTEGER NOT NULL DEFAULT 0,
        reserved_micro INTEGER NOT NULL DEFAULT 0,
        spent_micro    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (agent_id, key, window_start)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE audit (
        seq         INTEGER PRIMARY KEY,
        time        TEXT NOT NULL,
        agent_id    TEXT,
        agent_name  TEXT,
        actor       TEXT NOT NULL,
        action      TEXT NOT NULL,
        provider    TEXT,
        method      TEXT,
        path        TEXT,
        facts_json  TEXT,
        decision    TEXT NOT NULL,
        reason      TEXT,
        rule        TEXT,
        status      INTEGER,
        latency_ms  REAL,
        cost_usd    REAL,
        request_id  TEXT,
        prev_hash   TEXT NOT NULL,
        hash        TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_agent    ON audit (agent_id, seq);
      CREATE INDEX audit_decision ON audit (decision, seq);
      CREATE INDEX audit_action   ON audit (action, seq);

      -- The chain head, sealed with a MAC under a key derived from the vault key, so that deleting the
      -- newest audit rows (truncation) is detected by verify.
      CREATE TABLE audit_head (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        seq  INTEGER NOT NULL,
        hash TEXT NOT NULL,
        mac  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE approvals (
        id          TEXT PRIMARY KEY,
        agent_id    TEXT NOT NULL,
        request_id  TEXT NOT NULL,
        summary     TEXT NOT NULL,
        rule        TEXT NOT NULL,
        facts_json  TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('pending','approved','denied','timeout','expired','cancelled')),
        created_at  TEXT NOT NULL,
        expires_at  TEXT NOT NULL,
        decided_at  TEXT
      ) STRICT;
      CREATE INDEX approvals_status ON approvals (status);

      CREATE TABLE grants (
        id          TEXT PRIMARY KEY,
        agent_id    TEXT NOT NULL,
        action_key  TEXT NOT NULL,
        covers      TEXT NOT NULL,
        uses_left   INTEGER,
        expires_at  TEXT,
        created_at  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX grants_agent ON grants (agent_id);
    `,
  },
  {
    version: 2,
    name: 'keyed audit chain, calling process, verify checkpoint',
    // Entries already written keep their plain SHA-256 hashes ('v1'); new ones are keyed (see
    // core/audit/hash.ts). The in-database head seal is replaced by anchors outside the database file
    // (core/audit/anchor.ts) and a checkpoint that lets verify resume where it last ended.
    sql: `
      ALTER TABLE audit ADD COLUMN chain TEXT NOT NULL DEFAULT 'v1';
      ALTER TABLE audit ADD COLUMN caller_pid INTEGER;
      ALTER TABLE audit ADD COLUMN caller_exe TEXT;
      ALTER TABLE audit ADD COLUMN caller_cmdline TEXT;
      DROP TABLE audit_head;
      CREATE TABLE audit_checkpoint (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        seq  INTEGER NOT NULL,
        hash TEXT NOT NULL,
        mac  TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'agent keys',
    sql: `
      -- Enrolled Ed25519 public keys (RFC 7638 thumbprint as kid). Never a private key.
      CREATE TABLE agent_keys (
        kid         TEXT PRIMARY KEY,
        agent_id    TEXT NOT NULL,
        public_jwk  TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        revoked_at  TEXT
      ) STRICT;
      CREATE INDEX agent_keys_agent ON agent_keys (agent_id);
    `,
  },
  {
    version: 4,
    name: 'audit decision index without the hot path',
    // 'allow' is most of the log (every allowed request and its outcome): leaving it out of the decision
    // index saves a B-tree write on nearly every append. Pages filtered on 'allow' walk the primary key,
    // where most rows match; the rarer decisions keep their index (core/audit/query.ts names the exclusion).
    sql: `
      DROP INDEX audit_decision;
      CREATE INDEX audit_decision ON audit (decision, seq) WHERE decision <> 'allow';
    `,
  },
  {
    version: 5,
    name: 'per-agent audit index in blocks of seqs',
    // With (agent_id, seq), each append lands at the end of its agent's range: with thousands of agents the
    // entries of one group commit each dirty their own index page, and every dirtied page is written to the
    // WAL at commit (10,000 agents cost ~10 µs more per entry than 10). Leading with the block of the seq
    // keeps every append inside the newest block's few pages. A page by agent first finds the blocks that
    // hold its rows, then reads those (core/audit/query.ts). The 12 is AUDIT_AGENT_BLOCK_BITS; it can never
    // change here.
    sql: `
      DROP INDEX audit_agent;
      CREATE INDEX audit_agent_block ON audit ((seq >> 12), agent_id, seq);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
