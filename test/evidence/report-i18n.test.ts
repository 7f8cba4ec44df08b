/**
 * The report an Indonesian auditor reads (issue 18 item 5): `--lang id` is Indonesian throughout, except proper names
 * and ids; durations in units; no path of the build machine; waived runs under one stated definition; a finding id
 * counted once per result; CSVs with a UTF-8 BOM that verify and recount. Built on both backends.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Check } from '../../src/config/check';
import { parseChecksFile } from '../../src/config/load';
import { recordAttestation } from '../../src/evidence/attestations';
import { migrate } from '../../src/evidence/db/migrations';
import { buildPack } from '../../src/evidence/pack/build';
import { checkPackDir } from '../../src/evidence/pack/check-store';
import { FINDING_CATALOGUE } from '../../src/evidence/pack/finding-catalogue';
import { configDuration, displayPath, durationText } from '../../src/evidence/pack/format';
import { LABELS } from '../../src/evidence/pack/i18n';
import { verifyPack } from '../../src/evidence/pack/verify';
import type { EvidenceStore } from '../../src/evidence/store';
import { startOfDay } from '../../src/evidence/tz';
import { verifyChains, verifyStore } from '../../src/evidence/verify-store';
import { addWaiver } from '../../src/evidence/waivers';
import type { Finding } from '../../src/results/contract';
import { BACKENDS, HOUR, makeEnv, result, TLS10, TZ, writeAll, type TestEnv } from './helpers';

const NOW = new Date('2026-11-05T03:00:00Z');
const DOCS = '/srv/pengawas';

const check = (id: string, over: Partial<Check>): Check => ({
  id,
  name: id,
  type: 'tls',
  element: 'security',
  schedule: { kind: 'every', intervalMs: HOUR },
  scheduleText: 'every 3600s',
  intervalMs: HOUR,
  timeoutMs: 10_000,
  target: 'api.example.co.id:443',
  options: {},
  severity: 'high',
  labels: {},
  retries: 1,
  enabled: true,
  source: { file: 'checks/x.yaml' },
  ...over,
});

const CHECKS: Check[] = [
  check('api-tls', {
    description: 'The payment API accepts only current TLS versions.',
    descriptionId: 'API pembayaran hanya menerima versi TLS yang mutakhir.',
    options: { maxHandshakeMs: 2500 },
  }),
  check('idp-mfa', {
    type: 'mfa',
    target: 'https://idp.example.co.id/realms/pay',
    description: 'Every login flow demands a second factor.',
    descriptionId: 'Setiap alur login mewajibkan faktor kedua.',
    options: { requestTimeout: 10_000 },
  }),
  check('doc-bcp', {
    type: 'freshness',
    element: 'sustainability',
    target: `file:${DOCS}/docs/bcp.md`,
    severity: 'medium',
    description: 'The BCP/DRP is reviewed within a year.',
    descriptionId: 'BCP/DRP ditinjau paling lambat setahun sekali.',
    options: {
      maxAge: 31_536_000_000,
      warnBefore: 30 * 86_400_000,
      evidenceCopy: '/home/builder/tmp/exports/bcp-signed.pdf',
      dateField: 'reviewed',
    },
  }),
];

/** One Keycloak result reports mfa.flow_not_enforced once per flow (browser, direct grant): it must count once. */
const flowFinding = (scope: string): Finding => ({
  id: 'mfa.flow_not_enforced',
  severity: 'high',
  status: 'fail',
  message: `flow "${scope}" does not demand a second factor`,
  evidence: { scope },
});

function octoberResults() {
  const start = startOfDay('2026-10-01', TZ).getTime();
  const out = [];
  for (let i = 0; i < 48; i++) {
    const slot = new Date(start + i * HOUR);
    const tlsFail = i % 6 === 0;
    out.push(result('api-tls', 'security', slot, tlsFail ? 'fail' : 'pass', tlsFail ? [TLS10] : []));
    const mfaFail = i < 8;
    out.push({
      ...result(
        'idp-mfa',
        'security',
        slot,
        mfaFail ? 'fail' : 'pass',
        mfaFail ? [flowFinding('browser'), flowFinding('direct_grant')] : [],
      ),
      type: 'mfa',
    });
    out.push({ ...result('doc-bcp', 'sustainability', slot, 'pass'), type: 'freshness' });
  }
  return out;
}

/** The visible text of a report: no style, no tags, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<title>[\s\S]*?<\/title>/g, (t) => ` ${t} `)
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

const escRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe.each(BACKENDS)('evidence report languages on %s', (backend) => {
  let env: TestEnv;
  let store: EvidenceStore;
  let out: string;
  const html: Record<'en' | 'id', string> = { en: '', id: '' };

  beforeAll(async () => {
    env = await makeEnv(backend);
    store = await env.open();
    out = mkdtempSync(path.join(os.tmpdir(), 'pengawas-i18n-'));
    await store.recordConfig('cfg-oct', CHECKS, new Date('2026-09-30T00:00:00Z'));
    // api-tls's TLS 1.0 finding is waived on Oct 2 (WIB): its 4 failing runs that day are Waived, not Fail.
    await addWaiver(
      store,
      {
        checkId: 'api-tls',
        findingId: 'tls.protocol.tls1_0_enabled',
        reason: 'migrasi klien lama hingga akhir bulan',
        approver: 'CISO',
        risk: 'medium',
        startsAt: startOfDay('2026-10-02', TZ),
        expiresAt: startOfDay('2026-10-03', TZ),
      },
      new Date('2026-10-01T12:00:00Z'),
    );
    await recordAttestation(
      store,
      {
        checkId: 'doc-bcp',
        by: 'Kepala Operasional TI',
        evidenceHash: 'b'.repeat(64),
        evidenceRef: '/home/ci/evidence/drp/2026-q3.pdf',
        expiresAt: new Date('2027-01-01T00:00:00Z'),
        note: 'uji DRP triwulan III',
      },
      new Date('2026-10-03T02:00:00Z'),
    );
    await writeAll(store, octoberResults());
    for (const lang of ['en', 'id'] as const) {
      await buildPack(store, { month: '2026-10', outDir: path.join(out, lang), lang, now: NOW, docsRoot: DOCS });
      html[lang] = readFileSync(path.join(out, lang, 'report.html'), 'utf8');
    }
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await env?.cleanup();
    rmSync(out, { recursive: true, force: true });
  });

  it('writes the Indonesian report without English labels, finding messages, severities or sentences', () => {
    const text = visibleText(html.id);
    expect(html.id).toContain('<html lang="id">');
    // Every English label that differs from its Indonesian one (and is not part of one) is absent.
    const idTexts = Object.values(LABELS)
      .map((l) => l.id)
      .join('\n');
    const english = Object.values(LABELS)
      .map((l) => l.en)
      .filter((en) => !idTexts.includes(en));
    expect(english.length).toBeGreaterThan(100);
    expect(english.filter((en) => new RegExp(`(^|\\W)${escRe(en)}($|\\W)`).test(text))).toEqual([]);
    // The catalogue's English messages are absent, its Indonesian ones present (the finding ids stay: they are ids).
    expect(
      Object.values(FINDING_CATALOGUE)
        .map((m) => m.en)
        .filter((en) => text.includes(en)),
    ).toEqual([]);
    expect(text).toContain(FINDING_CATALOGUE['mfa.flow_not_enforced'].id);
    expect(text).toContain(FINDING_CATALOGUE['tls.protocol.tls1_0_enabled'].id);
    expect(text).toContain('mfa.flow_not_enforced');
    // The probes' own English messages stay in findings.csv only.
    expect(text).not.toContain('does not demand a second factor');
    expect(readFileSync(path.join(out, 'id', 'findings.csv'), 'utf8')).toContain('does not demand a second factor');
    // Severities and common English words: none. (Proper names here: pengawas, Chromium, OCSF Compliance Finding, SHA-256.)
    expect(
      text.match(
        /\b(critical|high|medium|low|every|the|and|of|is|are|was|not|with|from|this|that|which|has|been|for|by|to|in|on|no)\b/gi,
      ) ?? [],
    ).toEqual([]);
    // Descriptions from description_id; the English ones absent.
    expect(text).toContain('Setiap alur login mewajibkan faktor kedua.');
    expect(text).not.toContain('Every login flow demands a second factor.');
  });

  it('names the regulations by their published Indonesian titles in Indonesian, by number and subject in English', () => {
    const text = visibleText(html.id);
    expect(text).toContain('Peraturan Bank Indonesia Nomor 22/23/PBI/2020 tentang Sistem Pembayaran');
    expect(text).toContain('Peraturan Anggota Dewan Gubernur Nomor 24 Tahun 2024 tentang Keamanan Sistem Informasi dan Ketahanan Siber');
    expect(text).not.toContain('PBI No. 2 of 2024');
    const en = visibleText(html.en);
    expect(en).toContain('PBI No. 2 of 2024 and PADG No. 24 of 2024 — Information-system security and cyber resilience (KKS)');
    expect(en).not.toContain('Peraturan Bank Indonesia Nomor');
    // The English report carries no Indonesian label either.
    const enTexts = Object.values(LABELS)
      .map((l) => l.en)
      .join('\n');
    const indonesian = Object.values(LABELS)
      .map((l) => l.id)
      .filter((id) => !enTexts.includes(id));
    expect(indonesian.filter((id) => new RegExp(`(^|\\W)${escRe(id)}($|\\W)`).test(en))).toEqual([]);
    expect(en).toContain('Every login flow demands a second factor.');
    expect(en).toContain(FINDING_CATALOGUE['mfa.flow_not_enforced'].en);
    // The probe's detail, in English only: from the latest result, its first instance of the id (the same on both backends).
    expect(en).toContain('flow "browser" does not demand a second factor');
  });

  it('shows durations in units and no path of the build machine', () => {
    for (const lang of ['en', 'id'] as const) {
      const text = visibleText(html[lang]);
      expect(text).toContain('maxAge: 365 d');
      expect(text).toContain('warnBefore: 30 d');
      expect(text).toContain('requestTimeout: 10 s');
      expect(text).toContain('maxHandshakeMs: 2500 ms');
      expect(text).toContain(`${LABELS.every[lang]} 1 h`);
      expect(text).toContain(`${LABELS.timeout[lang]} 10 s`);
      expect(text).not.toMatch(/31536000000|2592000000|\b3600s\b/);
      // Inside the documents root: relative; elsewhere: only the last two segments.
      expect(text).toContain('file:docs/bcp.md');
      expect(text).toContain('evidenceCopy: …/exports/bcp-signed.pdf');
      expect(text).toContain('…/drp/2026-q3.pdf');
      expect(html[lang]).not.toMatch(/\/srv\/|\/home\/|\/tmp\//);
      expect(html[lang]).not.toContain(out);
    }
  });

  it('counts waived runs in Waived only, and includes them in first/last failure and time in failure, as stated', () => {
    const row = /<tr data-check="api-tls"[^>]*>/.exec(html.id)![0];
    const attr = (n: string) => new RegExp(`data-${n}="([^"]*)"`).exec(row)![1];
    // Failing slots 0, 6, ..., 42 (8 runs); slots 24..47 are Oct 2 WIB where 4 of them (24, 30, 36, 42) are waived.
    expect([attr('runs'), attr('fails'), attr('waived')]).toEqual(['48', '4', '4']);
    // Time in failure = 8 one-hour incidents, the waived ones included.
    expect(attr('failure-ms')).toBe(String(8 * HOUR));
    const text = visibleText(html.id);
    expect(html.id).toContain('data-waived-definition="true"');
    expect(text).toContain(LABELS.waivedDefinition.id);
    expect(text).toContain(LABELS.failUnwaived.id);
    // Last failure is slot 42 (Oct 2, 18:00 WIB), a waived run.
    const cells = /<tr data-check="api-tls"[\s\S]*?<\/tr>/.exec(html.id)![0];
    expect(cells).toContain('2026-10-01 00:00<br>2026-10-02 18:00');
  });

  it('counts a finding id once per result, even when one result carries it per flow', async () => {
    const row = /<tr data-finding="idp-mfa\/mfa\.flow_not_enforced"[^>]*>/.exec(html.id)![0];
    expect(row).toContain('data-occurrences="8"');
    expect(readFileSync(path.join(out, 'id', 'findings.csv'), 'utf8')).toMatch(/idp-mfa,security,mfa\.flow_not_enforced,high,fail,8,0,/);
    // The stored rollups still verify, and an independent recount from the chained bodies gives the same figures.
    expect((await verifyChains(store.db, TZ)).problems).toEqual([]);
    const check = await checkPackDir(store.db, path.join(out, 'id'), TZ);
    expect(check.numbers?.differences).toEqual([]);
    expect(check.numbers?.ok).toBe(true);
  });

  it('recounts finding rollups stored under the old per-instance rule when the store is migrated', async () => {
    // A store written before this version counted each instance: 16 for 8 results. verify flags the derived figure...
    await store.db.run(`UPDATE evidence_finding_rollups SET occurrences = 2 * occurrences WHERE check_id = 'idp-mfa'`);
    expect((await verifyStore(store.db, TZ)).problems.map((p) => p.problem)).toContain('occurrences differs from the stored results');
    // ...and migration 7 recomputes it from the raw results.
    await store.db.run(`DELETE FROM evidence_migrations WHERE version = 7`);
    expect(await migrate(store.db)).toBe(1);
    const [row] = await store.db.query<{ n: number }>(
      `SELECT sum(occurrences) AS n FROM evidence_finding_rollups WHERE check_id = 'idp-mfa'`,
    );
    expect(Number(row.n)).toBe(8);
    expect((await verifyStore(store.db, TZ)).problems).toEqual([]);
  });

  it('writes CSV files with a UTF-8 BOM that verify', () => {
    for (const name of ['results.csv', 'findings.csv', 'incidents.csv', 'coverage.csv']) {
      const buf = readFileSync(path.join(out, 'id', name));
      expect([name, buf.subarray(0, 3).toString('hex')]).toEqual([name, 'efbbbf']);
    }
    expect(verifyPack(path.join(out, 'id'))).toMatchObject({ ok: true, problems: [] });
  });
});

describe('check descriptions in YAML', () => {
  const load = (yaml: string) => {
    const problems: Array<{ field?: string; message: string; line?: number }> = [];
    const checks = parseChecksFile('checks/pay.yaml', yaml, { cwd: '/', env: {} } as never, problems as never);
    return { checks, problems };
  };
  const base = `checks:\n  - id: pay-api\n    type: http\n    element: efficiency\n    schedule: {every: 1m}\n    target: https://127.0.0.1/\n`;

  it('reads description and description_id', () => {
    const { checks, problems } = load(`${base}    description: The payment API answers.\n    description_id: API pembayaran menjawab.\n`);
    expect(problems).toEqual([]);
    expect(checks[0]).toMatchObject({ description: 'The payment API answers.', descriptionId: 'API pembayaran menjawab.' });
  });

  it('refuses an empty, overlong or marked-up description, naming the field and line', () => {
    for (const [value, why] of [
      ["''", 'must not be empty'],
      [`${'a'.repeat(301)}`, 'at most 300 characters'],
      ['"<b>API</b>"', 'without < or >'],
    ]) {
      const { problems } = load(`${base}    description_id: ${value}\n`);
      expect(problems).toHaveLength(1);
      expect(JSON.stringify(problems[0])).toContain('description_id');
      expect(problems[0].message).toContain(why);
      expect(problems[0].line).toBe(7);
    }
  });
});

describe('report units and paths', () => {
  it('shows configured durations in their largest exact unit', () => {
    expect([31_536_000_000, 2_592_000_000, 3_600_000, 90_000, 10_000, 2500, 0].map(configDuration)).toEqual([
      '365 d',
      '30 d',
      '1 h',
      '90 s',
      '10 s',
      '2500 ms',
      '0 ms',
    ]);
    expect(durationText(3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000)).toBe('3\u00a0d 4\u00a0h 5\u00a0min');
    expect(durationText(0)).toBe('0 min');
  });

  it('shows paths relative to a root, or only their tail, never climbing out of a root', () => {
    const roots = ['/srv/pengawas', '/tmp/pack'];
    expect(displayPath('/srv/pengawas/docs/bcp.md', roots)).toBe('docs/bcp.md');
    expect(displayPath('file:/srv/pengawas/docs/bcp.md', roots)).toBe('file:docs/bcp.md');
    expect(displayPath('git:/srv/pengawas#docs/bcp.md', roots)).toBe('git:.#docs/bcp.md');
    expect(displayPath('file:///srv/pengawas/a%20b.md', roots)).toBe('file:a b.md');
    expect(displayPath('/srv/pengawas-other/x/y.md', roots)).toBe('…/x/y.md');
    expect(displayPath('/srv/pengawas/../../etc/shadow', roots)).toBe('…/etc/shadow');
    expect(displayPath('https://example.co.id/a/b', roots)).toBe('https://example.co.id/a/b');
    expect(displayPath('dms://drp/2026-q3', roots)).toBe('dms://drp/2026-q3');
  });
});
