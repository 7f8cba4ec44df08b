/**
 * PGlite (Postgres compiled to WASM), the embedded store of earlier versions, kept only so `pengawas evidence
 * migrate --from DIR` can read such a store (and tests can build one). PGlite is single-process: a lock file
 * names the process that has the folder open, and a second opener gets a clear error instead of corrupting it.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { EvidenceStoreError } from '../../errors';
import { POSTGRES } from './dialect';
import type { EvidenceDb, Queryable } from './types';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function takeLock(dir: string): string {
  const file = path.join(dir, '.pengawas.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid && alive(pid))
        throw new EvidenceStoreError(`the PGlite store ${dir} is open in process ${pid}; stop that process (an older pengawas) first`);
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new EvidenceStoreError(`cannot lock the PGlite store ${dir}`);
}

export async function openPglite(dir: string): Promise<EvidenceDb> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = takeLock(dir);
  // Loaded here only: the WASM module is large, and nothing but migration needs it.
  const { PGlite } = await import('@electric-sql/pglite');
  let db: InstanceType<typeof PGlite>;
  try {
    db = await PGlite.create(dir);
  } catch (e) {
    rmSync(lock, { force: true });
    throw new EvidenceStoreError(`cannot open the PGlite store ${dir}: ${(e as Error).message}`, { cause: e });
  }
  const wrap = (q: { query: (typeof db)['query'] }): Queryable => ({
    dialect: POSTGRES,
    query: async <T>(sql: string, params: unknown[] = []) => (await q.query<T>(sql, params)).rows,
    run: async (sql: string, params: unknown[] = []) => (await q.query(sql, params)).affectedRows ?? 0,
  });
  return {
    kind: 'postgres',
    location: dir,
    ...wrap(db),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(wrap(tx))),
    snapshot: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(wrap(tx))),
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      try {
        await db.close();
      } finally {
        rmSync(lock, { force: true });
      }
    },
  };
}
