/**
 * PGlite (Postgres compiled to WASM) in a folder: the embedded default, so a bare machine needs no database
 * server. PGlite is single-process: two processes opening the same folder would corrupt it, so a lock file
 * names the process that has it open and a second opener gets a clear error instead.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { EvidenceStoreError } from '../../errors';
import type { EvidenceDb, Queryable, Row } from './types';

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
      if (pid && pid !== process.pid && alive(pid)) {
        throw new EvidenceStoreError(`the embedded evidence store ${dir} is open in process ${pid}; PGlite allows one process at a time (set DATABASE_URL to a PostgreSQL server to share the store, or stop that process)`);
      }
      if (pid === process.pid) throw new EvidenceStoreError(`the embedded evidence store ${dir} is already open in this process; share one EvidenceStore`);
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new EvidenceStoreError(`cannot lock the embedded evidence store ${dir}`);
}

export async function openPglite(dir: string): Promise<EvidenceDb> {
  mkdirSync(dir, { recursive: true });
  const lock = takeLock(dir);
  let db: PGlite;
  try {
    db = await PGlite.create(dir);
  } catch (e) {
    rmSync(lock, { force: true });
    throw new EvidenceStoreError(`cannot open the embedded evidence store ${dir}: ${(e as Error).message}`);
  }
  const wrap = (q: { query: PGlite['query'] }): Queryable => ({
    query: async <T>(sql: string, params: unknown[] = []) => (await q.query<T>(sql, params)).rows,
  });
  return {
    kind: 'pglite',
    query: wrap(db).query,
    async exec(sql: string) {
      await db.exec(sql);
    },
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(wrap(tx))),
    async close() {
      try {
        await db.close();
      } finally {
        rmSync(lock, { force: true });
      }
    },
  };
}
