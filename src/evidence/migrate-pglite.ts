/**
 * `pengawas evidence migrate --from DIR`: copies a PGlite store (the embedded store of earlier versions) into the
 * configured store (SQLite, or PostgreSQL with DATABASE_URL). Every hash chain of the source is verified first
 * (a broken source is refused: copying it would launder the break), the copy runs in one transaction, and the
 * target is verified after it: same chain heads, same row counts, every chain and sealed rollup recomputed.
 * A target that already holds data is refused, unless it holds exactly the source's chains (already migrated).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { EvidenceStoreError } from '../errors';
import { chainHeads } from './chain';
import { openPglite } from './db/pglite';
import { insertRows } from './db/insert';
import type { Queryable } from './db/types';
import type { EvidenceStore } from './store';
import { verifyStore } from './verify-store';

/** Every table the store keeps, with the order that pages it stably. Schema version bookkeeping is not copied. */
const TABLES: Array<[string, string]> = [
  ['evidence_meta', 'key'],
  ['evidence_chain_heads', 'stream'],
  ['evidence_configs', 'stream, seq'],
  ['evidence_waivers', 'stream, seq'],
  ['evidence_attestations', 'stream, seq'],
  ['evidence_results', 'stream, seq'],
  ['evidence_rollups', 'check_id, day'],
  ['evidence_finding_rollups', 'check_id, day, finding_id'],
  ['evidence_incidents', 'id'],
  ['evidence_pack_builds', 'id'],
];
const PAGE = 5000;
const MAX_PARAMS = 30_000; // under SQLite's 32,766 bound parameters per statement

export interface MigrationReport {
  from: string;
  to: string;
  alreadyMigrated: boolean;
  timezone: string;
  streams: number;
  records: number;
  chainHead: string;
  rows: Record<string, number>;
}

async function counts(db: Queryable): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [t] of TABLES) out[t] = (await db.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM ${t}`))[0].n;
  return out;
}

async function copyTable(src: Queryable, tx: Queryable, table: string, order: string): Promise<void> {
  for (let offset = 0; ; offset += PAGE) {
    const rows = await src.query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY ${order} LIMIT ${PAGE} OFFSET ${offset}`);
    if (!rows.length) return;
    const cols = Object.keys(rows[0]);
    // The target's own meta (its time zone, written when it was opened) gives way to the source's.
    await insertRows(
      tx,
      table,
      cols,
      rows.map((row) => cols.map((c) => (c === 'duration_hist' && row[c] != null ? JSON.stringify(row[c]) : row[c]))),
      {
        rowsPerInsert: Math.max(1, Math.floor(MAX_PARAMS / cols.length)),
        suffix: table === 'evidence_meta' ? ' ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value' : '',
      },
    );
    if (rows.length < PAGE) return;
  }
}

/**
 * `openTarget(timezone)` opens the configured store with the source's time zone, so a target already fixed to
 * another zone is refused by the store itself.
 */
export async function migrateFromPglite(
  fromDir: string,
  openTarget: (timezone: string) => Promise<EvidenceStore>,
): Promise<MigrationReport> {
  const from = path.resolve(fromDir);
  if (!existsSync(path.join(from, 'PG_VERSION')))
    throw new EvidenceStoreError(
      `${from} holds no PGlite store (no PG_VERSION file); give --from the folder an earlier pengawas kept its store in (<dataDir>/evidence)`,
    );
  const src = await openPglite(from);
  try {
    const [tzRow] = await src.query<{ value: string }>(`SELECT value FROM evidence_meta WHERE key = 'timezone'`);
    if (!tzRow) throw new EvidenceStoreError(`${from} is a PGlite folder but not a pengawas evidence store (no time zone recorded)`);
    const timezone = tzRow.value;
    const before = await verifyStore(src, timezone);
    if (!before.ok) {
      const first = before.problems
        .slice(0, 3)
        .map((p) => `${p.table} ${p.where}: ${p.problem}`)
        .join('; ');
      throw new EvidenceStoreError(
        `refusing to migrate ${from}: its hash chains do not verify (${before.problems.length} problem(s): ${first}); investigate with an earlier pengawas's \`evidence verify --store\``,
      );
    }
    const srcHeads = await chainHeads(src);
    const srcRows = await counts(src);
    const target = await openTarget(timezone);
    try {
      const to = target.db.location;
      const tgtHeads = await chainHeads(target.db);
      const report = { from, to, timezone, streams: srcHeads.streams, records: before.records, chainHead: srcHeads.head, rows: srcRows };
      if (tgtHeads.streams > 0) {
        if (tgtHeads.head === srcHeads.head) return { ...report, alreadyMigrated: true };
        throw new EvidenceStoreError(
          `refusing to migrate into ${to}: it already holds other evidence (${tgtHeads.streams} chains, head ${tgtHeads.head.slice(0, 16)}…); migrate into an empty store`,
        );
      }
      await target.db.transaction(async (tx) => {
        for (const [table, order] of TABLES) await copyTable(src, tx, table, order);
        for (const t of ['evidence_incidents', 'evidence_pack_builds']) {
          const reset = tx.dialect.resetSerial(t);
          if (reset) await tx.query(reset);
        }
      });
      const after = await verifyStore(target.db, target.timezone);
      const tgtRows = await counts(target.db);
      const head = (await chainHeads(target.db)).head;
      const problems = [
        ...after.problems.slice(0, 3).map((p) => `${p.table} ${p.where}: ${p.problem}`),
        ...(head !== srcHeads.head ? [`chain head ${head} differs from the source's ${srcHeads.head}`] : []),
        ...Object.keys(srcRows)
          .filter((t) => srcRows[t] !== tgtRows[t])
          .map((t) => `${t}: ${tgtRows[t]} rows, the source has ${srcRows[t]}`),
      ];
      if (problems.length) throw new EvidenceStoreError(`the migrated store ${to} does not match ${from}: ${problems.join('; ')}`);
      return { ...report, alreadyMigrated: false };
    } finally {
      await target.close();
    }
  } finally {
    await src.close();
  }
}
