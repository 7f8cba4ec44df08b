/**
 * The one schema of the evidence store, as ordered migrations that run on PostgreSQL and SQLite alike. A
 * statement is plain SQL both accept, or a function of the dialect where the two spell a type differently (a
 * timestamp default, an auto-numbered key). Append a migration to change it; never edit one that has shipped.
 *
 * Every durable record sits in a hash chain (`stream`, `seq`, `prev_hash`, `hash`, `body`): one stream per check
 * for results, and `#config`, `#waivers`, `#attestations` for the rest (check ids cannot start with `#`).
 * `body` is the canonical JSON the hash covers; the other columns are copies for querying, and verify checks
 * they agree with the body. Rollups and incidents are derived from the chained results.
 */
import { findingSelect } from '../rollups';
import type { Dialect } from './dialect';
import type { EvidenceDb } from './types';

const CHAIN_COLUMNS = (d: Dialect) =>
  `stream text NOT NULL, seq bigint NOT NULL, body text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT ${d.now}`;

export type Statement = string | ((d: Dialect) => string);

export const MIGRATIONS: Array<{ version: number; name: string; statements: Statement[] }> = [
  {
    version: 1,
    name: 'evidence store',
    statements: [
      `CREATE TABLE evidence_meta (key text PRIMARY KEY, value text NOT NULL)`,
      // The last link of each stream; retention moves pruned_seq/pruned_hash forward when it drops raw rows.
      `CREATE TABLE evidence_chain_heads (stream text PRIMARY KEY, seq bigint NOT NULL, hash text NOT NULL,
         pruned_seq bigint NOT NULL DEFAULT 0, pruned_hash text NOT NULL, open_incident bigint)`,
      (d) => `CREATE TABLE evidence_results (result_id text PRIMARY KEY, ${CHAIN_COLUMNS(d)},
         element text NOT NULL, type text NOT NULL, day text NOT NULL,
         scheduled_at timestamptz NOT NULL, started_at timestamptz NOT NULL, status text NOT NULL,
         effective_status text NOT NULL, duration_ms double precision NOT NULL, UNIQUE (stream, seq))`,
      `CREATE INDEX evidence_results_day ON evidence_results (day, stream)`,
      `CREATE TABLE evidence_rollups (check_id text NOT NULL, day text NOT NULL, element text NOT NULL, type text NOT NULL,
         runs int NOT NULL, passes int NOT NULL, warns int NOT NULL, fails int NOT NULL, waived int NOT NULL, errors int NOT NULL,
         p50_ms double precision, p95_ms double precision, first_failure_at timestamptz, last_failure_at timestamptz,
         first_run_at timestamptz, last_run_at timestamptz, last_hash text, final boolean NOT NULL DEFAULT false, seal text,
         PRIMARY KEY (check_id, day))`,
      `CREATE INDEX evidence_rollups_day ON evidence_rollups (day)`,
      `CREATE TABLE evidence_finding_rollups (check_id text NOT NULL, day text NOT NULL, finding_id text NOT NULL,
         severity text NOT NULL, status text NOT NULL, occurrences int NOT NULL, waived int NOT NULL,
         first_seen_at timestamptz NOT NULL, last_seen_at timestamptz NOT NULL, message text NOT NULL,
         PRIMARY KEY (check_id, day, finding_id))`,
      `CREATE INDEX evidence_finding_rollups_day ON evidence_finding_rollups (day)`,
      (d) => `CREATE TABLE evidence_incidents (id ${d.serialKey} PRIMARY KEY, check_id text NOT NULL, element text NOT NULL,
         started_at timestamptz NOT NULL, ended_at timestamptz, opened_by text NOT NULL, closed_by text, findings text NOT NULL)`,
      `CREATE INDEX evidence_incidents_time ON evidence_incidents (started_at, ended_at)`,
      (d) => `CREATE TABLE evidence_configs (${CHAIN_COLUMNS(d)}, config_hash text NOT NULL, PRIMARY KEY (stream, seq))`,
      (d) => `CREATE TABLE evidence_waivers (id bigint NOT NULL, ${CHAIN_COLUMNS(d)}, check_id text NOT NULL, finding_id text,
         approver text NOT NULL, risk text NOT NULL, starts_at timestamptz NOT NULL, expires_at timestamptz NOT NULL,
         PRIMARY KEY (stream, seq))`,
      `CREATE INDEX evidence_waivers_check ON evidence_waivers (check_id, expires_at)`,
      (d) => `CREATE TABLE evidence_attestations (id bigint NOT NULL, ${CHAIN_COLUMNS(d)}, check_id text NOT NULL,
         evidence_hash text NOT NULL, expires_at timestamptz, PRIMARY KEY (stream, seq))`,
      `CREATE INDEX evidence_attestations_check ON evidence_attestations (check_id, seq)`,
      (d) => `CREATE TABLE evidence_pack_builds (id ${d.serialKey} PRIMARY KEY, month text NOT NULL, built_at timestamptz NOT NULL,
         out_dir text NOT NULL, manifest_sha256 text NOT NULL, chain_head text NOT NULL)`,
    ],
  },
  {
    version: 2,
    name: 'rollup duration histograms',
    statements: [
      // Non-empty buckets of the day's durations, { "index": count } (src/evidence/duration-histogram.ts), so a
      // month's percentiles can be merged from days. Rows rolled up before this migration keep NULL.
      `ALTER TABLE evidence_rollups ADD COLUMN duration_hist jsonb`,
    ],
  },
  {
    version: 3,
    name: 'pack signers',
    statements: [
      // The `#signers` stream: one record per key that ever signed a pack (src/evidence/pack/signers.ts), so
      // `evidence verify DIR --store` can tell the operator's keys from a key that came with a forged pack.
      // Plain types and no defaults: the same statement runs on PostgreSQL and SQLite.
      `CREATE TABLE evidence_signers (stream text NOT NULL, seq bigint NOT NULL, body text NOT NULL, prev_hash text NOT NULL,
         hash text NOT NULL, recorded_at timestamptz NOT NULL, fingerprint text NOT NULL, PRIMARY KEY (stream, seq))`,
    ],
  },
  {
    version: 4,
    name: 'monitor lifecycle',
    statements: [
      // `started` / `stopped` of each recorder session (src/evidence/lifecycle.ts): tells gaps in monitoring apart.
      (d) =>
        `CREATE TABLE evidence_lifecycle (${CHAIN_COLUMNS(d)}, event text NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (stream, seq))`,
    ],
  },
  {
    version: 5,
    name: 'outages and lost results',
    statements: [
      // `#lifecycle` also records Redis outages seen by a recorder and results reported lost on the gaps stream
      // (src/evidence/outages.ts); `subject` is the lost result's id, so a report delivered twice is kept once.
      `ALTER TABLE evidence_lifecycle ADD COLUMN subject text`,
      `CREATE INDEX evidence_lifecycle_event ON evidence_lifecycle (event, at)`,
      `CREATE INDEX evidence_lifecycle_subject ON evidence_lifecycle (subject)`,
    ],
  },
  {
    version: 6,
    name: 'maintenance windows',
    statements: [
      // The `#maintenance` stream (src/evidence/maintenance.ts): `add` records (scope, planned start and end) and
      // `end` records (an early end of window_id; starts_at NULL, ends_at the end).
      (d) => `CREATE TABLE evidence_maintenance (${CHAIN_COLUMNS(d)}, action text NOT NULL, window_id bigint NOT NULL,
         scope_kind text NOT NULL, scope_value text, starts_at timestamptz, ends_at timestamptz NOT NULL, PRIMARY KEY (stream, seq))`,
      `CREATE INDEX evidence_maintenance_time ON evidence_maintenance (action, ends_at, starts_at)`,
      `CREATE INDEX evidence_maintenance_window ON evidence_maintenance (window_id)`,
    ],
  },
  {
    version: 7,
    name: 'finding occurrences count results',
    statements: [
      // A finding id now counts once per result (rollups.ts findingSelect). Finding rollups are derived: recompute
      // them wherever the raw results are still kept, so `verify --store` compares like with like. Days whose raw
      // rows retention has dropped keep their figures (nothing to recompute them from, nor to compare them with).
      `DELETE FROM evidence_finding_rollups WHERE day IN (SELECT DISTINCT day FROM evidence_results)`,
      (d) =>
        `INSERT INTO evidence_finding_rollups (check_id, day, finding_id, severity, status, occurrences, waived, first_seen_at, last_seen_at, message) ${findingSelect(d, '1 = 1')}`,
    ],
  },
  {
    version: 8,
    name: 'maintenance silences',
    statements: [
      // The `#maintenance-silences` stream (src/evidence/maintenance-silences.ts): the Alertmanager silence made for
      // a window (`created`) and its expiry when the window was ended (`expired`). A stream of its own, not more
      // actions in `#maintenance`: a reader of that stream takes every record other than `add` as an early end.
      (d) => `CREATE TABLE evidence_maintenance_silences (${CHAIN_COLUMNS(d)}, action text NOT NULL, window_id bigint NOT NULL,
         silence_id text NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (stream, seq))`,
      `CREATE INDEX evidence_maintenance_silences_window ON evidence_maintenance_silences (window_id)`,
    ],
  },
];

/**
 * Applies pending migrations. Two processes starting together cannot race: PostgreSQL takes an advisory lock,
 * SQLite's write transaction (BEGIN IMMEDIATE) already holds the whole database.
 */
export async function migrate(db: EvidenceDb): Promise<number> {
  const d = db.dialect;
  const [have] = await db.query<{ n: number }>(d.tableCount('evidence_migrations'));
  if (have.n) {
    // Every known version applied (not just the highest: versions may land out of order): no write lock taken.
    const versions = MIGRATIONS.map((m) => m.version);
    const [v] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM evidence_migrations WHERE version IN (${versions.join(', ')})`);
    if (v.n >= versions.length) return 0;
  }
  let applied = 0;
  for (const m of MIGRATIONS) {
    const done = await db.transaction(async (tx) => {
      if (d.migrationLock) await tx.query(d.migrationLock);
      await tx.run(
        `CREATE TABLE IF NOT EXISTS evidence_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT ${d.now})`,
      );
      const have = await tx.query(`SELECT 1 FROM evidence_migrations WHERE version = $1`, [m.version]);
      if (have.length) return false;
      for (const s of m.statements) await tx.run(typeof s === 'string' ? s : s(d));
      await tx.run(`INSERT INTO evidence_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      return true;
    });
    if (done) applied += 1;
  }
  return applied;
}
