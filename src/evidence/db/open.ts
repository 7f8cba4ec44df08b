/** Picks the backend: PostgreSQL when a URL is given (DATABASE_URL), else SQLite under `<dataDir>/evidence`. */
import path from 'node:path';
import type { EvidenceDb } from './types';
import { openPostgres } from './postgres';
import { openSqlite } from './sqlite';

export interface DbLocation {
  databaseUrl?: string;
  dataDir: string;
  busyTimeoutMs?: number;
  besidePglite?: boolean;
}

export function evidenceLocation(dataDir: string, env: NodeJS.ProcessEnv = process.env): DbLocation {
  return { databaseUrl: env.DATABASE_URL || undefined, dataDir };
}

/** The folder of the embedded store. */
export const sqliteDir = (dataDir: string) => path.join(path.resolve(dataDir), 'evidence');

export function openDb(loc: DbLocation): Promise<EvidenceDb> {
  // A Promise whose executor throws rejects: opening fails as a rejection, never a synchronous throw.
  return new Promise((resolve) => {
    resolve(
      loc.databaseUrl
        ? openPostgres(loc.databaseUrl)
        : openSqlite(sqliteDir(loc.dataDir), { busyTimeoutMs: loc.busyTimeoutMs, besidePglite: loc.besidePglite }),
    );
  });
}
