/**
 * `evidence verify --store` and `evidence verify DIR --store` while a monitor (`pengawas recorder` in a child
 * process) holds the embedded PGlite store: both go through the evidence channel instead of failing on the lock.
 * Also the compareAnchors request's validation. Needs `npm run build`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { EvidenceChannelClient } from '../../src/evidence/channel/client';
import { parseArgs } from '../../src/evidence/channel/operations';
import { keys, MAX_ANCHORED_HEADS } from '../../src/evidence/channel/protocol';
import { EvidenceStore } from '../../src/evidence/store';
import { runCli, startCli } from '../helpers/cli';
import { waitFor } from '../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis';
import { octoberResults, writeAll } from './helpers';

const HASH = 'a'.repeat(64);
const CHECKS_YAML = `checks:
  - id: api-tls
    name: API TLS
    type: http
    element: security
    schedule: { every: 1h }
    timeout: 5s
    target: http://127.0.0.1:9/
`;

describe('compareAnchors request validation', () => {
  const bad = (heads: unknown) => () => parseArgs('compareAnchors', { heads } as never);

  it('accepts stream heads, and refuses bad hashes, seqs, streams, extra fields and too many heads', () => {
    expect(parseArgs('compareAnchors', { heads: [{ stream: '#config', seq: 0, hash: HASH }, { stream: 'api-tls', seq: 12, hash: HASH }] }).heads).toHaveLength(2);
    expect(bad([{ stream: 'api-tls', seq: 1, hash: 'nothex' }])).toThrow(/invalid compareAnchors request: heads\.0\.hash: must be 64 lower-case hex digits/);
    expect(bad([{ stream: 'api-tls', seq: 1, hash: HASH.toUpperCase() }])).toThrow(/heads\.0\.hash/);
    expect(bad([{ stream: 'api-tls', seq: -1, hash: HASH }])).toThrow(/heads\.0\.seq/);
    expect(bad([{ stream: 'api-tls', seq: 1.5, hash: HASH }])).toThrow(/heads\.0\.seq/);
    expect(bad([{ stream: 'api-tls', seq: '1', hash: HASH }])).toThrow(/heads\.0\.seq/);
    expect(bad([{ stream: 'api tls; drop', seq: 1, hash: HASH }])).toThrow(/heads\.0\.stream/);
    expect(bad([{ stream: 'api-tls', seq: 1, hash: HASH, extra: true }])).toThrow(/heads\.0/);
    expect(bad(Array.from({ length: MAX_ANCHORED_HEADS + 1 }, (_, i) => ({ stream: `c${i}`, seq: 1, hash: HASH })))).toThrow(/invalid compareAnchors request: heads/);
    expect(() => parseArgs('compareAnchors', {} as never)).toThrow(/heads/);
    expect(() => parseArgs('verifyStore', { timezone: 'UTC' } as never)).toThrow(/invalid verifyStore request/);
  });
});

describe('evidence verify through a monitor holding the embedded store', () => {
  const prefix = testPrefix('ev-verify-chan');
  let dir: string;
  let dataDir: string;
  let checksDir: string;
  let recorder: ReturnType<typeof startCli>;
  let redis: IORedis;
  const env = () => ({ PENGAWAS_DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL, PENGAWAS_LOG_LEVEL: 'info' });
  const cli = (args: string[]) => runCli([...args, '--checks', checksDir, '--prefix', prefix], { env: { ...env(), PENGAWAS_LOG_LEVEL: 'silent' }, timeoutMs: 60_000 });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-ev-verify-chan-'));
    dataDir = path.join(dir, 'data');
    checksDir = path.join(dir, 'checks');
    mkdirSync(checksDir);
    writeFileSync(path.join(checksDir, 'checks.yaml'), CHECKS_YAML);
    const store = await EvidenceStore.open({ dataDir });
    await writeAll(store, octoberResults().filter((r) => r.checkId === 'api-tls'));
    await store.close();
    redis = new IORedis(REDIS_URL);
    recorder = startCli(['recorder', '--checks', checksDir, '--prefix', prefix, '--metrics-port', '0'], env());
    await waitFor(async () => (await redis.get(keys(prefix).server)) !== null, 30_000);
  }, 90_000);

  afterAll(async () => {
    if (recorder.exitCode === null) {
      recorder.kill('SIGKILL');
      await new Promise((r) => recorder.once('exit', r));
    }
    await dropPrefix(prefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verify --store recomputes the chains in the monitor instead of failing on the lock', async () => {
    const r = await cli(['evidence', 'verify', '--store']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: \d+ chains, (7[4-9]\d|\d{4,}) records, \d+ sealed rollups verified \(pglite\)\n {2}verified by the running monitor/);
    expect(recorder.output()).toMatch(/"op":"verifyStore".*request served/);
    const json = await cli(['evidence', 'verify', '--store', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, problems: [] });
  }, 90_000);

  it('a pack built through the monitor verifies against the store through it too', async () => {
    const out = path.join(dir, 'pack');
    const b = await cli(['evidence', 'build', '--month', '2026-10', '--out', out]);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/built by the running monitor/);
    const v = await cli(['evidence', 'verify', out, '--store']);
    expect(v.stderr).toBe('');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^ok: .*signature valid, \d+ files match manifest\.json\nok: the store \(pglite\) holds the history this pack anchored: (\d+) of \1 chains confirmed/);
    expect(v.stdout).toMatch(/verified by the running monitor/);
    expect(recorder.output()).toMatch(/"op":"checkPack".*request served/);
    const json = await cli(['evidence', 'verify', out, '--store', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, anchor: { ok: true, backend: 'pglite', problems: [] } });
  }, 120_000);

  it('the monitor refuses an invalid compareAnchors request with the reason', async () => {
    const client = new EvidenceChannelClient({ redisUrl: REDIS_URL, prefix });
    try {
      await expect(client.call('compareAnchors', { heads: [{ stream: 'api-tls', seq: 1, hash: 'nothex' }] } as never)).rejects.toThrow(/invalid compareAnchors request: heads\.0\.hash: must be 64 lower-case hex digits/);
      await expect(client.call('compareAnchors', { heads: [{ stream: 'api-tls', seq: 1, hash: HASH }] })).resolves.toMatchObject({ ok: false, streams: 1 });
    } finally {
      await client.close();
    }
  }, 30_000);
});
