/** The CLI end to end on the embedded store: waive, evidence build, evidence verify (pack and --store). Needs `npm run build`. */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { EvidenceStore } from '../../src/evidence/store';
import { octoberResults, writeAll } from './helpers';

describe('pengawas evidence / waive', () => {
  let dir: string;
  const env = () => ({ PENGAWAS_DATA_DIR: path.join(dir, 'data'), DATABASE_URL: '', PENGAWAS_LOG_LEVEL: 'silent' });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-ev-cli-'));
    const store = await EvidenceStore.open({ dataDir: path.join(dir, 'data') });
    await writeAll(
      store,
      octoberResults().filter((r) => r.checkId === 'api-tls'),
    );
    await store.close();
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('requires an approver and an expiry for a waiver, then records it', async () => {
    const missing = await runCli(['waive', '--check', 'api-tls', '--reason', 'vendor patch', '--risk', 'low', '--expires', '2027-01-31'], {
      env: env(),
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--approver/);
    const ok = await runCli(
      [
        'waive',
        '--check',
        'api-tls',
        '--finding',
        'tls.protocol.tls1_0_enabled',
        '--reason',
        'vendor patch',
        '--approver',
        'CISO',
        '--risk',
        'low',
        '--expires',
        '2027-01-31',
        '--json',
      ],
      { env: env() },
    );
    expect(ok.code).toBe(0);
    // A bare date means the end of that day in Asia/Jakarta (UTC+7).
    expect(JSON.parse(ok.stdout)).toMatchObject({
      checkId: 'api-tls',
      approver: 'CISO',
      risk: 'low',
      expiresAt: '2027-01-31T17:00:00.000Z',
    });
  }, 60_000);

  it('builds a signed pack with the operator key, verifies it, and fails naming an altered file', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    writeFileSync(path.join(dir, 'op.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(path.join(dir, 'op.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
    const out = path.join(dir, 'pack');
    const built = await runCli(
      ['evidence', 'build', '--month', '2026-10', '--out', out, '--lang', 'id', '--key', path.join(dir, 'op.key')],
      { env: env(), timeoutMs: 60_000 },
    );
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/1 checks, 744 runs, pass rate 89\.78%/);
    expect(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).signature.algorithm).toBe('ecdsa-sha256');
    // report.pdf by default when Chromium is installed, signed with the rest; otherwise the build says why there is none.
    const chromium = existsSync('/usr/bin/chromium');
    expect(built.stdout).toContain(chromium ? 'report.pdf printed (A4, headless Chromium)' : 'no report.pdf: Chromium is not installed');
    expect(existsSync(path.join(out, 'report.pdf'))).toBe(chromium);

    const verified = await runCli(['evidence', 'verify', out, '--pubkey', path.join(dir, 'op.pub')], { env: env() });
    expect([verified.code, verified.stdout]).toEqual([
      0,
      expect.stringMatching(new RegExp(`^ok: .*signature valid, ${chromium ? 9 : 8} files match`)),
    ]);
    const csv = path.join(out, 'results.csv');
    writeFileSync(csv, readFileSync(csv, 'utf8').replace(',744,', ',745,').replace(',24,', ',25,'));
    const broken = await runCli(['evidence', 'verify', out], { env: env() });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('FAIL results.csv: SHA-256 does not match manifest.json (the file was altered)\n');
  }, 90_000);

  it('verifies the store chains and reports a broken link with exit 1', async () => {
    const ok = await runCli(['evidence', 'verify', '--store'], { env: env(), timeoutMs: 60_000 });
    // api-tls, #waivers and #signers (the key that signed the pack above).
    expect(ok.stdout).toMatch(/^ok: 3 chains, 746 records/);
    expect(ok.code).toBe(0);
    const store = await EvidenceStore.open({ dataDir: path.join(dir, 'data') });
    await store.db.query(`UPDATE evidence_results SET duration_ms = 1 WHERE stream = 'api-tls' AND seq = 100`);
    await store.close();
    const bad = await runCli(['evidence', 'verify', '--store'], { env: env(), timeoutMs: 60_000 });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('FAIL evidence_results stream api-tls seq 100 (result api-tls@');
    expect(bad.stdout).toContain('column duration_ms does not match the hashed record');
  }, 90_000);
});
