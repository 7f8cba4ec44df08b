/**
 * `pengawas run` (all roles in one process, here the test process) on the embedded store: its own attestation
 * checks read the recorder's store in-process, and `pengawas attest` from another process opens the same store
 * beside it; the check turns from fail (missing) to pass.
 * Needs `npm run build`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { obtainEvidence } from '../../../src/evidence/access';
import { runCli } from '../../helpers/cli';
import { sample, startTestMonitor, type TestMonitor } from '../../helpers/monitor';
import { waitFor } from '../../helpers/net';
import { REDIS_URL } from '../../helpers/redis';

const CHECKS = `checks:
  - id: partner-agreement
    name: Partner agreement in force
    type: attestation
    element: cooperation
    schedule: { every: 1s }
    timeout: 1s
    target: partner-agreement
`;

describe('attestation checks in pengawas run', () => {
  let m: TestMonitor;
  const saved = process.env.DATABASE_URL;

  beforeAll(async () => {
    delete process.env.DATABASE_URL;
    m = await startTestMonitor('att-run', CHECKS);
  }, 60_000);
  afterAll(async () => {
    await m?.stop();
    if (saved !== undefined) process.env.DATABASE_URL = saved;
  });

  it('fails while missing, passes once attested from another process', async () => {
    const series = 'pengawas_check_status{check="partner-agreement",element="cooperation",type="attestation"}';
    const present = 'pengawas_attestation_present{check="partner-agreement",element="cooperation"}';
    await waitFor(async () => sample(await m.scrape(), present) === 0, 20_000);
    expect(sample(await m.scrape(), series)).toBe(0);

    const evidence = path.join(m.dir, 'agreement.txt');
    writeFileSync(evidence, 'signed by both parties\n');
    const r = await runCli(
      [
        'attest',
        '--checks',
        m.dir,
        '--check',
        'partner-agreement',
        '--by',
        'General Counsel',
        '--evidence',
        evidence,
        '--expires',
        '2099-01-01',
      ],
      {
        env: { PENGAWAS_DATA_DIR: m.settings.dataDir, DATABASE_URL: '', REDIS_URL, PENGAWAS_LOG_LEVEL: 'silent' },
      },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^attestation 1: partner-agreement attested by General Counsel/);
    await waitFor(async () => sample(await m.scrape(), series) === 1, 20_000);
    expect(sample(await m.scrape(), present)).toBe(1);

    // Checks in this process read the recorder's own store: no second connection.
    const ev = await obtainEvidence({ dataDir: m.settings.dataDir });
    expect(ev.via).toBe('shared');
    await ev.release();
  }, 60_000);
});
