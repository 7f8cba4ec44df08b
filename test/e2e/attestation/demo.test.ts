/**
 * The demo's attestations: checks/demo/attestations.yaml loads, `pengawas demo`'s seed records one valid, one
 * expired and one expiring attestation (once per data folder, never over the user's own), and the three checks
 * answer pass / fail / warn with the attestation metrics set accordingly.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { parseChecksFile } from '../../../src/config/load';
import { DEMO_ATTESTATIONS, seedDemoAttestations } from '../../../src/demo/attestations';
import type { ConfigProblem } from '../../../src/errors';
import { withEvidence } from '../../../src/evidence/access';
import { ProbeFamilies } from '../../../src/metrics/probe-families';
import { runCheck } from '../../../src/probes/runner';
import { ROOT } from '../../helpers/cli';
import { sha256 } from './helpers';

describe('demo attestations', () => {
  let dir: string;
  const saved = process.env.DATABASE_URL;
  const file = path.join(ROOT, 'checks', 'demo', 'attestations.yaml');
  const problems: ConfigProblem[] = [];
  const checks = parseChecksFile(file, readFileSync(file, 'utf8'), {}, problems);

  beforeAll(() => {
    delete process.env.DATABASE_URL;
    dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-att-demo-'));
  });
  afterAll(() => {
    if (saved !== undefined) process.env.DATABASE_URL = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships drill, training and partner-agreement checks for capability and cooperation', () => {
    expect(problems).toEqual([]);
    expect(checks.map((c) => [c.type, c.element, c.target])).toEqual([
      ['attestation', 'capability', 'demo-tabletop-drill'],
      ['attestation', 'capability', 'demo-training-completed'],
      ['attestation', 'cooperation', 'demo-partner-agreement'],
    ]);
    expect(DEMO_ATTESTATIONS.map((s) => s.target)).toEqual(checks.map((c) => c.target));
  });

  it('seeds once, shows pass / expired fail / expiring warn, and never overrides a newer attestation', async () => {
    const dataDir = path.join(dir, 'data');
    expect(await seedDemoAttestations(dataDir, path.join(ROOT, 'checks', 'demo'))).toBe(3);
    const run = () => Promise.all(checks.map((c) => runCheck(c, { dataDir })));
    let results = await run();
    expect(results.map((r) => [r.status, r.findings[0].id])).toEqual([
      ['pass', 'attestation.valid'],
      ['fail', 'attestation.expired'],
      ['warn', 'attestation.expires_soon'],
    ]);
    // The drill check re-hashes its evidence (verifyEvidence): the shipped file is the one attested.
    const drill = readFileSync(path.join(ROOT, 'checks', 'demo', 'attestation-evidence', 'tabletop-drill-report.md'));
    expect(results[0].findings[0].evidence).toMatchObject({ evidenceSha256: sha256(drill) });

    const registry = new Registry();
    const metrics = new ProbeFamilies(registry, ['attestation']);
    for (const r of results) metrics.observe(r);
    const text = await registry.metrics();
    expect(text).toMatch(/pengawas_attestation_present\{check="demo-att-training-completed",element="capability"\} 1/);
    const expiry = Number(
      /pengawas_attestation_expiry_timestamp_seconds\{check="demo-att-training-completed",element="capability"\} (\d+)/.exec(text)?.[1],
    );
    expect(expiry).toBeLessThan(Date.now() / 1000);

    // The user re-attests the training during the demo: it passes, and the next demo start leaves it alone.
    const ev = readFileSync(path.join(ROOT, 'checks', 'demo', 'attestation-evidence', 'security-training-completion.md'));
    await withEvidence({ dataDir }, 'recordAttestation', {
      checkId: 'demo-training-completed',
      by: 'Head of HR',
      evidenceHash: sha256(ev),
      evidenceRef: 'training.md',
      expiresAt: new Date(Date.now() + 200 * 86_400_000).toISOString(),
    });
    expect(await seedDemoAttestations(dataDir, path.join(ROOT, 'checks', 'demo'))).toBe(0);
    results = await run();
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass', 'warn']);
    expect(results[1].findings[0].evidence).toMatchObject({ by: 'Head of HR' });
  }, 60_000);
});
