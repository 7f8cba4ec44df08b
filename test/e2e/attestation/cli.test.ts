/**
 * `pengawas attest` end to end (the built CLI as a child process): on PGlite with no monitor running, on
 * PostgreSQL (a database of its own), URL evidence fetched from a local server, bad input (exit 2 with a clear
 * message), and a store held by another process with no monitor answering. Needs `npm run build`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latestAttestation } from '../../../src/evidence/attestations';
import Database from 'better-sqlite3';
import { SQLITE_FILE } from '../../../src/evidence/db/sqlite';
import { EvidenceStore } from '../../../src/evidence/store';
import { runCli } from '../../helpers/cli';
import { startHttp, type Started } from '../../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../../helpers/redis';
import { makeEnv, type TestEnv } from '../../evidence/helpers';
import { CHECKS_YAML, sha256 } from './helpers';

describe('pengawas attest', () => {
  let dir: string;
  let checksDir: string;
  let evidenceFile: string;
  let web: Started;
  const prefix = testPrefix('attest-cli');
  const env = (dataDir: string, databaseUrl = '') => ({
    PENGAWAS_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    PENGAWAS_LOG_LEVEL: 'silent',
  });
  const attest = (dataDir: string, extra: string[], more: Record<string, string> = {}, databaseUrl = '') =>
    runCli(['attest', '--checks', checksDir, '--check', 'tabletop-drill', '--by', 'Ani Wijaya (CISO)', ...extra], {
      env: { ...env(dataDir, databaseUrl), ...more },
    });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-att-cli-'));
    checksDir = path.join(dir, 'checks');
    mkdirSync(checksDir);
    writeFileSync(path.join(checksDir, 'checks.yaml'), CHECKS_YAML);
    evidenceFile = path.join(dir, 'drill-report.md');
    writeFileSync(evidenceFile, '# Tabletop drill 2026\nparticipants: 12\n');
    web = await startHttp((req, res) => {
      if (req.url === '/agreement.pdf') res.end('%PDF-1.7 signed agreement');
      else {
        res.statusCode = 404;
        res.end('no');
      }
    });
  });
  afterAll(async () => {
    await web.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('records on SQLite with no monitor running, hashing the evidence file; a second one supersedes', async () => {
    const dataDir = path.join(dir, 'sqlite');
    const first = await attest(dataDir, ['--evidence', evidenceFile, '--expires', '2099-06-30', '--note', 'annual drill', '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const out = JSON.parse(first.stdout);
    expect(out).toMatchObject({ via: 'direct', supersedes: null, evidence: { kind: 'file', hashedFrom: 'file' } });
    // End of 30 June in the store's zone (Asia/Jakarta, UTC+7).
    expect(out.attestation).toMatchObject({
      checkId: 'tabletop-drill',
      by: 'Ani Wijaya (CISO)',
      evidenceHash: sha256('# Tabletop drill 2026\nparticipants: 12\n'),
      evidenceRef: evidenceFile,
      expiresAt: '2099-06-30T17:00:00.000Z',
      note: 'annual drill',
    });

    const second = await attest(dataDir, ['--evidence', evidenceFile, '--expires', '2099-12-31T00:00:00Z']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^attestation 2: tabletop-drill attested by Ani Wijaya \(CISO\), valid until 2099-12-31T00:00:00.000Z/);
    expect(second.stdout).toMatch(/supersedes attestation 1/);
    const store = await EvidenceStore.open({ dataDir });
    try {
      expect(await latestAttestation(store, 'tabletop-drill')).toMatchObject({ id: 2, expiresAt: '2099-12-31T00:00:00.000Z' });
    } finally {
      await store.close();
    }
  }, 60_000);

  it('records on PostgreSQL (a database of its own), URL evidence fetched and hashed', async () => {
    let pg: TestEnv | undefined;
    try {
      pg = await makeEnv('postgres');
      const r = await attest(
        pg.dataDir,
        ['--evidence', `${web.url}/agreement.pdf`, '--expires', '2099-01-01', '--json'],
        {},
        pg.databaseUrl,
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ via: 'direct', evidence: { kind: 'url', hashedFrom: 'download', bytes: 25 } });
      expect(out.attestation).toMatchObject({ evidenceHash: sha256('%PDF-1.7 signed agreement'), evidenceRef: `${web.url}/agreement.pdf` });
      const store = await pg.open();
      try {
        expect(store.kind).toBe('postgres');
        expect(await latestAttestation(store, 'tabletop-drill')).toMatchObject({ by: 'Ani Wijaya (CISO)' });
      } finally {
        await store.close();
      }
      // A URL that cannot be fetched is refused unless the operator gives the hash of their copy.
      const missing = await attest(pg.dataDir, ['--evidence', `${web.url}/gone.pdf`, '--expires', '2099-01-01'], {}, pg.databaseUrl);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/HTTP 404.*--evidence-sha256/);
      const given = await attest(
        pg.dataDir,
        ['--evidence', `${web.url}/gone.pdf`, '--evidence-sha256', 'AB'.repeat(32), '--expires', '2099-01-01', '--json'],
        {},
        pg.databaseUrl,
      );
      expect(given.code).toBe(0);
      expect(JSON.parse(given.stdout).attestation.evidenceHash).toBe('ab'.repeat(32));
    } finally {
      await pg?.cleanup();
    }
  }, 60_000);

  it.each([
    [
      'an unknown check',
      ['--check', 'no-such-check', '--evidence', 'EVIDENCE', '--expires', '2099-01-01'],
      /unknown check "no-such-check".*tabletop-drill/,
    ],
    ['an expiry in the past', ['--evidence', 'EVIDENCE', '--expires', '2020-01-01'], /--expires 2020-01-01 is in the past/],
    ['a day that does not exist', ['--evidence', 'EVIDENCE', '--expires', '2099-02-30'], /not a calendar day/],
    [
      'an unreadable evidence file',
      ['--evidence', 'MISSING', '--expires', '2099-01-01'],
      /cannot read the evidence file .*missing\.pdf: ENOENT/,
    ],
    ['a URL with credentials', ['--evidence', 'http://user:pw@127.0.0.1/x.pdf', '--expires', '2099-01-01'], /must not carry credentials/],
    [
      'a file whose hash is not the one given',
      ['--evidence', 'EVIDENCE', '--evidence-sha256', '0'.repeat(64), '--expires', '2099-01-01'],
      /has SHA-256 [0-9a-f]{64}, not the 0{64} given/,
    ],
    ['no --by', ['--by', ' ', '--evidence', 'EVIDENCE', '--expires', '2099-01-01'], /--by must name who attests/],
  ])(
    'refuses %s with exit 2',
    async (_what, args, message) => {
      const dataDir = path.join(dir, 'bad-input');
      const fixed = args.map((a) => (a === 'EVIDENCE' ? evidenceFile : a === 'MISSING' ? path.join(dir, 'missing.pdf') : a));
      const r = await attest(dataDir, fixed);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    },
    30_000,
  );

  it('records beside another process that has the store open, and names the file when a writer holds it too long', async () => {
    const dataDir = path.join(dir, 'held');
    const store = await EvidenceStore.open({ dataDir }); // this test process has the store open, as a monitor would
    try {
      const ok = await attest(dataDir, ['--evidence', evidenceFile, '--expires', '2099-01-01']);
      expect(ok.code).toBe(0);
      expect((await latestAttestation(store, 'tabletop-drill'))?.by).toBe('Ani Wijaya (CISO)');
      // A raw connection holding the write lock, as a stuck writer would.
      const raw = new Database(path.join(dataDir, 'evidence', SQLITE_FILE));
      raw.exec('BEGIN IMMEDIATE');
      try {
        const t0 = Date.now();
        const r = await attest(dataDir, ['--evidence', evidenceFile, '--expires', '2099-01-01'], {
          PENGAWAS_EVIDENCE_BUSY_TIMEOUT_MS: '1000',
        });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(
          /PENGAWAS_EVIDENCE_STORE: evidence store .*held.evidence.evidence\.sqlite: locked by another process for too long/,
        );
        expect(Date.now() - t0).toBeLessThan(20_000);
      } finally {
        raw.exec('ROLLBACK');
        raw.close();
      }
      expect((await latestAttestation(store, 'tabletop-drill'))?.id).toBe(1);
    } finally {
      await store.close();
    }
  }, 30_000);
});
