/**
 * One way into the evidence store for everything that is not the recorder's result sink: `pengawas attest`,
 * `waive`, `evidence build`, and `attestation` checks in a worker. Embedded PGlite is single-process, so:
 *   1. the store already open in this process (the recorder registers it) is used as is;
 *   2. else the store is opened directly: PostgreSQL always; PGlite when no other process holds its lock (and,
 *      for a monitor process, never: a worker must not take the lock its recorder needs);
 *   3. else the request goes over the Redis evidence channel to the recorder that holds the store.
 *
 *   const ev = await obtainEvidence({ dataDir, redisUrl, prefix });
 *   try { await ev.call('recordAttestation', {...}); } finally { await ev.release(); }
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EvidenceUnavailableError } from '../errors';
import { DEFAULT_REDIS_URL } from '../queue/connection';
import { ChannelUnansweredError, EvidenceChannelClient } from './channel/client';
import { runOp, type OpResults } from './channel/operations';
import type { Op, OpArgs } from './channel/protocol';
import { CHANNEL_FILE, type ChannelInfo } from './channel/server';
import { EvidenceStore, storeOptionsFromEnv } from './store';

export type AccessPath = 'shared' | 'direct' | 'channel';

export interface EvidenceHandle {
  readonly via: AccessPath;
  call<O extends Op>(op: O, args: OpArgs<O>): Promise<OpResults[O]>;
  /** Closes what this handle opened (never a shared store). */
  release(): Promise<void>;
}

export interface AccessOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** Redis of the monitor (REDIS_URL / --config); the channel file or the default is used when absent. */
  redisUrl?: string;
  prefix?: string;
  claimTimeoutMs?: number;
}

interface MonitorSettings {
  redisUrl: string;
  prefix: string;
}

// Keyed by where the store lives (DATABASE_URL or the resolved PGlite folder): several monitors may share a
// process in tests, each with its own data folder.
const shared = new Map<string, EvidenceStore>();
const monitors = new Map<string, MonitorSettings>();
const cachedPostgres = new Map<string, Promise<EvidenceStore>>();

function locationKey(dataDir: string, env: NodeJS.ProcessEnv): string {
  return env.DATABASE_URL ? `pg:${env.DATABASE_URL}` : `pglite:${path.resolve(dataDir, 'evidence')}`;
}

/** The recorder calls this once its store is open; `unregister` when it closes it. */
export function registerEvidenceStore(store: EvidenceStore, env: NodeJS.ProcessEnv = process.env): () => void {
  const key = locationKey(store.dataDir, env);
  shared.set(key, store);
  return () => {
    if (shared.get(key) === store) shared.delete(key);
  };
}

/** A monitor process declares its Redis and prefix, and that it must not open the embedded store itself. */
export function configureMonitorAccess(dataDir: string, s: MonitorSettings, env: NodeJS.ProcessEnv = process.env): () => void {
  const key = locationKey(dataDir, env);
  monitors.set(key, s);
  return () => {
    if (monitors.get(key) === s) monitors.delete(key);
  };
}

/** Closes the PostgreSQL stores kept open for checks (process exit, tests). */
export async function closeCachedStores(): Promise<void> {
  const all = [...cachedPostgres.values()];
  cachedPostgres.clear();
  await Promise.allSettled(all.map(async (p) => (await p).close()));
}

/** The pid holding the PGlite lock of `<dataDir>/evidence`, when it is another live process. */
export function pgliteHolder(dataDir: string): number | undefined {
  const file = path.join(path.resolve(dataDir), 'evidence', '.pengawas.lock');
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!pid || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

// PGlite opened directly by this process, shared by concurrent callers (several checks at once in `pengawas
// check`) and closed when the last one releases it: a second open in the same process would be refused.
const borrowed = new Map<string, { store: Promise<EvidenceStore>; users: number }>();
const closing = new Map<string, Promise<void>>();

async function borrowPglite(key: string, opts: ReturnType<typeof storeOptionsFromEnv>): Promise<EvidenceHandle> {
  let entry = borrowed.get(key);
  if (!entry) {
    // A store still closing from the last release holds the lock until it is done.
    const prior = closing.get(key) ?? Promise.resolve();
    entry = { store: prior.then(() => EvidenceStore.open(opts)), users: 0 };
    borrowed.set(key, entry);
  }
  const e = entry;
  e.users++;
  let store: EvidenceStore;
  try {
    store = await e.store;
  } catch (err) {
    if (--e.users === 0 && borrowed.get(key) === e) borrowed.delete(key);
    throw err;
  }
  let released = false;
  return localHandle(store, 'direct', async () => {
    if (released) return;
    released = true;
    if (--e.users > 0) return;
    if (borrowed.get(key) === e) borrowed.delete(key);
    const done = store.close().finally(() => {
      if (closing.get(key) === done) closing.delete(key);
    });
    closing.set(key, done);
    await done;
  });
}

function localHandle(store: EvidenceStore, via: AccessPath, close: () => Promise<void>): EvidenceHandle {
  return { via, call: (op, args) => runOp(store, op, args), release: close };
}

/**
 * `keepOpen`: a long-running process (a worker's checks) keeps a PostgreSQL store open between calls instead of
 * migrating and connecting each time.
 */
export async function obtainEvidence(o: AccessOptions & { keepOpen?: boolean }): Promise<EvidenceHandle> {
  const env = o.env ?? process.env;
  const key = locationKey(o.dataDir, env);
  const mine = shared.get(key);
  if (mine) return localHandle(mine, 'shared', async () => undefined);
  const opts = storeOptionsFromEnv(o.dataDir, env);
  if (opts.databaseUrl) {
    if (!o.keepOpen) {
      const store = await EvidenceStore.open(opts);
      return localHandle(store, 'direct', () => store.close());
    }
    let p = cachedPostgres.get(key);
    if (!p) {
      p = EvidenceStore.open(opts);
      cachedPostgres.set(key, p);
      p.catch(() => cachedPostgres.delete(key));
    }
    return localHandle(await p, 'direct', async () => undefined);
  }
  const monitor = monitors.get(key);
  let holder = pgliteHolder(o.dataDir);
  if (!holder && !monitor) {
    try {
      return await borrowPglite(key, opts);
    } catch (e) {
      // Another process may have taken the lock between the look and the open.
      holder = pgliteHolder(o.dataDir);
      if (!holder) throw e;
    }
  }
  return channelHandle(o, monitor, holder);
}

async function channelHandle(o: AccessOptions, monitor: MonitorSettings | undefined, holder: number | undefined): Promise<EvidenceHandle> {
  const dir = path.join(path.resolve(o.dataDir), 'evidence');
  const info = readChannelFile(dir);
  // The channel file describes the very process holding this store, so it wins over defaults.
  const fromFile = info && (!holder || info.pid === holder) ? info : undefined;
  const redisUrl = monitor?.redisUrl ?? o.redisUrl ?? fromFile?.redisUrl ?? DEFAULT_REDIS_URL;
  const prefix = monitor?.prefix ?? fromFile?.prefix ?? o.prefix ?? 'pengawas';
  const client = new EvidenceChannelClient({ redisUrl, prefix, claimTimeoutMs: o.claimTimeoutMs });
  const held = holder ? `the embedded evidence store ${dir} is open in process ${holder} (a pengawas monitor or command)` : `the embedded evidence store ${dir} belongs to this monitor's recorder`;
  return {
    via: 'channel',
    async call(op, args) {
      try {
        return await client.call(op, args);
      } catch (e) {
        if (!(e instanceof ChannelUnansweredError)) throw e;
        throw new EvidenceUnavailableError(
          `${held}, and no monitor answered on the evidence channel (${e.message}). To proceed: stop that process and retry (the store is then opened directly); ` +
            "or, if it is a monitor, check that --prefix, --config and REDIS_URL match its own; or run the monitor with DATABASE_URL (PostgreSQL) so several processes can share the store.",
          { cause: e },
        );
      }
    },
    release: () => client.close(),
  };
}

function readChannelFile(dir: string): ChannelInfo | undefined {
  const file = path.join(dir, CHANNEL_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as ChannelInfo;
    return typeof v.prefix === 'string' && typeof v.pid === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
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
