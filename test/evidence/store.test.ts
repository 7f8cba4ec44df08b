/** The store on both backends: idempotent writes, hash chains that name the first broken link, waivers, attestations, retention. */
import { EvidenceStoreError } from '../../src/errors';
import { latestAttestation, recordAttestation } from '../../src/evidence/attestations';
import { EvidenceSink } from '../../src/evidence/sink';
import type { EvidenceStore } from '../../src/evidence/store';
import { verifyStore } from '../../src/evidence/verify-store';
import { addWaiver } from '../../src/evidence/waivers';
import type { Check } from '../../src/config/check';
import { BACKENDS, CERT, HOUR, makeEnv, result, TLS10, writeAll, type TestEnv } from './helpers';

const T0 = new Date('2026-10-05T00:00:00Z').getTime();
const series = (checkId: string, n: number, status: (i: number) => 'pass' | 'fail' | 'error' = (i) => (i % 4 === 0 ? 'fail' : 'pass')) =>
  Array.from({ length: n }, (_, i) => result(checkId, 'security', new Date(T0 + i * HOUR), status(i), status(i) === 'fail' ? [TLS10] : []));

const check = (id: string): Check => ({
  id,
  name: id,
  type: 'http',
  element: 'security',
  schedule: { kind: 'every', intervalMs: 60_000 },
  scheduleText: 'every 60s',
  intervalMs: 60_000,
  timeoutMs: 5000,
  target: 'https://x.example',
  options: { expect: { status: 200 }, headers: { Authorization: '${env:API_TOKEN}' } },
  severity: 'high',
  labels: {},
  retries: 1,
  enabled: true,
  source: { file: 'checks/x.yaml' },
});

describe.each(BACKENDS)('evidence store on %s', (backend) => {
  let env: TestEnv;
  let store: EvidenceStore;

  beforeEach(async () => {
    env = await makeEnv(backend);
    store = await env.open();
  });
  afterEach(async () => {
    await store?.close();
    await env?.cleanup();
  });

  const count = async (sql: string, params: unknown[] = []) => Number((await store.db.query<{ n: number }>(sql, params))[0].n);

  it('writes idempotently by result id and keeps a verifiable chain per check', async () => {
    const rs = [...series('a', 30), ...series('b', 20)];
    expect(await store.writeResults(rs.map((result) => ({ result })))).toEqual({ written: 50, duplicates: 0 });
    expect(await store.writeResults(rs.slice(10, 40).map((result) => ({ result })))).toEqual({ written: 0, duplicates: 30 });
    expect(await count(`SELECT CAST(count(*) AS integer) AS n FROM evidence_results`)).toBe(50);
    await store.recordConfig('hash-1', [check('a'), check('b')]);
    expect(await store.recordConfig('hash-1', [check('a'), check('b')])).toBe(false);
    const v = await verifyStore(store.db, store.timezone);
    expect(v).toMatchObject({ ok: true, problems: [], records: 51 });
  });

  it('names the first broken link when a stored row is edited, a body changed or a record deleted', async () => {
    await writeAll(store, [...series('a', 40), ...series('b', 10)]);
    await addWaiver(store, { checkId: 'a', reason: 'r', approver: 'CISO', risk: 'low', expiresAt: new Date(T0 + 20_000 * HOUR) });
    await store.maintain(new Date('2026-10-20T00:00:00Z'));
    expect((await verifyStore(store.db, store.timezone)).ok).toBe(true);

    const victim = result('a', 'security', new Date(T0 + 8 * HOUR), 'fail').id;
    await store.db.query(`UPDATE evidence_results SET status = 'pass', effective_status = 'pass' WHERE result_id = $1`, [victim]);
    let v = await verifyStore(store.db, store.timezone);
    expect(v.problems).toContainEqual({
      table: 'evidence_results',
      where: `stream a seq 9 (result ${victim})`,
      problem: 'column status does not match the hashed record (the row was edited)',
    });
    // A fail turned into a pass also shows in the sealed rollup of that day.
    expect(v.problems.some((p) => p.table === 'evidence_rollups' && p.where === 'check a day 2026-10-05')).toBe(true);
    await store.db.query(`UPDATE evidence_results SET status = 'fail', effective_status = 'fail' WHERE result_id = $1`, [victim]);

    await store.db.query(
      `UPDATE evidence_results SET body = replace(body, '"durationMs":10', '"durationMs":11') WHERE stream = 'b' AND seq = 4`,
    );
    v = await verifyStore(store.db, store.timezone);
    expect(v.problems.filter((p) => p.table === 'evidence_results')).toEqual([
      {
        table: 'evidence_results',
        where: `stream b seq 4 (result ${series('b', 4)[3].id})`,
        problem: 'hash does not match the record body (the record was edited)',
      },
    ]);

    await store.db.query(`DELETE FROM evidence_results WHERE stream = 'a' AND seq = 20`);
    v = await verifyStore(store.db, store.timezone);
    expect(v.problems).toContainEqual({
      table: 'evidence_results',
      where: 'stream a seq 20',
      problem: 'record missing (next record found is seq 21)',
    });

    await store.db.query(`UPDATE evidence_waivers SET expires_at = $1`, [new Date(T0 + 20_000 * HOUR + 365 * 24 * HOUR)]);
    await store.db.query(`UPDATE evidence_rollups SET fails = fails - 1 WHERE check_id = 'b'`);
    v = await verifyStore(store.db, store.timezone);
    expect(v.problems).toContainEqual({
      table: 'evidence_waivers',
      where: 'stream #waivers seq 1',
      problem: 'column expires_at does not match the hashed record (the row was edited)',
    });
    expect(v.problems).toContainEqual({
      table: 'evidence_rollups',
      where: 'check b day 2026-10-05',
      problem: 'seal does not match the rollup (the rollup was edited)',
    });
  });

  it('counts waived findings as waived while the waiver is in force, and as failures after it expires', async () => {
    const at = (h: number) => new Date(T0 + h * HOUR);
    await addWaiver(
      store,
      {
        checkId: 'w',
        findingId: TLS10.id,
        reason: 'vendor fix scheduled',
        approver: 'CISO',
        risk: 'medium',
        startsAt: at(10),
        expiresAt: at(20),
      },
      at(9),
    );
    const rs = [
      result('w', 'security', at(5), 'fail', [TLS10]), // before the waiver
      result('w', 'security', at(12), 'fail', [TLS10]), // during
      result('w', 'security', at(13), 'fail', [TLS10, CERT]), // during, but CERT is not waived
      result('w', 'security', at(14), 'error'), // errors are never waived
      result('w', 'security', at(25), 'fail', [TLS10]), // after expiry
    ];
    await writeAll(store, rs);
    const rows = await store.db.query<{ result_id: string; effective_status: string }>(
      `SELECT result_id, effective_status FROM evidence_results ORDER BY scheduled_at`,
    );
    expect(rows.map((r) => r.effective_status)).toEqual(['fail', 'waived', 'fail', 'error', 'fail']);
    await expect(addWaiver(store, { checkId: 'w', reason: 'x', approver: '', risk: 'low', expiresAt: at(30) })).rejects.toThrow(
      EvidenceStoreError,
    );
    await expect(
      addWaiver(store, { checkId: 'w', reason: 'x', approver: 'me', risk: 'low', startsAt: at(30), expiresAt: at(29) }),
    ).rejects.toThrow(/expiresAt \S+ is not after startsAt \S+/);
  });

  it('keeps attestations append-only; the newest supersedes', async () => {
    expect(await latestAttestation(store, 'drp')).toBeUndefined();
    const first = await recordAttestation(store, {
      checkId: 'drp',
      by: 'Ops lead',
      evidenceHash: 'b'.repeat(64),
      evidenceRef: 'dms://drp/1',
      expiresAt: new Date('2027-01-01T00:00:00Z'),
    });
    const second = await recordAttestation(store, {
      checkId: 'drp',
      by: 'CIO',
      evidenceHash: 'c'.repeat(64),
      evidenceRef: 'dms://drp/2',
      note: 'retest',
    });
    expect(first.id).toBe(1);
    expect(await latestAttestation(store, 'drp')).toEqual(second);
    expect(await count(`SELECT CAST(count(*) AS integer) AS n FROM evidence_attestations`)).toBe(2);
    await expect(recordAttestation(store, { checkId: 'drp', by: 'x', evidenceHash: 'not-a-hash', evidenceRef: 'r' })).rejects.toThrow(
      /SHA-256/,
    );
    expect((await verifyStore(store.db, store.timezone)).ok).toBe(true);
  });

  it('drops raw rows past retention as a chain prefix, keeps sealed rollups, and still verifies', async () => {
    await writeAll(store, series('r', 72)); // Oct 5 00:00Z .. Oct 7 23:00Z
    const out = await store.maintain(new Date('2027-11-20T00:00:00Z'));
    expect(out.prunedRows).toBe(72);
    expect(await count(`SELECT CAST(count(*) AS integer) AS n FROM evidence_results`)).toBe(0);
    expect(await count(`SELECT CAST(sum(runs) AS integer) AS n FROM evidence_rollups WHERE final`)).toBe(72);
    expect((await verifyStore(store.db, store.timezone)).ok).toBe(true);
    await writeAll(store, [result('r', 'security', new Date('2027-11-19T00:00:00Z'), 'pass')]);
    expect((await verifyStore(store.db, store.timezone)).ok).toBe(true);
    await store.db.query(`UPDATE evidence_rollups SET runs = runs + 1 WHERE day = '2026-10-06'`);
    expect((await verifyStore(store.db, store.timezone)).problems.map((p) => p.where)).toEqual(['check r day 2026-10-06']);
  });

  it('re-opens a sealed day when a late result arrives, and re-seals it with the new count', async () => {
    await writeAll(store, series('late', 10));
    await store.maintain(new Date('2026-10-10T00:00:00Z'));
    const runs = () => count(`SELECT runs AS n FROM evidence_rollups WHERE check_id = 'late' AND day = '2026-10-05'`);
    expect(await runs()).toBe(10);
    await store.writeResults([{ result: result('late', 'security', new Date(T0 + 12 * HOUR), 'pass') }], new Date('2026-10-10T01:00:00Z'));
    expect(await count(`SELECT CAST(count(*) AS integer) AS n FROM evidence_rollups WHERE check_id = 'late' AND NOT final`)).toBe(1);
    await store.maintain(new Date('2026-10-10T02:00:00Z'));
    expect(await runs()).toBe(11);
    expect((await verifyStore(store.db, store.timezone)).ok).toBe(true);
  });

  it('the recorder sink group-commits concurrent writes and is idempotent under redelivery', async () => {
    const sink = new EvidenceSink(store, { maintainEveryMs: 0 });
    await sink.recordConfig('cfg-1', [check('s')]);
    const rs = series('s', 300);
    await Promise.all([...rs, ...rs.slice(0, 50)].map((r) => sink.write(r, check('s'))));
    expect(await count(`SELECT CAST(count(*) AS integer) AS n FROM evidence_results WHERE stream = 's'`)).toBe(300);
    const [row] = await store.db.query<{ body: string }>(`SELECT body FROM evidence_results WHERE stream = 's' LIMIT 1`);
    expect(JSON.parse(row.body).configHash).toBe('cfg-1');
    // A result the store cannot take (bad timestamp) rejects alone; the others in its batch are stored.
    const bad = { ...result('s', 'security', new Date(T0 + 400 * HOUR), 'pass'), scheduledAt: 'not a time', id: 's@bad' };
    const good = result('s', 'security', new Date(T0 + 401 * HOUR), 'pass');
    const outcomes = await sink.writeMany([{ result: bad }, { result: good }]);
    expect(outcomes.map((o) => o?.message)).toEqual(['result s@bad has an invalid scheduledAt/startedAt', undefined]);
    expect((await verifyStore(store.db, store.timezone)).ok).toBe(true);
  });

  if (backend === 'sqlite') {
    it('lets a second connection read and write beside an open store, one chain for both', async () => {
      await writeAll(store, series('a', 5));
      const other = await env.open();
      try {
        await writeAll(other, series('a', 8).slice(5));
        await writeAll(store, series('a', 8)); // redelivered: all duplicates now
        const v = await verifyStore(other.db, other.timezone);
        expect(v).toMatchObject({ ok: true, records: 8 });
      } finally {
        await other.close();
      }
    });
  }
});
