/**
 * `pengawas evidence verify DIR --store` on both backends: a pack's chains.json against the store it was built
 * from (and appended to since), against a store whose history was rewritten, truncated or reset, against another
 * store, after retention, and for packs whose chains.json was altered or that predate it. Needs `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { combineHeads } from '../../src/evidence/chain';
import { canonicalJson, GENESIS, linkHash } from '../../src/evidence/hash';
import { buildPack } from '../../src/evidence/pack/build';
import { loadSigningKey, signBytes } from '../../src/evidence/pack/sign';
import { computeRollups } from '../../src/evidence/rollups';
import type { EvidenceStore } from '../../src/evidence/store';
import { startOfDay } from '../../src/evidence/tz';
import { addWaiver } from '../../src/evidence/waivers';
import { runCli } from '../helpers/cli';
import { BACKENDS, HOUR, makeEnv, octoberResults, result, septemberResults, TZ, writeAll, type TestEnv } from './helpers';

const NOW = new Date('2026-11-05T03:00:00Z');

describe.each(BACKENDS)('evidence verify DIR --store on %s', (backend) => {
  let a: TestEnv;
  let b: TestEnv;
  let out: string;
  let packA: string;
  let packB: string;

  // Every store access opens and closes: the CLI must find the embedded PGlite store free.
  const withStore = async <T>(e: TestEnv, fn: (s: EvidenceStore) => Promise<T>): Promise<T> => {
    const s = await e.open();
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };
  const cliEnv = (e: TestEnv) => ({ PENGAWAS_DATA_DIR: e.dataDir, DATABASE_URL: e.databaseUrl ?? '', PENGAWAS_LOG_LEVEL: 'silent' });
  const verify = (e: TestEnv, ...args: string[]) => runCli(['evidence', 'verify', ...args], { env: cliEnv(e), timeoutMs: 60_000 });
  const novemberResults = (checkId: string, n: number) =>
    Array.from({ length: n }, (_, i) => result(checkId, 'security', new Date(startOfDay('2026-11-01', TZ).getTime() + i * HOUR), 'pass'));
  /** Makes a copy look like a pack built before chains.json: the file and its manifest entry gone, re-signed. */
  const dropChainsFile = (
    copy: string,
    e: TestEnv,
    edit: (manifest: { files: Array<{ path: string }>; chain: { head: string; heads?: unknown } }) => void = () => undefined,
  ) => {
    rmSync(path.join(copy, 'chains.json'));
    const manifest = JSON.parse(readFileSync(path.join(copy, 'manifest.json'), 'utf8'));
    manifest.files = manifest.files.filter((f: { path: string }) => f.path !== 'chains.json');
    edit(manifest);
    const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(path.join(copy, 'manifest.json'), bytes);
    writeFileSync(path.join(copy, 'manifest.sig'), `${signBytes(loadSigningKey({ dataDir: e.dataDir }), bytes).toString('base64')}\n`);
    return manifest;
  };
  const copyPack = (from: string, name: string) => {
    const to = path.join(out, name);
    execFileSync('cp', ['-r', from, to]);
    return to;
  };

  beforeAll(async () => {
    [a, b] = [await makeEnv(backend), await makeEnv(backend)];
    out = mkdtempSync(path.join(os.tmpdir(), 'pengawas-anchor-'));
    packA = path.join(out, 'pack-a');
    packB = path.join(out, 'pack-b');
    await withStore(a, async (s) => {
      await addWaiver(
        s,
        {
          checkId: 'docs-fresh',
          findingId: 'document.stale',
          reason: 'in legal review',
          approver: 'CISO',
          risk: 'low',
          startsAt: startOfDay('2026-10-11', TZ),
          expiresAt: startOfDay('2026-10-12', TZ),
        },
        new Date('2026-10-10T12:00:00Z'),
      );
      await writeAll(s, octoberResults());
      await buildPack(s, { month: '2026-10', outDir: packA, now: NOW });
    });
    await withStore(b, async (s) => {
      await writeAll(s, [...septemberResults(), ...octoberResults().filter((r) => r.checkId === 'docs-fresh')]);
      await buildPack(s, { month: '2026-10', outDir: packB, now: NOW });
    });
  }, 180_000);

  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it('writes chains.json: every stream head, listed in the signed manifest, combining to its chain head', () => {
    const chains = JSON.parse(readFileSync(path.join(packA, 'chains.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(path.join(packA, 'manifest.json'), 'utf8'));
    expect(chains.format).toBe('pengawas-evidence-chains/1');
    expect(chains.streams.map((h: { stream: string; seq: number }) => `${h.stream} ${h.seq}`).sort()).toEqual([
      '#signers 1',
      '#waivers 1',
      'api-tls 744',
      'docs-fresh 744',
      'pay-latency 744',
    ]);
    expect(manifest.files.map((f: { path: string }) => f.path)).toContain('chains.json');
    expect(combineHeads(chains.streams)).toBe(manifest.chain.head);
    expect(chains.head).toBe(manifest.chain.head);
  });

  it('passes against the store the pack was built from, and after results are appended to it', async () => {
    // Alone, only the key inside the pack vouches for it: intact, signer unverified (exit 3).
    const alone = await verify(a, packA);
    expect([alone.code, alone.stdout]).toEqual([
      3,
      expect.stringMatching(
        /signature valid, 8 files match manifest\.json\nUNVERIFIED: signed by key sha256 [0-9a-f]{64}, shipped inside the pack/,
      ),
    ]);
    const ok = await verify(a, packA, '--store');
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      new RegExp(
        `ok: the store \\(${backend}\\) holds the history this pack anchored: 5 of 5 chains confirmed through their anchored link \\(2234 records recomputed\\)\\n`,
      ),
    );
    expect(ok.stdout).toMatch(/\nok: signed by key sha256 [0-9a-f]{64}, vouched for by the store's #signers stream\n$/);

    await withStore(a, (s) => writeAll(s, [...novemberResults('api-tls', 5), ...novemberResults('new-check', 3)]));
    const later = await verify(a, packA, '--store');
    expect(later.code).toBe(0);
    expect(later.stdout).toContain(
      '5 of 5 chains confirmed through their anchored link (2234 records recomputed); 1 new stream since the pack',
    );
  }, 90_000);

  it('fails on a pack built from another store', async () => {
    const r = await verify(a, packB, '--store');
    expect(r.code).toBe(1);
    // api-tls exists in both, with other records; B's anchored seq 24 is a different link in A.
    expect(r.stdout).toContain('FAIL stream api-tls seq 24: the store holds another record at the anchored seq');
    const back = await verify(b, packA, '--store');
    expect(back.code).toBe(1);
    expect(back.stdout).toContain('FAIL stream pay-latency seq 744: the store has no such stream');
  }, 90_000);

  it('checks a pack built before chains.json against the heads its signed manifest listed', async () => {
    const copy = copyPack(packA, 'manifest-heads');
    const chains = JSON.parse(readFileSync(path.join(copy, 'chains.json'), 'utf8'));
    dropChainsFile(copy, a, (manifest) => {
      expect(manifest.chain.heads).toBeUndefined(); // new packs keep the heads in chains.json only
      manifest.chain.heads = chains.streams;
    });
    const ok = await verify(a, copy, '--store');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(
      '5 of 5 chains confirmed through their anchored link (2234 records recomputed); 1 new stream since the pack, heads read from manifest.json, as packs built before chains.json list them\n',
    );
    const other = await verify(b, copy, '--store');
    expect(other.code).toBe(1);
    expect(other.stdout).toContain('FAIL stream pay-latency seq 744: the store has no such stream');
  }, 90_000);

  it('names the stream and seq of a record whose hash was altered', async () => {
    const original = await withStore(a, async (s) => {
      const [row] = await s.db.query<{ hash: string }>(`SELECT hash FROM evidence_results WHERE stream = 'api-tls' AND seq = 100`);
      await s.db.query(`UPDATE evidence_results SET hash = $1 WHERE stream = 'api-tls' AND seq = 100`, ['f'.repeat(64)]);
      return row.hash;
    });
    const r = await verify(a, packA, '--store');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^FAIL stream api-tls seq 100 \(result api-tls@[^)]+\): hash does not match the record body \(the record was edited\); the pack anchored seq 744 hash [0-9a-f]{64}, the store has [0-9a-f]{64}\n$/,
    );
    await withStore(a, (s) => s.db.query(`UPDATE evidence_results SET hash = $1 WHERE stream = 'api-tls' AND seq = 100`, [original]));
    expect((await verify(a, packA, '--store')).code).toBe(0);
  }, 90_000);

  it('fails on a chain rewritten so the store is self-consistent (verify --store alone passes)', async () => {
    const { expected, found } = await withStore(a, async (s) => {
      const [row] = await s.db.query<{ body: string; prev_hash: string; hash: string }>(
        `SELECT body, prev_hash, hash FROM evidence_results WHERE stream = 'pay-latency' AND seq = 744`,
      );
      const body = JSON.parse(row.body);
      body.result.target = 'https://elsewhere.example';
      const canonical = canonicalJson(body);
      const hash = linkHash(row.prev_hash, 'pay-latency', 744, canonical);
      await s.db.query(`UPDATE evidence_results SET body = $1, hash = $2 WHERE stream = 'pay-latency' AND seq = 744`, [canonical, hash]);
      await s.db.query(`UPDATE evidence_chain_heads SET hash = $1 WHERE stream = 'pay-latency'`, [hash]);
      await computeRollups(s.db, ['2026-10-31'], true); // the day's rollup keeps the last hash: reseal it too
      return { expected: row.hash, found: hash };
    });
    const store = await verify(a, '--store');
    expect([store.code, store.stdout]).toEqual([0, expect.stringMatching(/^ok: 6 chains/)]);
    const r = await verify(a, packA, '--store');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      `FAIL stream pay-latency seq 744: the store holds another record at the anchored seq (history rewritten, or a pack of another store); the pack anchored seq 744 hash ${expected}, the store has ${found}\n`,
    );
  }, 90_000);

  it('fails on a chain truncated or reset after the pack', async () => {
    await withStore(a, async (s) => {
      await s.db.query(`DELETE FROM evidence_results WHERE stream = 'docs-fresh' AND seq > 500`);
      await s.db.query(
        `UPDATE evidence_chain_heads SET seq = 500, hash = (SELECT hash FROM evidence_results WHERE stream = 'docs-fresh' AND seq = 500) WHERE stream = 'docs-fresh'`,
      );
      await s.db.query(`DELETE FROM evidence_waivers`);
      await s.db.query(`UPDATE evidence_chain_heads SET seq = 0, hash = $1 WHERE stream = '#waivers'`, [GENESIS]);
    });
    const r = await verify(a, packA, '--store');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "FAIL stream docs-fresh seq 744: the store's chain ends at seq 500, before the anchored link (chain truncated or reset); the pack anchored seq 744 hash ",
    );
    expect(r.stdout).toContain('the store has no record at that seq');
    expect(r.stdout).toContain("FAIL stream #waivers seq 1: the store's chain ends at seq 0");
  }, 90_000);

  it('notes links dropped by retention as pruned, cannot confirm, and confirms the pruning point', async () => {
    await withStore(b, async (s) => {
      await writeAll(s, novemberResults('api-tls', 10));
      expect((await s.maintain(new Date('2027-12-31T00:00:00Z'))).prunedRows).toBe(24 + 10 + 744);
    });
    const r = await verify(b, packB, '--store');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('note stream api-tls seq 24: pruned, cannot confirm: retention dropped records through seq 34\n');
    // #signers (1 record) is confirmed by recomputing; docs-fresh at its pruning point; api-tls cannot be.
    expect(r.stdout).toContain('2 of 3 chains confirmed through their anchored link (1 records recomputed); 1 pruned (cannot confirm)\n');
    expect(r.stdout).toContain(
      'note: 2 check(s) had records dropped by retention (api-tls, docs-fresh): their rows, the totals and the element totals were not recounted\n',
    );
  }, 120_000);

  it('names chains.json when it was altered after signing', async () => {
    const copy = copyPack(packB, 'altered-chains');
    const file = path.join(copy, 'chains.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"seq": 24', '"seq": 23'));
    const r = await verify(b, copy, '--store');
    expect([r.code, r.stdout]).toEqual([1, 'FAIL chains.json: SHA-256 does not match manifest.json (the file was altered)\n']);
  }, 60_000);

  it('says a pack without chains.json predates anchoring, and exits 3 when only the key inside it vouches for it', async () => {
    const copy = copyPack(packB, 'before-anchoring');
    const manifest = dropChainsFile(copy, b);
    const r = await verify(b, copy, '--store');
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      new RegExp(
        `^ok: ${copy}: signature valid, 7 files match manifest\\.json\\n` +
          `note: this pack predates chain anchoring \\(no chains\\.json\\): only its combined chain head ${manifest.chain.head} \\(3 streams\\) is recorded, and it is not compared with the store\\n` +
          'UNVERIFIED: signed by key sha256 [0-9a-f]{64}, shipped inside the pack',
      ),
    );
    const pub = path.join(out, 'b.pub');
    writeFileSync(pub, readFileSync(path.join(packB, 'public-key.pem')));
    expect((await verify(b, copy, '--store', '--pubkey', pub)).code).toBe(0);
  }, 60_000);
});
