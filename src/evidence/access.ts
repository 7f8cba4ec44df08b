/**
 * One way into the evidence store for everything that is not the recorder's result sink: `pengawas attest`,
 * `waive`, `evidence build`, `evidence verify --store`, and `attestation` checks in a worker. Each opens the
 * store itself, beside a running monitor if there is one (SQLite in WAL mode admits readers and writers from
 * several processes; PostgreSQL is shared by design), so the store is reached only with file system or database
 * credentials, never through Redis:
 *   1. the store already open in this process (the recorder registers it) is used as is;
 *   2. else it is opened directly, and closed on release (or, with `keepOpen`, kept for the next call).
 *
 *   const ev = await obtainEvidence({ dataDir });
 *   try { await ev.call('recordAttestation', {...}); } finally { await ev.release(); }
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sqliteDir } from './db/open';
import { SQLITE_FILE } from './db/sqlite';
import { runOp, type Op, type OpArgs, type OpHooks, type OpResults } from './operations';
import { EvidenceStore, storeOptionsFromEnv } from './store';

export type AccessPath = 'shared' | 'direct';

export interface EvidenceHandle {
  readonly via: AccessPath;
  call<O extends Op>(op: O, args: OpArgs<O>, hooks?: OpHooks): Promise<OpResults[O]>;
  /** Closes what this handle opened (never a shared store). */
  release(): Promise<void>;
}

export interface AccessOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
}

// Keyed by where the store lives (DATABASE_URL or the SQLite folder): several monitors may share a process in
// tests, each with its own data folder.
const shared = new Map<string, EvidenceStore>();
const kept = new Map<string, Promise<EvidenceStore>>();

function locationKey(dataDir: string, env: NodeJS.ProcessEnv): string {
  return env.DATABASE_URL ? `pg:${env.DATABASE_URL}` : `sqlite:${path.resolve(dataDir, 'evidence')}`;
}

/** The recorder calls this once its store is open; `unregister` when it closes it. */
export function registerEvidenceStore(store: EvidenceStore, env: NodeJS.ProcessEnv = process.env): () => void {
  const key = locationKey(store.dataDir, env);
  shared.set(key, store);
  return () => {
    if (shared.get(key) === store) shared.delete(key);
  };
}

/** Closes the stores kept open for checks (process exit, tests). */
export async function closeCachedStores(): Promise<void> {
  const all = [...kept.values()];
  kept.clear();
  await Promise.allSettled(all.map(async (p) => (await p).close()));
}

function handle(store: EvidenceStore, via: AccessPath, release: () => Promise<void>): EvidenceHandle {
  return { via, call: (op, args, hooks) => runOp(store, op, args, hooks), release };
}

/** Whether a store exists to be opened here (PostgreSQL by URL, this process's own, or a SQLite file on disk). */
export function hasEvidenceStore(o: AccessOptions): boolean {
  const env = o.env ?? process.env;
  return Boolean(env.DATABASE_URL) || shared.has(locationKey(o.dataDir, env)) || existsSync(path.join(sqliteDir(o.dataDir), SQLITE_FILE));
}

/**
 * `keepOpen`: a long-running process (a worker's checks) keeps its store open between calls instead of opening
 * and migrating each time.
 */
export async function obtainEvidence(o: AccessOptions & { keepOpen?: boolean }): Promise<EvidenceHandle> {
  const env = o.env ?? process.env;
  const key = locationKey(o.dataDir, env);
  const mine = shared.get(key);
  if (mine) return handle(mine, 'shared', () => Promise.resolve());
  const opts = storeOptionsFromEnv(o.dataDir, env);
  if (!o.keepOpen) {
    const store = await EvidenceStore.open(opts);
    return handle(store, 'direct', () => store.close());
  }
  let p = kept.get(key);
  if (!p) {
    p = EvidenceStore.open(opts);
    kept.set(key, p);
    p.catch(() => kept.delete(key));
  }
  return handle(await p, 'direct', () => Promise.resolve());
}

/** Runs one operation and releases the handle. */
export async function withEvidence<O extends Op>(o: AccessOptions, op: O, args: OpArgs<O>): Promise<OpResults[O]> {
  const h = await obtainEvidence(o);
  try {
    return await h.call(op, args);
  } finally {
    await h.release();
  }
}
