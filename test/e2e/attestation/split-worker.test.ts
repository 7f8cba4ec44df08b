/**
 * An `attestation` check on a worker that cannot see the recorder's store must say so (`error`), never `fail`: a
 * split worker on another host without DATABASE_URL would otherwise open an empty SQLite store of its own, find no
 * attestation, and report it missing — a false verdict. With the recorder's store in reach (it recorded its
 * configuration) a missing attestation is a real `fail`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Check } from '../../../src/config/check';
import { closeCachedStores } from '../../../src/evidence/access';
import { EvidenceStore } from '../../../src/evidence/store';
import { adHocCheck } from '../../../src/probes/ad-hoc';
import { runCheck } from '../../../src/probes/runner';

const dirs: string[] = [];
const saved = process.env.DATABASE_URL;
beforeAll(() => delete process.env.DATABASE_URL);
afterAll(async () => {
  await closeCachedStores();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (saved !== undefined) process.env.DATABASE_URL = saved;
});
const dataDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'pengawas-att-split-'));
  dirs.push(d);
  return d;
};
const check = (): Check => adHocCheck({ type: 'attestation', target: 'partner-agreement', id: 'partner-agreement', timeoutMs: 20_000 });

describe('attestation checks where the recorder store is out of reach', () => {
  it('no store under the data folder: error, and no empty store is created', async () => {
    const dir = dataDir();
    const r = await runCheck(check(), { dataDir: dir });
    expect(r.status).toBe('error');
    expect(JSON.stringify(r.findings)).toMatch(
      /no recorder has written the evidence store under .* \(there is none, and DATABASE_URL is not set\)/,
    );
    expect(existsSync(path.join(dir, 'evidence'))).toBe(false);
  });

  it('a store no recorder ever wrote: error; the recorder store (configuration recorded) without an attestation: fail', async () => {
    const dir = dataDir();
    const store = await EvidenceStore.open({ dataDir: dir });
    await store.close();
    const before = await runCheck(check(), { dataDir: dir });
    expect(before.status).toBe('error');
    expect(JSON.stringify(before.findings)).toMatch(/no recorder has written the evidence store/);

    await closeCachedStores();
    const recorder = await EvidenceStore.open({ dataDir: dir });
    await recorder.recordConfig('cfg', [check()]);
    await recorder.close();
    const after = await runCheck(check(), { dataDir: dir });
    expect(after.status).toBe('fail');
    expect(after.findings.map((f) => f.id)).toContain('attestation.missing');
  });
});
