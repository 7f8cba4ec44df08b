/** Picks the backend: PostgreSQL when a URL is given (DATABASE_URL), else PGlite under `<dataDir>/evidence`. */
import path from 'node:path';
import type { EvidenceDb } from './types';
import { openPglite } from './pglite';
import { openPostgres } from './postgres';

export interface DbLocation {
  databaseUrl?: string;
  dataDir: string;
}

export function evidenceLocation(dataDir: string, env: NodeJS.ProcessEnv = process.env): DbLocation {
  return { databaseUrl: env.DATABASE_URL || undefined, dataDir };
}

export async function openDb(loc: DbLocation): Promise<EvidenceDb> {
  if (loc.databaseUrl) return openPostgres(loc.databaseUrl);
  return openPglite(path.join(loc.dataDir, 'evidence'));
}
