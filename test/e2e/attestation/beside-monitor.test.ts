/**
 * The evidence store beside a running monitor, with no side door: `pengawas recorder` runs in a child process
 * with the store open (SQLite in a temp folder, or a PostgreSQL database of its own); `attest`, `waive`,
 * `evidence build` and `evidence verify --store` in other processes open the store themselves and work, and so
 * does an `attestation` check in this process (playing a worker). Then the attack the old Redis evidence channel
 * allowed: its request messages sent with raw Redis commands (key names and fields as the removed
 * src/evidence/channel/protocol.ts defined them) get no answer, and the store does not change.
 * Needs `npm run build`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { closeCachedStores } from '../../../src/evidence/access';
import { chainHeads } from '../../../src/evidence/chain';
import { EvidenceStore } from '../../../src/evidence/store';
import { dayOf } from '../../../src/evidence/tz';
import { runCheck } from '../../../src/probes/runner';
import { makeEnv, type TestEnv } from '../../evidence/helpers';
import { runCli, startCli } from '../../helpers/cli';
import { waitFor } from '../../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../../helpers/redis';
import { attestationCheck, CHECKS_YAML, sha256 } from './helpers';

describe.each(['sqlite', 'postgres'] as const)('evidence store beside a running monitor (%s)', (backend) => {
  const prefix = testPrefix(`beside-${backend}`);
  let dir: string;
  let ev: TestEnv;
  let checksDir: string;
  let evidenceFile: string;
  let recorder: ReturnType<typeof startCli>;
  let redis: IORedis;
  const savedDb = process.env.DATABASE_URL;
  // Split roles sign and verify results with a shared key, given by reference (docs/results.md).
  const env = () => ({
    PENGAWAS_DATA_DIR: ev.dataDir,
    DATABASE_URL: ev.databaseUrl ?? '',
    REDIS_URL,
    PENGAWAS_LOG_LEVEL: 'info',
    PENGAWAS_RESULTS_KEY: '${env:BESIDE_RESULTS_KEY}',
    BESIDE_RESULTS_KEY: 'beside-monitor-test-results-key-0123456789abcdef',
  });
  // Only `attest` reads the checks folder; none of these commands uses Redis (no --prefix).
  const cli = (args: string[]) =>
    runCli([...args, ...(args[0] === 'attest' ? ['--checks', checksDir] : [])], {
      env: { ...env(), PENGAWAS_LOG_LEVEL: 'silent' },
      timeoutMs: 60_000,
    });
  const counts = async () => {
    const s = await EvidenceStore.open({ dataDir: ev.dataDir, databaseUrl: ev.databaseUrl });
    try {
      const [w] = await s.db.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM evidence_waivers`);
      const [a] = await s.db.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM evidence_attestations`);
      return { waivers: w.n, attestations: a.n, head: (await chainHeads(s.db)).head };
    } finally {
      await s.close();
    }
  };

  beforeAll(async () => {
    ev = await makeEnv(backend);
    if (ev.databaseUrl) process.env.DATABASE_URL = ev.databaseUrl;
    else delete process.env.DATABASE_URL;
    dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-beside-'));
    checksDir = path.join(dir, 'checks');
    mkdirSync(checksDir);
    writeFileSync(path.join(checksDir, 'checks.yaml'), CHECKS_YAML);
    evidenceFile = path.join(dir, 'drill.md');
    writeFileSync(evidenceFile, 'drill report v1\n');
    redis = new IORedis(REDIS_URL);
    recorder = startCli(['recorder', '--checks', checksDir, '--prefix', prefix, '--metrics-port', '0'], env());
    await waitFor(async () => /pengawas started/.test(recorder.output()), 60_000);
  }, 90_000);

  afterAll(async () => {
    if (recorder.exitCode === null) {
      recorder.kill('SIGKILL');
      await new Promise((r) => recorder.once('exit', r));
    }
    await closeCachedStores();
    await dropPrefix(prefix);
    redis.disconnect();
    if (savedDb !== undefined) process.env.DATABASE_URL = savedDb;
    else delete process.env.DATABASE_URL;
    rmSync(dir, { recursive: true, force: true });
    await ev.cleanup();
  });

  it('attest opens the store itself while the monitor runs; a second attestation supersedes the first', async () => {
    const first = await cli([
      'attest',
      '--check',
      'tabletop-drill',
      '--by',
      'Ani',
      '--evidence',
      evidenceFile,
      '--expires',
      '2099-01-01',
      '--json',
    ]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      via: 'direct',
      supersedes: null,
      attestation: { id: 1, by: 'Ani', evidenceHash: sha256('drill report v1\n') },
    });
    const second = await cli([
      'attest',
      '--check',
      'tabletop-drill',
      '--by',
      'Budi',
      '--evidence',
      evidenceFile,
      '--expires',
      '2099-06-01',
    ]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/attestation 2: tabletop-drill attested by Budi/);
    expect(second.stdout).toMatch(/supersedes attestation 1 \(by Ani/);
  }, 60_000);

  it('an attestation check in another process reads the latest attestation directly', async () => {
    const r = await runCheck(attestationCheck('tabletop-drill', { warnBefore: '30d' }), { dataDir: ev.dataDir });
    expect(r.status).toBe('pass');
    expect(r.findings[0].evidence).toMatchObject({ attestationId: 2, by: 'Budi', expiresAt: '2099-06-01T17:00:00.000Z' });
    const none = await runCheck(attestationCheck('partner-agreement'), { dataDir: ev.dataDir });
    expect(none.findings.map((f) => f.id)).toEqual(['attestation.missing']);
  }, 30_000);

  it('waive, evidence build and evidence verify --store work beside the monitor, written by the command itself', async () => {
    const w = await cli([
      'waive',
      '--check',
      'tls-api',
      '--reason',
      'vendor patch due',
      '--approver',
      'CISO',
      '--risk',
      'low',
      '--expires',
      '2099-01-31',
      '--json',
    ]);
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    expect(JSON.parse(w.stdout)).toMatchObject({
      checkId: 'tls-api',
      approver: 'CISO',
      risk: 'low',
      expiresAt: '2099-01-31T17:00:00.000Z',
    });

    const month = dayOf(new Date(), 'Asia/Jakarta').slice(0, 7);
    const out = path.join(dir, 'pack');
    const b = await cli(['evidence', 'build', '--month', month, '--out', out]);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).month).toBe(month);
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);

    const v = await cli(['evidence', 'verify', '--store']);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(new RegExp(`^ok: \\d+ chains, \\d+ records, \\d+ sealed rollups verified \\(${backend}\\)`));
    const anchored = await cli(['evidence', 'verify', out, '--store']);
    expect(anchored.code).toBe(0);
    expect(anchored.stdout).toMatch(/the store \(\w+\) holds the history this pack anchored/);
  }, 120_000);

  it('answers nothing on the old Redis evidence channel, and the store stays as it was', async () => {
    const before = await counts();
    const requests = `${prefix}:evidence:requests`;
    const forged = [
      {
        op: 'recordWaiver',
        args: { checkId: 'tls-api', reason: 'forged', approver: 'CISO', risk: 'critical', expiresAt: '2099-12-31T00:00:00Z' },
      },
      {
        op: 'recordAttestation',
        args: { checkId: 'tabletop-drill', by: 'Mallory', evidenceHash: sha256('forged'), evidenceRef: 'forged.pdf', expiresAt: null },
      },
      {
        op: 'buildPack',
        args: { month: '2026-10', outDir: path.join(dir, 'forged-pack'), lang: 'en', keyFile: path.join(dir, 'mallory.pem') },
      },
    ].map((r) => ({ v: 1, id: randomBytes(16).toString('hex'), deadline: Date.now() + 60_000, from: { pid: 1, host: 'attacker' }, ...r }));
    for (const r of forged) await redis.lpush(requests, JSON.stringify(r));
    // The old server claimed within milliseconds; give a monitor ample time to answer if anything would.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await redis.llen(requests)).toBe(forged.length); // nobody took them
    for (const r of forged) expect(await redis.exists(`${prefix}:evidence:reply:${r.id}`)).toBe(0);
    expect(await redis.exists(`${prefix}:evidence:server`)).toBe(0);
    expect(existsSync(path.join(dir, 'forged-pack'))).toBe(false);
    expect(await counts()).toEqual(before);
    expect(recorder.exitCode).toBeNull(); // and the monitor is still running
  }, 30_000);
});
