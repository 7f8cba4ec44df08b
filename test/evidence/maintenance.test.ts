/**
 * Maintenance windows in the evidence store, on SQLite and PostgreSQL: recorded and hash-chained in #maintenance,
 * validated with every problem named, applied to results as they are written (effective status `maintenance`, raw
 * status kept, no incident opened, an open incident ended), shown apart in the pack (time in maintenance, runs in
 * maintenance; not fails, not time in failure), and recounted consistently by `evidence verify --store`.
 * The attack: someone edits a window in the database to excuse more time; verification names the record.
 * Data: test/evidence/helpers.ts octoberResults (docs-fresh fails from Oct 10 00:00 to Oct 13 00:00 WIB, hourly).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Check } from '../../src/config/check';
import {
  addMaintenance,
  endMaintenance,
  listMaintenance,
  maintenanceEndStatement,
  maintenanceStatement,
  maintenanceWindowsFor,
  scopeCovers,
  validateMaintenance,
} from '../../src/evidence/maintenance';
import { buildPack } from '../../src/evidence/pack/build';
import { checkPackDir } from '../../src/evidence/pack/check-store';
import { signStatement } from '../../src/evidence/record-checks';
import type { EvidenceStore } from '../../src/evidence/store';
import { startOfDay } from '../../src/evidence/tz';
import { verifyStore } from '../../src/evidence/verify-store';
import { BACKENDS, HOUR, makeEnv, octoberResults, TZ, writeAll, type TestEnv } from './helpers';

const check = (id: string, element: string, labels: Record<string, string> = {}) =>
  ({
    id,
    name: id,
    type: 'http',
    element,
    scheduleText: '@hourly',
    timeoutMs: 1000,
    target: `https://${id}.example`,
    options: {},
    severity: 'high',
    labels,
    retries: 0,
    enabled: true,
  }) as unknown as Check;
const at = (day: string, hours = 0) => new Date(startOfDay(day, TZ).getTime() + hours * HOUR);

describe('maintenance scopes and validation (no store)', () => {
  const now = at('2026-10-09');
  const base = {
    scope: { kind: 'check' as const, value: 'api-tls' },
    startsAt: at('2026-10-10'),
    endsAt: at('2026-10-10', 6),
    reason: 'DB upgrade',
    by: 'sre-budi',
  };

  it('covers by check, element, label and all', () => {
    const c = { id: 'api-tls', element: 'security', labels: { tier: 'gold' } };
    expect(scopeCovers({ kind: 'check', value: 'api-tls' }, c)).toBe(true);
    expect(scopeCovers({ kind: 'check', value: 'api' }, c)).toBe(false);
    expect(scopeCovers({ kind: 'element', value: 'security' }, c)).toBe(true);
    expect(scopeCovers({ kind: 'label', value: 'tier=gold' }, c)).toBe(true);
    expect(scopeCovers({ kind: 'label', value: 'tier=silver' }, c)).toBe(false);
    expect(scopeCovers({ kind: 'label', value: 'toString=x' }, c)).toBe(false);
    expect(scopeCovers({ kind: 'all', value: null }, c)).toBe(true);
  });

  it('names every problem: past start, inverted or over-long window, unknown check, element or label syntax', () => {
    expect(validateMaintenance(base, now, [])).toEqual([
      'scope: checkId "api-tls" is not a check of the configuration in force (0 checks)',
    ]);
    expect(validateMaintenance({ ...base, startsAt: at('2026-10-08') }, now)).toEqual([
      expect.stringMatching(/^startsAt 2026-10-07T17:00:00.000Z is in the past: a window cannot excuse results already recorded$/),
    ]);
    expect(validateMaintenance({ ...base, endsAt: base.startsAt }, now)).toEqual([
      expect.stringMatching(/^endsAt .* is not after startsAt/),
    ]);
    expect(validateMaintenance({ ...base, endsAt: at('2026-10-20') }, now)).toEqual([
      expect.stringMatching(/window is 240\.0 h long; at most 168 h/),
    ]);
    expect(validateMaintenance({ ...base, scope: { kind: 'element', value: 'securty' } }, now)).toEqual([
      expect.stringMatching(/^scope element "securty" is not one of security, /),
    ]);
    expect(validateMaintenance({ ...base, scope: { kind: 'label', value: 'no-equals' } }, now)).toEqual([
      expect.stringMatching(/^scope label "no-equals" must be key=value/),
    ]);
    expect(validateMaintenance({ ...base, reason: ' ', by: '' }, now)).toEqual(['reason must not be blank', 'by must not be blank']);
  });

  it('checks an operator signature over the window', () => {
    const k = generateKeyPairSync('ed25519');
    const signature = signStatement(maintenanceStatement(base), k.privateKey, 'alice');
    expect(validateMaintenance({ ...base, signature }, now)).toEqual([]);
    expect(validateMaintenance({ ...base, endsAt: at('2026-10-10', 9), signature }, now)).toEqual([
      expect.stringMatching(/^signature: the signature by alice .* does not verify/),
    ]);
  });
});

describe.each(BACKENDS)('maintenance windows in the evidence store on %s', (backend) => {
  let env: TestEnv;
  let store: EvidenceStore;
  let tmp: string;

  beforeAll(async () => {
    env = await makeEnv(backend);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pengawas-maint-'));
    store = await env.open();
    await store.recordConfig(
      'cfg-1',
      [check('api-tls', 'security', { tier: 'gold' }), check('pay-latency', 'efficiency'), check('docs-fresh', 'consumer_protection')],
      new Date('2026-09-01T00:00:00Z'),
    );
    // api-tls: 6 hours on Oct 10. consumer_protection: all of Oct 11 planned, ended early at 12:00.
    await addMaintenance(
      store,
      {
        scope: { kind: 'check', value: 'api-tls' },
        startsAt: at('2026-10-10'),
        endsAt: at('2026-10-10', 6),
        reason: 'TLS terminator replaced',
        by: 'sre-budi',
      },
      at('2026-10-09'),
    );
    const w2 = await addMaintenance(
      store,
      {
        scope: { kind: 'element', value: 'consumer_protection' },
        startsAt: at('2026-10-11'),
        endsAt: at('2026-10-12'),
        reason: 'CMS migration',
        by: 'web-sari',
      },
      at('2026-10-09'),
    );
    await endMaintenance(store, { windowId: w2.id, by: 'web-sari' }, at('2026-10-11', 12));
    await writeAll(store, octoberResults());
  }, 240_000);

  afterAll(async () => {
    await store?.close();
    await env?.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('records results inside a window as maintenance, keeping the raw status', async () => {
    const rows = await store.db.query<{ stream: string; status: string; n: number }>(
      `SELECT stream, status, CAST(count(*) AS integer) AS n FROM evidence_results WHERE effective_status = 'maintenance' GROUP BY stream, status ORDER BY stream, status`,
    );
    // api-tls: slots 216..221 (Oct 10 00:00-05:00); slot 220 fails (i % 10 == 0). docs-fresh: Oct 11 00:00-11:00, failing.
    expect(rows.map((r) => ({ ...r, n: Number(r.n) }))).toEqual([
      { stream: 'api-tls', status: 'fail', n: 1 },
      { stream: 'api-tls', status: 'pass', n: 5 },
      { stream: 'docs-fresh', status: 'fail', n: 12 },
    ]);
    const [body] = await store.db.query<{ body: string }>(
      `SELECT body FROM evidence_results WHERE stream = 'docs-fresh' AND effective_status = 'maintenance' ORDER BY seq LIMIT 1`,
    );
    expect(JSON.parse(body.body)).toMatchObject({ effectiveStatus: 'maintenance', maintenanceWindow: 2, result: { status: 'fail' } });
  });

  it('ends an incident where a window begins and opens none inside it', async () => {
    const inc = await store.db.query<{ started_at: Date; ended_at: Date | null }>(
      `SELECT started_at, ended_at FROM evidence_incidents WHERE check_id = 'docs-fresh' ORDER BY started_at`,
    );
    expect(inc.map((i) => [new Date(i.started_at).toISOString(), i.ended_at && new Date(i.ended_at).toISOString()])).toEqual([
      [at('2026-10-10').toISOString(), at('2026-10-11').toISOString()],
      [at('2026-10-11', 12).toISOString(), at('2026-10-13').toISOString()],
    ]);
    // api-tls failed at slot 220 inside its window: no incident there.
    const tls = await store.db.query(`SELECT 1 FROM evidence_incidents WHERE check_id = 'api-tls' AND started_at = $1`, [
      at('2026-10-10', 4),
    ]);
    expect(tls).toEqual([]);
  });

  it('lists windows and returns those of a check and period, clipped (for the gaps report)', async () => {
    const all = await listMaintenance(store.db);
    expect(all.map((w) => [w.id, w.ended?.by ?? null]).slice(-2)).toEqual([
      [2, 'web-sari'],
      [1, null],
    ]);
    const spans = await maintenanceWindowsFor(
      store.db,
      { id: 'docs-fresh', element: 'consumer_protection' },
      at('2026-10-11', 6),
      at('2026-10-31'),
    );
    expect(spans.map((s) => [s.window.id, s.from.toISOString(), s.to.toISOString()])).toEqual([
      [2, at('2026-10-11', 6).toISOString(), at('2026-10-11', 12).toISOString()],
    ]);
    expect(await maintenanceWindowsFor(store.db, { id: 'pay-latency', element: 'efficiency' }, at('2026-10-01'), at('2026-11-01'))).toEqual(
      [],
    );
  });

  it('refuses to end a window twice, an unknown one or one already over', async () => {
    await expect(endMaintenance(store, { windowId: 2, by: 'x' }, at('2026-10-11', 13))).rejects.toThrow(
      /window 2 was already ended at .* by web-sari/,
    );
    await expect(endMaintenance(store, { windowId: 99, by: 'x' })).rejects.toThrow(/no maintenance window 99/);
    await expect(endMaintenance(store, { windowId: 1, by: 'x' }, at('2026-10-20'))).rejects.toThrow(/window 1 is already over/);
  });

  it('a signed window ended (cancelled) before it starts covers nothing and its signatures still verify', async () => {
    const k = generateKeyPairSync('ed25519');
    const w = {
      scope: { kind: 'all' as const, value: null },
      startsAt: at('2026-11-20'),
      endsAt: at('2026-11-20', 4),
      reason: 'network cut-over',
      by: 'noc',
    };
    const added = await addMaintenance(
      store,
      { ...w, signature: signStatement(maintenanceStatement(w), k.privateKey, 'alice') },
      at('2026-11-01'),
    );
    const endAt = at('2026-11-02');
    await endMaintenance(
      store,
      {
        windowId: added.id,
        by: 'noc',
        at: endAt,
        signature: signStatement(maintenanceEndStatement({ windowId: added.id, at: endAt, by: 'noc' }), k.privateKey, 'alice'),
      },
      endAt,
    );
    expect(await maintenanceWindowsFor(store.db, { id: 'pay-latency', element: 'efficiency' }, at('2026-11-01'), at('2026-12-01'))).toEqual(
      [],
    );
    expect((await verifyStore(store.db, store.timezone)).problems).toEqual([]);
  });

  it('the pack shows maintenance time apart from failures and time in failure, and verifies against the store', async () => {
    const out = path.join(tmp, 'pack');
    await buildPack(store, { month: '2026-10', outDir: out, now: new Date('2026-11-05T03:00:00Z') });
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('data-maintenance-check="docs-fresh" data-maintenance-ms="43200000" data-maintenance-runs="12"');
    expect(html).toContain('data-maintenance-check="api-tls" data-maintenance-ms="21600000" data-maintenance-runs="6"');
    // docs-fresh failed 72 hours; 12 of them in maintenance: 60 fails, 60 h in failure.
    expect(html).toMatch(
      /data-check="docs-fresh" data-runs="744" data-passes="672" data-warns="0" data-fails="60" [^>]*data-failure-ms="216000000"/,
    );
    expect(html).toContain('CMS migration');
    const checked = await checkPackDir(store.db, out, store.timezone);
    expect(checked.anchor.ok).toBe(true);
    expect(checked.numbers?.differences).toEqual([]);
    expect((await verifyStore(store.db, store.timezone)).problems).toEqual([]);
  });

  it('an edited window is named by verify --store', async () => {
    await store.db.run(`UPDATE evidence_maintenance SET ends_at = $1 WHERE window_id = 1 AND action = 'add'`, [at('2026-10-10', 12)]);
    const v = await verifyStore(store.db, store.timezone);
    expect(v.problems).toEqual([expect.objectContaining({ table: 'evidence_maintenance', problem: expect.stringMatching(/ends_at/) })]);
  });
});
