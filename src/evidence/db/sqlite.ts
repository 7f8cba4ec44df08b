/**
 * SQLite (better-sqlite3) under `<dataDir>/evidence`: the embedded default. WAL mode lets any number of
 * processes read beside one writer at a time (the recorder, `attest`, `waive`, `evidence build` all open the file
 * directly); writers take the database lock at BEGIN IMMEDIATE and wait their turn, asynchronously, up to
 * `busyTimeoutMs`. `synchronous = FULL`: each commit is on disk before it resolves, because the recorder
 * acknowledges a result to Redis once it is committed, and evidence acknowledged but lost on power failure
 * cannot be recovered from anywhere (NORMAL in WAL mode may drop the last commits on power loss).
 *
 * better-sqlite3 is synchronous while transaction() takes an async function, so one connection runs one thing
 * at a time (a queue): nothing interleaves with an open transaction. Files are 0600 and the folder 0700,
 * whatever the umask: the store is readable only by the account that runs pengawas.
 */
import { chmodSync, closeSync, constants, existsSync, fchmodSync, mkdirSync, openSync, accessSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EvidenceStoreDownError, EvidenceStoreError } from '../../errors';
import { SQLITE } from './dialect';
import { convertRow, sqliteConverter, sqliteParam, type Convert } from './rows';
import type { EvidenceDb, Queryable, Row } from './types';

export const SQLITE_FILE = 'evidence.sqlite';
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
const STATEMENT_CACHE = 256;

export interface SqliteOptions {
  /** How long a writer waits for another process's write lock before giving up (default 30 s). */
  busyTimeoutMs?: number;
  /** Create the SQLite store even where an earlier version's PGlite store lies (only `evidence migrate` does). */
  besidePglite?: boolean;
}

type Stmt = { s: Database.Statement; conv: Array<[string, Convert]> | null };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const code = (e: unknown) => (e as { code?: string } | undefined)?.code ?? '';
const isBusy = (e: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(code(e));

/** The storage failures worth a clear message (disk full, read-only, I/O, corruption, locked). */
export function storeFailure(file: string, e: unknown): EvidenceStoreError | undefined {
  const c = code(e);
  const msg = (e as Error).message;
  const say = (what: string) => new EvidenceStoreDownError(`evidence store ${file}: ${what} (${c}: ${msg})`, { cause: e });
  if (c === 'SQLITE_FULL')
    return say('the disk is full; free space on that file system, pending results are recorded once it can write again');
  if (c.startsWith('SQLITE_READONLY'))
    return say('the database is read-only; give the account running pengawas write access to the file and its folder');
  if (c.startsWith('SQLITE_BUSY') || c.startsWith('SQLITE_LOCKED'))
    return say('locked by another process for too long; find the process holding a long write transaction (lsof) and stop it');
  if (c.startsWith('SQLITE_IOERR') || c.startsWith('SQLITE_CANTOPEN'))
    return say('cannot read or write the file; check the disk and the file permissions');
  if (c.startsWith('SQLITE_CORRUPT') || c === 'SQLITE_NOTADB')
    return say('the file is damaged or not a pengawas store; restore it from a backup');
  return undefined;
}

/** The folder 0700 and the database files 0600, whatever the umask; created when missing. */
function prepareFiles(dir: string, file: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    chmodSync(dir, DIR_MODE);
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new EvidenceStoreError(
      `the evidence store folder ${dir} is not writable (${(e as Error).message}); give the account running pengawas its own data folder (PENGAWAS_DATA_DIR) or fix the owner`,
      { cause: e },
    );
  }
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (f !== file && !existsSync(f)) continue;
    try {
      const fd = openSync(f, 'a', FILE_MODE);
      try {
        fchmodSync(fd, FILE_MODE);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      throw new EvidenceStoreError(
        `cannot open the evidence store file ${f} (${(e as Error).message}); it must be readable and writable by the account running pengawas`,
        { cause: e },
      );
    }
  }
}

class Connection implements Queryable {
  readonly dialect = SQLITE;
  private readonly cache = new Map<string, Stmt>();

  constructor(
    readonly db: Database.Database,
    readonly file: string,
  ) {}

  private prepare(sql: string): Stmt {
    let st = this.cache.get(sql);
    if (!st) {
      const s = this.db.prepare(sql);
      st = { s, conv: null };
      if (this.cache.size >= STATEMENT_CACHE) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(sql, st);
    }
    return st;
  }

  private bind(params: unknown[]): Record<string, unknown>[] {
    if (!params.length) return [];
    const o: Record<string, unknown> = {};
    params.forEach((v, i) => (o[i + 1] = sqliteParam(v)));
    return [o];
  }

  /** Runs one statement; driver errors are thrown as they are (callers decide about SQLITE_BUSY). */
  execute(sql: string, params: unknown[]): { rows: Row[]; changes: number } {
    {
      const st = this.prepare(sql);
      if (!st.s.reader) return { rows: [], changes: st.s.run(...this.bind(params)).changes };
      st.conv ??= st.s.columns().map((c) => [c.name, sqliteConverter(c.name, c.type)] as [string, Convert]);
      const rows = st.s.all(...this.bind(params)) as Row[];
      const conv = st.conv.filter(([, c]) => c);
      if (conv.length) for (const r of rows) convertRow(r, conv);
      return { rows, changes: rows.length };
    }
  }

  private wrapped<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw storeFailure(this.file, e) ?? e;
    }
  }

  // Promises whose executor throws reject: a failing statement is a rejection, as with the async PostgreSQL driver.
  query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return new Promise((resolve) => resolve(this.wrapped(() => this.execute(sql, params).rows as T[])));
  }

  run(sql: string, params: unknown[] = []): Promise<number> {
    return new Promise((resolve) => resolve(this.wrapped(() => this.execute(sql, params).changes)));
  }
}

/** Opens (creating when missing) the store file in `dir`. */
export function openSqlite(dir: string, opts: SqliteOptions = {}): EvidenceDb {
  const file = path.join(path.resolve(dir), SQLITE_FILE);
  const busyMs = opts.busyTimeoutMs ?? 30_000;
  const folder = path.dirname(file);
  // An upgrade must not start a new, empty store over the old one's evidence and carry on as if nothing were lost.
  if (!opts.besidePglite && existsSync(path.join(folder, 'PG_VERSION')) && !existsSync(file)) {
    throw new EvidenceStoreError(
      `the evidence folder ${folder} holds a PGlite store from an earlier pengawas and no SQLite store yet; copy it first with \`pengawas evidence migrate --from ${folder}\` (same PENGAWAS_DATA_DIR), then start again`,
    );
  }
  prepareFiles(folder, file);
  const open = (role: string) => {
    let db: Database.Database | undefined;
    try {
      // A short synchronous wait inside SQLite for brief locks; longer waits are retried asynchronously below.
      db = new Database(file, { timeout: 200 });
      if (db.pragma('journal_mode = WAL', { simple: true }) !== 'wal')
        throw new EvidenceStoreError(`evidence store ${file}: cannot switch to WAL mode`);
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      return db;
    } catch (e) {
      db?.close();
      if (e instanceof EvidenceStoreError) throw e;
      const f = storeFailure(file, e);
      throw new EvidenceStoreError(`cannot open the evidence store ${file} (${role}): ${f?.message ?? (e as Error).message}`, { cause: e });
    }
  };
  const main = new Connection(open('writer'), file);
  // SQLite creates -wal and -shm with the database file's mode; set it again in case they predate this open.
  prepareFiles(path.dirname(file), file);
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => undefined);
    return p;
  };
  /** Runs `fn`, waiting for another process's write lock without blocking the event loop (BEGIN IMMEDIATE, autocommit writes). */
  const unbusy = async <T>(fn: () => T): Promise<T> => {
    const deadline = Date.now() + busyMs;
    for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
      try {
        return fn();
      } catch (e) {
        if (!isBusy(e) || Date.now() > deadline) throw storeFailure(file, e) ?? e;
      }
      await sleep(wait);
    }
  };
  const begin = (c: Connection, sql: string) => unbusy(() => c.db.exec(sql));
  const inTransaction = async <T>(c: Connection, beginSql: string, fn: (tx: Queryable) => Promise<T>): Promise<T> => {
    await begin(c, beginSql);
    try {
      const out = await fn(c);
      c.db.exec('COMMIT');
      return out;
    } catch (e) {
      if (c.db.inTransaction) c.db.exec('ROLLBACK');
      throw storeFailure(file, e) ?? e;
    }
  };
  let closed = false;
  return {
    kind: 'sqlite',
    location: file,
    dialect: SQLITE,
    query: <T>(sql: string, params: unknown[] = []) => serial(() => unbusy(() => main.execute(sql, params).rows as T[])),
    run: (sql, params = []) => serial(() => unbusy(() => main.execute(sql, params).changes)),
    transaction: (fn) => serial(() => inTransaction(main, 'BEGIN IMMEDIATE', fn)),
    // A connection of its own: its read transaction keeps one snapshot (WAL) while the writer carries on.
    async snapshot(fn) {
      const c = new Connection(open('reader'), file);
      try {
        c.db.pragma('query_only = ON');
        return await inTransaction(c, 'BEGIN DEFERRED', fn);
      } finally {
        c.db.close();
      }
    },
    // A write, not a read: a full disk or a read-only file lets reads through and fails only writes.
    ping: () =>
      serial(() =>
        unbusy(
          () =>
            void main.execute(
              `INSERT INTO evidence_meta (key, value) VALUES ('last_ping', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
              [new Date().toISOString()],
            ),
        ),
      ),
    async close() {
      if (closed) return;
      closed = true;
      await serial(
        () =>
          new Promise<void>((resolve) => {
            main.db.close();
            resolve();
          }),
      );
    },
  };
}
