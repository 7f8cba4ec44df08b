/**
 * The `attestation` check type on a real store (SQLite in a temp folder, opened directly as with no monitor
 * running, the store registered by a recorder in this process, and PostgreSQL): valid → expires soon → expired →
 * superseded; missing; stale (maxAge); no expiry; evidence edited after it was attested; store unreachable.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeCachedStores, registerEvidenceStore, withEvidence } from '../../../src/evidence/access';
import { recordAttestation } from '../../../src/evidence/attestations';
import { EvidenceStore } from '../../../src/evidence/store';
import { runCheck } from '../../../src/probes/runner';
import { makeEnv } from '../../evidence/helpers';
import { attestationCheck, DAY, sha256 } from './helpers';

/** The checks a recorder's configuration holds in these tests (attestations are accepted only for configured checks). */
const IDS = ['drill', 'forever', 'pact', 'pg-drill', 'shared', 'training'];

describe('attestation check type', () => {
  let dir: string;
  let dataDir: string;
  const env = { ...process.env, DATABASE_URL: '' };
  const run = (check = attestationCheck('drill', { warnBefore: '30d' })) => runCheck(check, { dataDir, env });
  const saved = process.env.DATABASE_URL;

  beforeAll(async () => {
    delete process.env.DATABASE_URL;
    dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-att-'));
    dataDir = path.join(dir, 'data');
    // The recorder's store: a recorder has recorded its configuration there (without that, "no attestation" could
    // mean "not the recorder's store", and the check says it cannot decide: test/e2e/attestation/split-worker.test.ts).
    const store = await EvidenceStore.open({ dataDir });
    await store.recordConfig(
      'recorder-config',
      IDS.map((id) => attestationCheck(id)),
    );
    await store.close();
  });
  afterAll(() => {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  async function attest(checkId: string, expiresInMs: number | null, by = 'Ani (CISO)', recordedAt = new Date()): Promise<number> {
    const store = await EvidenceStore.open({ dataDir });
    try {
      const a = await recordAttestation(
        store,
        {
          checkId,
          by,
          evidenceHash: sha256(`${checkId}-${by}`),
          evidenceRef: '/srv/evidence/drill.pdf',
          expiresAt: expiresInMs === null ? null : new Date(Date.now() + expiresInMs),
        },
        recordedAt,
      );
      return a.id;
    } finally {
      await store.close();
    }
  }

  it('fails with attestation.missing before anyone attested', async () => {
    const r = await run();
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.id)).toEqual(['attestation.missing']);
    expect(r.measurements).toMatchObject({ attested: 0 });
  });

  it('passes while valid, warns inside the window, fails once expired, passes again when superseded', async () => {
    const first = await attest('drill', 200 * DAY);
    let r = await run();
    expect(r.status).toBe('pass');
    expect(r.findings[0]).toMatchObject({ id: 'attestation.valid', status: 'pass' });
    expect(r.findings[0].evidence).toMatchObject({
      attestationId: first,
      by: 'Ani (CISO)',
      evidenceSha256: sha256('drill-Ani (CISO)'),
      evidenceRef: '/srv/evidence/drill.pdf',
    });
    expect(r.measurements.secondsToExpiry).toBeGreaterThan(199 * 86_400);

    await attest('drill', 10 * DAY, 'Budi');
    r = await run();
    expect(r.status).toBe('warn');
    expect(r.findings.map((f) => f.id)).toEqual(['attestation.expires_soon']);
    expect(r.findings[0].message).toMatch(/Budi.*in (9|10) day/);

    await attest('drill', -DAY, 'Citra');
    r = await run();
    expect(r.status).toBe('fail');
    expect(r.findings[0]).toMatchObject({ id: 'attestation.expired', severity: 'high' });
    expect(r.findings[0].evidence).toMatchObject({ by: 'Citra' });

    const last = await attest('drill', 365 * DAY, 'Dewi');
    r = await run();
    expect(r.status).toBe('pass');
    expect(r.findings[0].evidence).toMatchObject({ attestationId: last, by: 'Dewi' });
    // The window is the check's own: with 400d of warning the same attestation warns.
    expect((await run(attestationCheck('drill', { warnBefore: '400d' }))).status).toBe('warn');
  }, 60_000);

  it('fails a stale attestation (maxAge) and one without expiry, unless allowed', async () => {
    await attest('pact', 300 * DAY, 'Eko', new Date(Date.now() - 400 * DAY));
    const stale = await run(attestationCheck('pact', { maxAge: '365d' }));
    expect(stale.status).toBe('fail');
    expect(stale.findings.map((f) => f.id)).toEqual(['attestation.stale']);
    expect((await run(attestationCheck('pact'))).status).toBe('pass');

    await attest('forever', null);
    expect((await run(attestationCheck('forever'))).findings.map((f) => f.id)).toEqual(['attestation.no_expiry']);
    expect((await run(attestationCheck('forever', { requireExpiry: false }))).status).toBe('pass');
  }, 60_000);

  it('with verifyEvidence, fails when the evidence file changed after it was attested', async () => {
    const file = path.join(dir, 'training.md');
    writeFileSync(file, 'completion 96%\n');
    const store = await EvidenceStore.open({ dataDir });
    await recordAttestation(store, {
      checkId: 'training',
      by: 'HR',
      evidenceHash: sha256('completion 96%\n'),
      evidenceRef: file,
      expiresAt: new Date(Date.now() + 100 * DAY),
    });
    await store.close();
    const check = attestationCheck('training', { verifyEvidence: true });
    expect((await run(check)).status).toBe('pass');
    writeFileSync(file, 'completion 100%\n');
    const changed = await run(check);
    expect(changed.status).toBe('fail');
    expect(changed.findings[0]).toMatchObject({ id: 'attestation.evidence_changed' });
    rmSync(file);
    expect((await run(check)).findings.map((f) => f.id)).toEqual(['attestation.evidence_unreadable']);
  }, 60_000);

  it('reads the store a recorder in this process holds (no second connection)', async () => {
    const store = await EvidenceStore.open({ dataDir });
    const unregister = registerEvidenceStore(store, env);
    try {
      await recordAttestation(store, {
        checkId: 'shared',
        by: 'Fajar',
        evidenceHash: sha256('x'),
        evidenceRef: 'https://wiki.example/drill',
        expiresAt: new Date(Date.now() + 90 * DAY),
      });
      const r = await run(attestationCheck('shared'));
      expect(r.status).toBe('pass');
      expect(r.findings[0].evidence).toMatchObject({ by: 'Fajar' });
    } finally {
      unregister();
      await store.close();
    }
  }, 60_000);

  it('reads PostgreSQL directly (DATABASE_URL)', async () => {
    const pg = await makeEnv('postgres');
    process.env.DATABASE_URL = pg.databaseUrl;
    try {
      const recorder = await EvidenceStore.open({ dataDir: pg.dataDir, databaseUrl: pg.databaseUrl });
      await recorder.recordConfig(
        'recorder-config',
        IDS.map((id) => attestationCheck(id)),
      );
      await recorder.close();
      const check = attestationCheck('pg-drill', { warnBefore: '30d' });
      expect((await run(check)).findings.map((f) => f.id)).toEqual(['attestation.missing']);
      await withEvidence({ dataDir: pg.dataDir }, 'recordAttestation', {
        checkId: 'pg-drill',
        by: 'Gita',
        evidenceHash: sha256('pg'),
        evidenceRef: 'https://wiki.example/pg',
        expiresAt: new Date(Date.now() + 20 * DAY).toISOString(),
      });
      const r = await run(check);
      expect(r.status).toBe('warn');
      expect(r.findings[0].evidence).toMatchObject({ by: 'Gita' });
    } finally {
      delete process.env.DATABASE_URL;
      await closeCachedStores();
      await pg.cleanup();
    }
  }, 60_000);

  it('is an error, not a fail, when the store cannot be read', async () => {
    // The probe reads DATABASE_URL from the process environment, as a worker does.
    process.env.DATABASE_URL = 'postgres://nobody@127.0.0.1:1/none';
    let r;
    try {
      r = await run();
    } finally {
      delete process.env.DATABASE_URL;
      await closeCachedStores();
    }
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('PROBE_ATTESTATION_STORE_UNREACHABLE');
  }, 30_000);
});
