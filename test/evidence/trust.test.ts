/**
 * Who signed a pack, checked with a key from outside it, and whether its figures are the chained history's, on
 * each backend, run the way an attacker would: a pack edited, re-hashed and re-signed with a fresh key and a
 * swapped public-key.pem; a result row's effective_status altered with raw SQL (build refuses to sign), or
 * altered long enough for the rollups to be sealed and then put back (verify DIR --store names the figure);
 * and key rotation. Needs `npm run build` (the CLI runs from dist/).
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256Hex } from '../../src/evidence/hash';
import { buildPack } from '../../src/evidence/pack/build';
import { fingerprintOf, signBytes, type SigningKey } from '../../src/evidence/pack/sign';
import { listSigners } from '../../src/evidence/pack/signers';
import type { EvidenceStore } from '../../src/evidence/store';
import { runCli } from '../helpers/cli';
import { BACKENDS, makeEnv, octoberResults, septemberResults, writeAll, type TestEnv } from './helpers';

const NOW = new Date('2026-11-05T03:00:00Z');

function keyPair(dir: string, name: string): { keyFile: string; pubFile: string; fingerprint: string; privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyFile = path.join(dir, `${name}.key`);
  const pubFile = path.join(dir, `${name}.pub`);
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
  return { keyFile, pubFile, fingerprint: fingerprintOf(publicKey), privateKey };
}

/** The forger's edit: a file changed, its manifest entry re-hashed, the manifest re-signed by a fresh key whose public half replaces public-key.pem. */
function forge(
  pack: string,
  file: string,
  edit: (text: string) => string,
  fresh: { privateKey: KeyObject; pubFile: string; fingerprint: string },
): void {
  const p = path.join(pack, file);
  const changed = Buffer.from(edit(readFileSync(p, 'utf8')));
  writeFileSync(p, changed);
  const pem = readFileSync(fresh.pubFile);
  writeFileSync(path.join(pack, 'public-key.pem'), pem);
  const manifest = JSON.parse(readFileSync(path.join(pack, 'manifest.json'), 'utf8'));
  for (const f of manifest.files) {
    const buf = readFileSync(path.join(pack, f.path));
    Object.assign(f, { sha256: sha256Hex(buf), bytes: buf.length });
  }
  manifest.signature.publicKeySha256 = fresh.fingerprint;
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(pack, 'manifest.json'), bytes);
  const key = { privateKey: fresh.privateKey } as SigningKey;
  writeFileSync(path.join(pack, 'manifest.sig'), `${signBytes(key, bytes).toString('base64')}\n`);
}

describe.each(BACKENDS)('evidence origin and figures on %s', (backend) => {
  let env: TestEnv;
  let tmp: string;
  let operator: ReturnType<typeof keyPair>;
  let pack: string;

  const withStore = async <T>(fn: (s: EvidenceStore) => Promise<T>, e = env): Promise<T> => {
    const s = await e.open();
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };
  const cli = (args: string[], e = env) =>
    runCli(args, {
      env: { PENGAWAS_DATA_DIR: e.dataDir, DATABASE_URL: e.databaseUrl ?? '', PENGAWAS_LOG_LEVEL: 'silent' },
      timeoutMs: 90_000,
    });
  const copy = (name: string) => {
    const to = path.join(tmp, name);
    execFileSync('cp', ['-r', pack, to]);
    return to;
  };

  beforeAll(async () => {
    env = await makeEnv(backend);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pengawas-trust-'));
    operator = keyPair(tmp, 'operator');
    pack = path.join(tmp, 'pack');
    await withStore(async (s) => {
      await writeAll(s, [...septemberResults(), ...octoberResults()]);
      await buildPack(s, { month: '2026-10', outDir: pack, keyFile: operator.keyFile, now: NOW });
    });
  }, 240_000);

  afterAll(async () => {
    await env?.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('verifies origin only with a key from outside the pack: --pubkey, a trusted key in the settings, or the store', async () => {
    const bare = await cli(['evidence', 'verify', pack]);
    expect(bare.code).toBe(3);
    expect(bare.stdout).toContain(`UNVERIFIED: signed by key sha256 ${operator.fingerprint}, shipped inside the pack`);
    const byKey = await cli(['evidence', 'verify', pack, '--pubkey', operator.pubFile]);
    expect([byKey.code, byKey.stdout]).toEqual([
      0,
      expect.stringContaining(`ok: signed by key sha256 ${operator.fingerprint}, vouched for by --pubkey`),
    ]);
    const config = path.join(tmp, 'settings.yaml');
    writeFileSync(config, `evidence:\n  trustedPackKeys:\n    - name: compliance-2026\n      sha256: ${operator.fingerprint}\n`);
    const bySettings = await cli(['evidence', 'verify', pack, '--config', config]);
    expect([bySettings.code, bySettings.stdout]).toEqual([
      0,
      expect.stringContaining('vouched for by trusted pack key "compliance-2026" in the settings'),
    ]);
    const byStore = await cli(['evidence', 'verify', pack, '--store']);
    expect(byStore.stderr).toBe('');
    expect(byStore.code).toBe(0);
    expect(byStore.stdout).toContain(
      `ok: the store lists the signing key sha256 ${operator.fingerprint} among its pack signers (first used for the 2026-10 pack)`,
    );
    expect(byStore.stdout).toMatch(
      /ok: \d+ figures of results\.csv, findings\.csv, incidents\.csv and the manifest's totals equal the recount/,
    );
  }, 240_000);

  it('catches a pack edited, re-hashed and re-signed with a fresh key and a swapped public-key.pem', async () => {
    const forged = copy('forged');
    const fresh = keyPair(tmp, 'forger');
    // findings.csv: api-tls's TLS 1.0 finding had 76 occurrences in October; the forger claims 7.
    forge(forged, 'findings.csv', (t) => t.replace(/(api-tls,security,tls\.protocol\.tls1_0_enabled,high,fail,)76,/, '$17,'), fresh);
    expect(readFileSync(path.join(forged, 'findings.csv'), 'utf8')).toContain('tls1_0_enabled,high,fail,7,');
    const bare = await cli(['evidence', 'verify', forged]);
    expect(bare.code).toBe(3); // was "ok: signature valid", exit 0
    expect(bare.stdout).toContain(`UNVERIFIED: signed by key sha256 ${fresh.fingerprint}`);
    const byKey = await cli(['evidence', 'verify', forged, '--pubkey', operator.pubFile]);
    expect(byKey.code).toBe(1);
    expect(byKey.stdout).toContain('FAIL');
    const config = path.join(tmp, 'settings-forged.yaml');
    writeFileSync(config, `evidence:\n  trustedPackKeys:\n    - name: ops\n      file: ${operator.pubFile}\n`);
    const bySettings = await cli(['evidence', 'verify', forged, '--config', config]);
    expect(bySettings.code).toBe(3);
    expect(bySettings.stdout).toContain(
      `signed by key sha256 ${fresh.fingerprint}, which is none of the 1 trusted pack keys in the settings`,
    );
    const byStore = await cli(['evidence', 'verify', forged, '--store']);
    expect(byStore.code).toBe(1);
    expect(byStore.stdout).toContain(
      `FAIL signer: the pack was signed by key sha256 ${fresh.fingerprint}, which the store never recorded as a pack signer (it lists ${operator.fingerprint} from 2026-10)`,
    );
    expect(byStore.stdout).toContain(
      'FAIL findings.csv check api-tls finding tls.protocol.tls1_0_enabled: occurrences: the pack says 7, the chained history gives 76',
    );
  }, 240_000);

  it('refuses to build over a result row altered with SQL, naming the stream and seq', async () => {
    const [row] = await withStore((s) =>
      s.db.query<{ seq: number }>(
        `SELECT seq FROM evidence_results WHERE stream = $1 AND effective_status = $2 AND day = $3 ORDER BY seq LIMIT 1`,
        ['api-tls', 'fail', '2026-10-05'],
      ),
    );
    const seq = Number(row.seq);
    await withStore((s) =>
      s.db.query(`UPDATE evidence_results SET effective_status = $1 WHERE stream = $2 AND seq = $3`, ['pass', 'api-tls', seq]),
    );
    const out = path.join(tmp, 'refused');
    const built = await cli(['evidence', 'build', '--month', '2026-10', '--out', out, '--key', operator.keyFile]);
    expect(built.code).not.toBe(0);
    expect(built.stderr).toContain(`refusing to sign the 2026-10 pack: the store's hash chains do not verify: stream api-tls seq ${seq}`);
    expect(built.stderr).toContain('column effective_status does not match the hashed record');
    expect(() => readFileSync(path.join(out, 'manifest.json'))).toThrow();
    await withStore((s) =>
      s.db.query(`UPDATE evidence_results SET effective_status = $1 WHERE stream = $2 AND seq = $3`, ['fail', 'api-tls', seq]),
    );
  }, 240_000);

  it('names the figures of a pack built from rollups sealed while a row was altered, after the row was put back', async () => {
    // A fresh store, so October's rollups are first sealed while the row is altered (the monitor seals hourly).
    const e = await makeEnv(backend);
    try {
      let seq = 0;
      const out = path.join(tmp, 'tampered');
      await withStore(async (s) => {
        await writeAll(s, [...septemberResults(), ...octoberResults()]);
        [{ seq }] = await s.db.query<{ seq: number }>(
          `SELECT seq FROM evidence_results WHERE stream = $1 AND effective_status = $2 AND day = $3 ORDER BY seq LIMIT 1`,
          ['api-tls', 'fail', '2026-10-05'],
        );
        await s.db.query(`UPDATE evidence_results SET effective_status = $1 WHERE stream = $2 AND seq = $3`, [
          'pass',
          'api-tls',
          Number(seq),
        ]);
        await s.maintain(NOW);
        await s.db.query(`UPDATE evidence_results SET effective_status = $1 WHERE stream = $2 AND seq = $3`, [
          'fail',
          'api-tls',
          Number(seq),
        ]);
        await buildPack(s, { month: '2026-10', outDir: out, keyFile: operator.keyFile, now: NOW });
      }, e);
      const results = readFileSync(path.join(out, 'results.csv'), 'utf8');
      expect(results).toMatch(/\r\n2026-10-05,api-tls,security,http,24,23,0,1,0,0,0\.958333,/);
      const v = await cli(['evidence', 'verify', out, '--store'], e);
      expect(v.code).toBe(1);
      expect(v.stdout).toContain('FAIL results.csv day 2026-10-05 check api-tls: pass: the pack says 23, the chained history gives 22');
      expect(v.stdout).toContain('FAIL results.csv day 2026-10-05 check api-tls: fail: the pack says 1, the chained history gives 2');
      expect(v.stdout).toContain('FAIL manifest.json totals.fails: the pack says 147, the chained history gives 148');
      expect(v.stdout).toMatch(/FAIL manifest\.json totals\.passRate: the pack says 0\.\d{6}, the chained history gives 0\.\d{6}/);
      expect(v.stdout).toMatch(/FAIL manifest\.json elements\.security\.passRate: /);
      // The chains themselves verify and the store lists the signer: only the recount shows the numbers are wrong.
      const json = JSON.parse((await cli(['evidence', 'verify', out, '--store', '--json'], e)).stdout);
      expect(json).toMatchObject({
        ok: false,
        exitCode: 1,
        anchor: { ok: true, problems: [] },
        signer: { listed: true },
        numbers: { ok: false },
      });
      expect(json.numbers.differences).toHaveLength(9);
      expect(json.numbers.differences[0]).toEqual({
        file: 'results.csv',
        figure: 'day 2026-10-05 check api-tls: pass',
        pack: '23',
        recomputed: '22',
      });
    } finally {
      await e.cleanup();
    }
  }, 300_000);

  it('rotates keys: the new key signs new packs, old packs still verify with the old key, the store lists both', async () => {
    const next = keyPair(tmp, 'operator-2027');
    const newer = path.join(tmp, 'pack-rotated');
    await withStore((s) =>
      buildPack(s, { month: '2026-10', outDir: newer, keyFile: next.keyFile, now: new Date(NOW.getTime() + 3_600_000) }),
    );
    expect((await cli(['evidence', 'verify', newer, '--pubkey', next.pubFile])).code).toBe(0);
    expect((await cli(['evidence', 'verify', newer, '--pubkey', operator.pubFile])).code).toBe(1);
    expect((await cli(['evidence', 'verify', pack, '--pubkey', operator.pubFile])).code).toBe(0);
    const signers = await withStore((s) => listSigners(s.db));
    expect(signers.map((k) => k.fingerprint)).toEqual([operator.fingerprint, next.fingerprint]);
    for (const p of [pack, newer]) {
      const v = await cli(['evidence', 'verify', p, '--store']);
      expect([p, v.code]).toEqual([p, 0]);
    }
    const listed = await cli(['evidence', 'signers', '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((k: { fingerprint: string }) => k.fingerprint)).toEqual([operator.fingerprint, next.fingerprint]);
  }, 240_000);
});
