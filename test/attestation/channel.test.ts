/**
 * The evidence channel against a real monitor: `pengawas recorder` in a child process holds the embedded
 * (PGlite) store; `attest`, `waive` and `evidence build` from other processes go through it over Redis (a prefix
 * of its own), and so does an `attestation` check run by a worker in another process (this test process).
 * Also the protocol's edges: invalid arguments, garbage, a request nobody claims (withdrawn, never executed).
 * Needs `npm run build`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { closeCachedStores, configureMonitorAccess } from '../../src/evidence/access';
import { ChannelUnansweredError, EvidenceChannelClient } from '../../src/evidence/channel/client';
import { keys } from '../../src/evidence/channel/protocol';
import { dayOf } from '../../src/evidence/tz';
import { runCheck } from '../../src/probes/runner';
import { runCli, startCli } from '../helpers/cli';
import { waitFor } from '../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis';
import { attestationCheck, CHECKS_YAML, sha256 } from './helpers';

describe('evidence channel (monitor holding the embedded store)', () => {
  const prefix = testPrefix('att-chan');
  let dir: string;
  let dataDir: string;
  let checksDir: string;
  let evidenceFile: string;
  let recorder: ReturnType<typeof startCli>;
  let redis: IORedis;
  const env = () => ({ PENGAWAS_DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL, PENGAWAS_LOG_LEVEL: 'info' });
  const cli = (args: string[]) => runCli([...args, '--checks', checksDir, '--prefix', prefix], { env: { ...env(), PENGAWAS_LOG_LEVEL: 'silent' }, timeoutMs: 60_000 });
  const savedDb = process.env.DATABASE_URL;

  beforeAll(async () => {
    delete process.env.DATABASE_URL;
    dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-att-chan-'));
    dataDir = path.join(dir, 'data');
    checksDir = path.join(dir, 'checks');
    mkdirSync(checksDir);
    writeFileSync(path.join(checksDir, 'checks.yaml'), CHECKS_YAML);
    evidenceFile = path.join(dir, 'drill.md');
    writeFileSync(evidenceFile, 'drill report v1\n');
    redis = new IORedis(REDIS_URL);
    recorder = startCli(['recorder', '--checks', checksDir, '--prefix', prefix, '--metrics-port', '0'], env());
    await waitFor(async () => (await redis.get(keys(prefix).server)) !== null, 30_000);
  }, 60_000);

  afterAll(async () => {
    if (recorder.exitCode === null) {
      recorder.kill('SIGKILL');
      await new Promise((r) => recorder.once('exit', r));
    }
    await closeCachedStores();
    await dropPrefix(prefix);
    redis.disconnect();
    if (savedDb !== undefined) process.env.DATABASE_URL = savedDb;
    rmSync(dir, { recursive: true, force: true });
  });

  it('attest goes through the monitor; a second attestation supersedes the first', async () => {
    const first = await cli(['attest', '--check', 'tabletop-drill', '--by', 'Ani', '--evidence', evidenceFile, '--expires', '2099-01-01', '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ via: 'channel', supersedes: null, attestation: { id: 1, by: 'Ani', evidenceHash: sha256('drill report v1\n') } });
    const second = await cli(['attest', '--check', 'tabletop-drill', '--by', 'Budi', '--evidence', evidenceFile, '--expires', '2099-06-01']);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/attestation 2: tabletop-drill attested by Budi/);
    expect(second.stdout).toMatch(/supersedes attestation 1 \(by Ani/);
    expect(second.stdout).toMatch(/recorded through the running monitor/);
    expect(recorder.output()).toMatch(/"op":"recordAttestation".*request served/);
  }, 60_000);

  it('an attestation check in a worker process reads the latest attestation through the monitor', async () => {
    // This test process plays a `pengawas worker`: it must not open PGlite, and asks the recorder instead.
    const forget = configureMonitorAccess(dataDir, { redisUrl: REDIS_URL, prefix });
    try {
      const r = await runCheck(attestationCheck('tabletop-drill', { warnBefore: '30d' }), { dataDir });
      expect(r.status).toBe('pass');
      expect(r.findings[0].evidence).toMatchObject({ attestationId: 2, by: 'Budi', expiresAt: '2099-06-01T17:00:00.000Z' });
      expect(recorder.output()).toMatch(new RegExp(`"op":"latestAttestation","from":\\{"pid":${process.pid},`));
      const none = await runCheck(attestationCheck('partner-agreement'), { dataDir });
      expect(none.findings.map((f) => f.id)).toEqual(['attestation.missing']);
    } finally {
      forget();
    }
  }, 30_000);

  it('waive and evidence build go through the monitor too', async () => {
    const w = await cli(['waive', '--check', 'tls-api', '--reason', 'vendor patch due', '--approver', 'CISO', '--risk', 'low', '--expires', '2099-01-31', '--json']);
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    expect(JSON.parse(w.stdout)).toMatchObject({ checkId: 'tls-api', approver: 'CISO', risk: 'low', expiresAt: '2099-01-31T17:00:00.000Z' });
    expect(recorder.output()).toMatch(/"op":"recordWaiver".*request served/);

    const month = dayOf(new Date(), 'Asia/Jakarta').slice(0, 7);
    const out = path.join(dir, 'pack');
    const b = await cli(['evidence', 'build', '--month', month, '--out', out]);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/built by the running monitor/);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.month).toBe(month);
    expect(existsSync(path.join(out, 'report.html'))).toBe(true);
    // The monitor refuses to overwrite, as the direct path does, and the CLI shows its reason.
    const again = await cli(['evidence', 'build', '--month', month, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/PENGAWAS_EVIDENCE_PACK: .* exists and is not empty/);
    // --force replaces an earlier pack, but over the channel never a folder that holds something else.
    expect((await cli(['evidence', 'build', '--month', month, '--out', out, '--force'])).code).toBe(0);
    const precious = path.join(dir, 'precious');
    mkdirSync(precious);
    writeFileSync(path.join(precious, 'keep.txt'), 'keep');
    const refused = await cli(['evidence', 'build', '--month', month, '--out', precious, '--force']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds no evidence pack/);
    expect(readFileSync(path.join(precious, 'keep.txt'), 'utf8')).toBe('keep');
  }, 90_000);

  it('validates arguments on the serving side and survives garbage', async () => {
    await redis.lpush(keys(prefix).requests, 'not json', JSON.stringify({ v: 1, id: 'short', op: 'info' }), 'x'.repeat(70_000));
    const client = new EvidenceChannelClient({ redisUrl: REDIS_URL, prefix });
    try {
      // Bypasses the client's types the way a hostile or buggy sender would.
      await expect(client.call('recordAttestation', { checkId: 'x', by: 'y', evidenceHash: 'nothex', evidenceRef: 'r', expiresAt: null } as never)).rejects.toThrow(/invalid recordAttestation request: evidenceHash/);
      await expect(client.call('buildPack', { month: '2026-10', outDir: 'relative/dir', lang: 'en' } as never)).rejects.toThrow(/outDir: must be an absolute path/);
      await expect(client.call('info', {})).resolves.toEqual({ timezone: 'Asia/Jakarta', backend: 'pglite' });
    } finally {
      await client.close();
    }
  }, 30_000);

  it('withdraws a request nobody claims, so it is never executed later', async () => {
    const lonely = testPrefix('att-lonely');
    const k = keys(lonely);
    // A heartbeat with nobody behind it: a monitor that just died.
    await redis.set(k.server, JSON.stringify({ pid: 1, host: 'gone', backend: 'pglite', since: new Date().toISOString() }), 'PX', 5000);
    const client = new EvidenceChannelClient({ redisUrl: REDIS_URL, prefix: lonely, claimTimeoutMs: 300 });
    try {
      const t0 = Date.now();
      await expect(client.call('latestAttestation', { checkId: 'x' })).rejects.toThrow(ChannelUnansweredError);
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(await redis.llen(k.requests)).toBe(0);
    } finally {
      await client.close();
      await dropPrefix(lonely);
    }
  }, 30_000);

  it('after the monitor stops, the channel is gone and attest opens the store directly', async () => {
    recorder.kill('SIGTERM');
    const code = await new Promise((r) => recorder.once('exit', r));
    expect(code).toBe(0);
    expect(await redis.get(keys(prefix).server)).toBeNull();
    expect(existsSync(path.join(dataDir, 'evidence', '.pengawas.channel.json'))).toBe(false);
    const r = await cli(['attest', '--check', 'tabletop-drill', '--by', 'Citra', '--evidence', evidenceFile, '--expires', '2099-01-01', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ via: 'direct', supersedes: 2, attestation: { id: 3, by: 'Citra' } });
  }, 60_000);
});
