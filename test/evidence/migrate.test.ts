/**
 * `pengawas evidence migrate --from DIR`: a PGlite store built with the store's own code (October and September
 * results, a waiver, attestations, sealed rollups, incidents) is copied into SQLite and into PostgreSQL; chains,
 * row counts and the combined chain head match, and `evidence verify --store` passes on the copy. A second run
 * sees the same data and copies nothing; a source whose chain was edited, and a target holding other evidence,
 * are refused and left as they were. Needs `npm run build`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordAttestation } from '../../src/evidence/attestations';
import { chainHeads } from '../../src/evidence/chain';
import { openPglite } from '../../src/evidence/db/pglite';
import { migrateFromPglite } from '../../src/evidence/migrate-pglite';
import { EvidenceStore } from '../../src/evidence/store';
import { addWaiver } from '../../src/evidence/waivers';
import { runCli } from '../helpers/cli';
import { HOUR, makeEnv, octoberResults, result, septemberResults, writeAll, type TestEnv } from './helpers';

const COUNTED = [
  'evidence_results',
  'evidence_rollups',
  'evidence_finding_rollups',
  'evidence_incidents',
  'evidence_waivers',
  'evidence_attestations',
  'evidence_configs',
  'evidence_chain_heads',
];

async function tableCounts(store: EvidenceStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of COUNTED) out[t] = Number((await store.db.query<{ n: number }>(`SELECT CAST(count(*) AS integer) AS n FROM ${t}`))[0].n);
  return out;
}

describe('evidence migrate --from a PGlite store', () => {
  let dir: string;
  let source: string;
  let expected: { head: string; counts: Record<string, number> };
  const withPglite = async <T>(fn: (s: EvidenceStore) => Promise<T>) => {
    const s = await EvidenceStore.openOn(await openPglite(source), { dataDir: dir });
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-migrate-'));
    source = path.join(dir, 'old', 'evidence');
    expected = await withPglite(async (s) => {
      await addWaiver(
        s,
        {
          checkId: 'api-tls',
          reason: 'vendor fix due',
          approver: 'CISO',
          risk: 'low',
          startsAt: new Date('2026-10-05T00:00:00Z'),
          expiresAt: new Date('2026-10-08T00:00:00Z'),
        },
        new Date('2026-10-01T00:00:00Z'),
      );
      await writeAll(s, [...septemberResults(), ...octoberResults()]);
      await recordAttestation(s, {
        checkId: 'drill',
        by: 'Ani',
        evidenceHash: 'a'.repeat(64),
        evidenceRef: 'drill.pdf',
        expiresAt: new Date('2027-01-01T00:00:00Z'),
      });
      await recordAttestation(s, {
        checkId: 'drill',
        by: 'Budi',
        evidenceHash: 'b'.repeat(64),
        evidenceRef: 'drill-v2.pdf',
        expiresAt: null,
      });
      await s.maintain(new Date('2026-11-05T00:00:00Z'));
      return { head: (await chainHeads(s.db)).head, counts: await tableCounts(s) };
    });
    expect(expected.counts.evidence_results).toBeGreaterThan(2000);
    expect(expected.counts.evidence_incidents).toBeGreaterThan(0);
    expect(expected.counts.evidence_rollups).toBeGreaterThan(60);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe.each(['sqlite', 'postgres'] as const)('into %s', (backend) => {
    let env: TestEnv;
    beforeAll(async () => {
      env = await makeEnv(backend);
    });
    afterAll(() => env.cleanup());
    const migrate = (...extra: string[]) =>
      runCli(['evidence', 'migrate', '--from', source, ...extra], {
        env: { PENGAWAS_DATA_DIR: env.dataDir, DATABASE_URL: env.databaseUrl ?? '', PENGAWAS_LOG_LEVEL: 'silent' },
        timeoutMs: 120_000,
      });

    it('copies every record and verifies the chains before and after; the copy works as a store', async () => {
      const r = await migrate('--json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ alreadyMigrated: false, chainHead: expected.head, timezone: 'Asia/Jakarta' });
      const store = await env.open();
      try {
        expect(await tableCounts(store)).toEqual(expected.counts);
        expect((await chainHeads(store.db)).head).toBe(expected.head);
        // The copy is a working store: new results chain on, and incidents get fresh ids.
        await store.writeResults([{ result: result('api-tls', 'security', new Date(Date.UTC(2026, 10, 2)), 'fail') }]);
        await store.writeResults([{ result: result('api-tls', 'security', new Date(Date.UTC(2026, 10, 2) + HOUR), 'pass') }]);
      } finally {
        await store.close();
      }
      const v = await runCli(['evidence', 'verify', '--store'], {
        env: { PENGAWAS_DATA_DIR: env.dataDir, DATABASE_URL: env.databaseUrl ?? '', PENGAWAS_LOG_LEVEL: 'silent' },
      });
      expect(v.code).toBe(0);
      expect(v.stdout).toMatch(
        new RegExp(
          `^ok: \\d+ chains, ${expected.counts.evidence_results + 2 + 1 + 2} records, \\d+ sealed rollups verified \\(${backend}\\)`,
        ),
      );
    }, 180_000);

    it('a second run finds the same chains and copies nothing', async () => {
      const fresh = await makeEnv(backend);
      try {
        const env2 = { PENGAWAS_DATA_DIR: fresh.dataDir, DATABASE_URL: fresh.databaseUrl ?? '', PENGAWAS_LOG_LEVEL: 'silent' };
        expect((await runCli(['evidence', 'migrate', '--from', source], { env: env2, timeoutMs: 120_000 })).code).toBe(0);
        const again = await runCli(['evidence', 'migrate', '--from', source], { env: env2, timeoutMs: 120_000 });
        expect(again.code).toBe(0);
        expect(again.stdout).toMatch(/already holds the 5 chains of .*nothing copied/);
        const store = await fresh.open();
        expect(await tableCounts(store)).toEqual(expected.counts);
        await store.close();
      } finally {
        await fresh.cleanup();
      }
    }, 180_000);

    it('refuses a target that holds other evidence, and leaves it as it was', async () => {
      const other = await makeEnv(backend);
      try {
        const store = await other.open();
        await store.writeResults([{ result: result('unrelated', 'security', new Date('2026-10-01T00:00:00Z'), 'pass') }]);
        const head = (await chainHeads(store.db)).head;
        await store.close();
        const r = await runCli(['evidence', 'migrate', '--from', source], {
          env: { PENGAWAS_DATA_DIR: other.dataDir, DATABASE_URL: other.databaseUrl ?? '', PENGAWAS_LOG_LEVEL: 'silent' },
          timeoutMs: 120_000,
        });
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/refusing to migrate into .*: it already holds other evidence \(1 chains/);
        const again = await other.open();
        expect((await chainHeads(again.db)).head).toBe(head);
        await again.close();
      } finally {
        await other.cleanup();
      }
    }, 120_000);
  });

  it('in place: a monitor refuses to start over the PGlite store until it is migrated beside it', async () => {
    const dataDir = path.dirname(source);
    const err = await EvidenceStore.open({ dataDir }).catch((e: unknown) => e as Error);
    expect(String(err)).toMatch(
      /the evidence folder .*old.evidence holds a PGlite store from an earlier pengawas and no SQLite store yet; copy it first with `pengawas evidence migrate --from /,
    );
    const r = await runCli(['evidence', 'migrate', '--from', source], {
      env: { PENGAWAS_DATA_DIR: dataDir, DATABASE_URL: '', PENGAWAS_LOG_LEVEL: 'silent' },
      timeoutMs: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const store = await EvidenceStore.open({ dataDir });
    try {
      expect(await tableCounts(store)).toEqual(expected.counts);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('refuses a source whose chain does not verify, before writing anything', async () => {
    await withPglite((s) =>
      s.db.run(`UPDATE evidence_results SET status = 'pass', effective_status = 'pass' WHERE stream = 'api-tls' AND seq = 11`),
    );
    const target = await makeEnv('sqlite');
    try {
      let opened = false;
      const err = await migrateFromPglite(source, async (timezone) => {
        opened = true;
        return EvidenceStore.open({ dataDir: target.dataDir, timezone });
      }).catch((e: unknown) => e as Error);
      expect(String(err)).toMatch(
        /refusing to migrate .*: its hash chains do not verify \(\d+ problem\(s\): evidence_results stream api-tls seq 11 .*column status does not match/,
      );
      expect(opened).toBe(false);
    } finally {
      await target.cleanup();
    }
  }, 120_000);
});
