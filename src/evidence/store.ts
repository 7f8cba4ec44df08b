/**
 * The evidence store: results, findings, attestations, waivers and configuration changes, kept durably with a
 * hash chain per stream. PostgreSQL when a URL is given, SQLite under `<dataDir>/evidence` otherwise.
 *
 *   const store = await EvidenceStore.open({ dataDir, databaseUrl: process.env.DATABASE_URL });
 *   await store.writeResults([{ result, check }]);   // idempotent by result.id
 *   await store.maintain();                           // seal closed days' rollups, drop raw rows past retention
 */
import type { Check } from '../config/check';
import { EvidenceStoreError } from '../errors';
import type { ProbeResult } from '../results/contract';
import { recordConfig } from './config-log';
import { migrate } from './db/migrations';
import { openDb } from './db/open';
import type { EvidenceDb } from './db/types';
import { writeBatch, type WriteOutcome } from './results';
import { computeRollups, unsealedDays } from './rollups';
import { addDays, assertTimeZone, dayOf } from './tz';

export interface EvidenceStoreOptions {
  /** `PENGAWAS_DATA_DIR`: SQLite lives in `<dataDir>/evidence`, the generated signing key in `<dataDir>/keys`. */
  dataDir: string;
  /** PostgreSQL connection string (DATABASE_URL); without it the embedded SQLite store is used. */
  databaseUrl?: string;
  /** Calendar of days and months; fixed when the store is created (default Asia/Jakarta, WIB). */
  timezone?: string;
  /** Raw results older than this many days are dropped once their day is sealed; rollups are kept. */
  retentionDays?: number;
  /** A day is sealed this long after it ends, so late (redelivered) results still land in it. */
  graceMs?: number;
  /** SQLite: how long a writer waits for another process's write lock (default 30 s). */
  busyTimeoutMs?: number;
  /** SQLite: create the store beside an earlier version's PGlite files (`evidence migrate` only). */
  besidePglite?: boolean;
}

export const DEFAULT_TIMEZONE = 'Asia/Jakarta';
export const DEFAULT_RETENTION_DAYS = 400;

export class EvidenceStore {
  private constructor(
    readonly db: EvidenceDb,
    readonly timezone: string,
    readonly retentionDays: number,
    readonly graceMs: number,
    readonly dataDir: string,
    private configHash: string | null,
  ) {}

  static async open(opts: EvidenceStoreOptions): Promise<EvidenceStore> {
    return EvidenceStore.openOn(
      await openDb({
        databaseUrl: opts.databaseUrl,
        dataDir: opts.dataDir,
        busyTimeoutMs: opts.busyTimeoutMs,
        besidePglite: opts.besidePglite,
      }),
      opts,
    );
  }

  /** A store on a database opened by the caller (migration reads a PGlite store this way); closes it on failure. */
  static async openOn(db: EvidenceDb, opts: EvidenceStoreOptions): Promise<EvidenceStore> {
    try {
      await migrate(db);
      const tz = await fixTimezone(db, opts.timezone);
      const [cfg] = await db.query<{ config_hash: string }>(
        `SELECT config_hash FROM evidence_configs WHERE stream = '#config' ORDER BY seq DESC LIMIT 1`,
      );
      const retention = opts.retentionDays ?? DEFAULT_RETENTION_DAYS;
      if (!Number.isInteger(retention) || retention < 1)
        throw new EvidenceStoreError(`retention must be a whole number of days ≥ 1, got ${retention}`);
      return new EvidenceStore(db, tz, retention, opts.graceMs ?? 3_600_000, opts.dataDir, cfg?.config_hash ?? null);
    } catch (e) {
      await db.close().catch(() => undefined);
      if (e instanceof EvidenceStoreError) throw e;
      throw new EvidenceStoreError(`cannot prepare the evidence store: ${(e as Error).message}`, { cause: e });
    }
  }

  get kind(): EvidenceDb['kind'] {
    return this.db.kind;
  }

  /** Records a batch in one transaction; results already stored (same id) are skipped. */
  async writeResults(items: Array<{ result: ProbeResult; check?: Check }>, now = new Date()): Promise<WriteOutcome> {
    const today = dayOf(now, this.timezone);
    return this.db.transaction((tx) => writeBatch(tx, items, this.configHash, this.timezone, today));
  }

  /** Logs the configuration in force (no-op when unchanged). Results written afterwards carry its hash. */
  async recordConfig(hash: string, checks: Check[], at = new Date()): Promise<boolean> {
    const fresh = await this.db.transaction((tx) => recordConfig(tx, hash, checks, at));
    this.configHash = hash;
    return fresh;
  }

  /** The last day whose rollups can be sealed at `now`. */
  lastClosedDay(now = new Date()): string {
    return addDays(dayOf(now.getTime() - this.graceMs, this.timezone), -1);
  }

  /** Brings the rollups of `days` up to date from raw rows; closed days are sealed. `onDay(done, total)` after each. */
  async refreshRollups(days: string[], now = new Date(), onDay?: (done: number, total: number) => void): Promise<number> {
    const closed = this.lastClosedDay(now);
    const todo = await unsealedDays(this.db, days);
    let n = 0;
    onDay?.(0, todo.length);
    for (const [i, day] of todo.entries()) {
      n += await computeRollups(this.db, [day], day <= closed);
      onDay?.(i + 1, todo.length);
    }
    return n;
  }

  /** Seals every closed day not sealed yet, then drops raw rows past retention (their rollups stay). */
  async maintain(now = new Date()): Promise<{ sealedDays: number; prunedRows: number }> {
    const closed = this.lastClosedDay(now);
    const [meta] = await this.db.query<{ value: string }>(`SELECT value FROM evidence_meta WHERE key = 'sealed_through'`);
    const [first] = await this.db.query<{ day: string | null }>(`SELECT min(day) AS day FROM evidence_results`);
    const late = await this.db.query<{ day: string }>(`SELECT DISTINCT day FROM evidence_rollups WHERE NOT final AND day <= $1`, [closed]);
    const days = new Set(late.map((r) => r.day));
    let d = meta ? addDays(meta.value, 1) : (first?.day ?? null);
    for (; d && d <= closed; d = addDays(d, 1)) days.add(d);
    const todo = await unsealedDays(this.db, [...days].sort());
    for (const day of todo) await computeRollups(this.db, [day], true);
    await this.db.run(
      `INSERT INTO evidence_meta (key, value) VALUES ('sealed_through', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      [closed],
    );
    return { sealedDays: todo.length, prunedRows: await this.prune(now) };
  }

  /** Drops raw rows of sealed days older than the retention period, as a prefix of each chain. */
  private async prune(now: Date): Promise<number> {
    const cutoff = addDays(dayOf(now, this.timezone), -this.retentionDays);
    const [any] = await this.db.query<{ x: boolean | number }>(`SELECT EXISTS (SELECT 1 FROM evidence_results WHERE day < $1) AS x`, [
      cutoff,
    ]);
    if (!any.x) return 0;
    return this.db.transaction(async (tx) => {
      const d = tx.dialect;
      // Only a prefix of each chain may go, so verify restarts cleanly from the last dropped link's hash.
      await tx.run(
        `WITH c AS (
           SELECT stream, ${d.least('max(seq) FILTER (WHERE day < $1)', 'coalesce(min(seq) FILTER (WHERE day >= $1) - 1, max(seq))')} AS p
           FROM evidence_results GROUP BY stream)
         UPDATE evidence_chain_heads AS h SET pruned_seq = c.p, pruned_hash = r.hash
         FROM c JOIN evidence_results r ON r.stream = c.stream AND r.seq = c.p
         WHERE h.stream = c.stream AND c.p IS NOT NULL AND c.p > h.pruned_seq`,
        [cutoff],
      );
      return tx.run(
        `DELETE FROM evidence_results WHERE seq <= (SELECT h.pruned_seq FROM evidence_chain_heads h WHERE h.stream = evidence_results.stream)`,
      );
    });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

async function fixTimezone(db: EvidenceDb, wanted: string | undefined): Promise<string> {
  const tz = wanted ?? DEFAULT_TIMEZONE;
  try {
    assertTimeZone(tz);
  } catch {
    throw new EvidenceStoreError(`unknown time zone "${tz}"`);
  }
  const [known] = await db.query<{ value: string }>(`SELECT value FROM evidence_meta WHERE key = 'timezone'`);
  // Written only when missing: a read-only database role can open a store that already has its time zone.
  if (!known) await db.run(`INSERT INTO evidence_meta (key, value) VALUES ('timezone', $1) ON CONFLICT (key) DO NOTHING`, [tz]);
  const [row] = await db.query<{ value: string }>(`SELECT value FROM evidence_meta WHERE key = 'timezone'`);
  if (wanted && row.value !== wanted) {
    throw new EvidenceStoreError(`the evidence store keeps days in ${row.value}; it cannot be reopened with time zone ${wanted}`);
  }
  return row.value;
}

/**
 * Store options from the environment: DATABASE_URL, PENGAWAS_EVIDENCE_TIMEZONE, PENGAWAS_EVIDENCE_RETENTION_DAYS,
 * PENGAWAS_EVIDENCE_BUSY_TIMEOUT_MS.
 */
export function storeOptionsFromEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): EvidenceStoreOptions {
  const retention = env.PENGAWAS_EVIDENCE_RETENTION_DAYS;
  if (retention !== undefined && !/^\d+$/.test(retention))
    throw new EvidenceStoreError(`PENGAWAS_EVIDENCE_RETENTION_DAYS must be a number of days, got "${retention}"`);
  const busy = env.PENGAWAS_EVIDENCE_BUSY_TIMEOUT_MS;
  if (busy !== undefined && !/^\d+$/.test(busy))
    throw new EvidenceStoreError(`PENGAWAS_EVIDENCE_BUSY_TIMEOUT_MS must be a number of milliseconds, got "${busy}"`);
  return {
    busyTimeoutMs: busy === undefined ? undefined : Number(busy),
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    timezone: env.PENGAWAS_EVIDENCE_TIMEZONE || undefined,
    retentionDays: retention === undefined ? undefined : Number(retention),
  };
}
