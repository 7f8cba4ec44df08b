/**
 * The embedded store's files and start-up errors. Under umask 000 the folder is still 0700 and every file 0600,
 * and another OS user (`nobody`, through runuser) cannot read them even when every folder above is open to all;
 * a control file left 0644 beside them shows that user could read it otherwise. Start-up failures are an
 * EvidenceStoreError naming the path or the URL (never its password) and what to do.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EvidenceStoreError } from '../../src/errors';
import { SQLITE_FILE } from '../../src/evidence/db/sqlite';
import { EvidenceStore } from '../../src/evidence/store';
import { freePort } from '../helpers/net';
import { result } from './helpers';

const canRunAs = spawnSync('runuser', ['-u', 'nobody', '--', 'true']).status === 0;
const readAsNobody = (file: string) => spawnSync('runuser', ['-u', 'nobody', '--', 'cat', file], { encoding: 'utf8' });
const mode = (f: string) => (statSync(f).mode & 0o777).toString(8);

describe('embedded store files and start-up errors', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-files-'));
    chmodSync(dir, 0o755); // open to everyone: only the store's own modes protect it
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the folder 0700 and the database, -wal and -shm 0600 under umask 000', async () => {
    const dataDir = path.join(dir, 'data');
    const old = process.umask(0);
    let store: EvidenceStore | undefined;
    try {
      store = await EvidenceStore.open({ dataDir });
      await store.writeResults([{ result: result('perm', 'security', new Date('2026-10-01T00:00:00Z'), 'pass') }]);
      chmodSync(dataDir, 0o755);
      const ev = path.join(dataDir, 'evidence');
      const files = [SQLITE_FILE, `${SQLITE_FILE}-wal`, `${SQLITE_FILE}-shm`].map((f) => path.join(ev, f));
      expect([mode(ev), ...files.map(mode)]).toEqual(['700', '600', '600', '600']);
      if (canRunAs) {
        const control = path.join(dataDir, 'control.txt');
        writeFileSync(control, 'readable', { mode: 0o644 });
        expect(readAsNobody(control).stdout).toBe('readable'); // the test can fail: this file is readable
        for (const f of files) {
          chmodSync(ev, 0o755); // even with the folder opened, the files themselves refuse
          const r = readAsNobody(f);
          expect(r.status).not.toBe(0);
          expect(r.stderr).toMatch(/Permission denied/);
          chmodSync(ev, 0o700);
        }
        expect(readAsNobody(path.join(ev, SQLITE_FILE)).stderr).toMatch(/Permission denied/);
      }
    } finally {
      process.umask(old);
      await store?.close();
    }
    // Re-opening puts back modes loosened by hand.
    chmodSync(path.join(dataDir, 'evidence', SQLITE_FILE), 0o644);
    chmodSync(path.join(dataDir, 'evidence'), 0o755);
    const again = await EvidenceStore.open({ dataDir });
    await again.close();
    expect([mode(path.join(dataDir, 'evidence')), mode(path.join(dataDir, 'evidence', SQLITE_FILE))]).toEqual(['700', '600']);
  });

  it('names the folder when the data folder cannot hold the store', async () => {
    const notDir = path.join(dir, 'a-file');
    writeFileSync(notDir, 'x');
    const err = await EvidenceStore.open({ dataDir: notDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EvidenceStoreError);
    expect((err as Error).message).toMatch(new RegExp(`the evidence store folder ${notDir}/evidence is not writable .*PENGAWAS_DATA_DIR`));
  });

  it('names the file when it is not a database', async () => {
    const dataDir = path.join(dir, 'garbage');
    execFileSync('mkdir', ['-p', path.join(dataDir, 'evidence')]);
    writeFileSync(
      path.join(dataDir, 'evidence', SQLITE_FILE),
      'this is not a database, just text that is long enough to look like a header'.repeat(20),
    );
    const err = await EvidenceStore.open({ dataDir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EvidenceStoreError);
    expect((err as Error).message).toMatch(new RegExp(`${SQLITE_FILE}.*(damaged or not a pengawas store|not a database)`));
  });

  it('names the database URL without its password when PostgreSQL is unreachable', async () => {
    const port = await freePort();
    const url = `postgres://auditor:s3cret-pw@127.0.0.1:${port}/evidence`;
    const t0 = Date.now();
    const err = await EvidenceStore.open({ dataDir: dir, databaseUrl: url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EvidenceStoreError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `evidence database postgres://auditor:\\*\\*\\*@127\\.0\\.0\\.1:${port}/evidence is unreachable .*ECONNREFUSED.*DATABASE_URL`,
      ),
    );
    expect((err as Error).message).not.toMatch(/s3cret/);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});
