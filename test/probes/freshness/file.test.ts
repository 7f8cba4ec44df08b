/** The freshness probe on real files: front matter, YAML records, mtime fallback, unreadable sources. */
import { mkdtempSync, rmSync, utimesSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DAY, findingIds, isoDay, probe } from './helpers';

let dir: string;
const md = (name: string, front: string, body = '# Dokumen\n\nBody text.\n') => {
  const p = path.join(dir, name);
  writeFileSync(p, `---\n${front}\n---\n${body}`);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pengawas-fresh-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RULES = { maxAge: '365d', warnBefore: '30d', requireFields: ['owner', 'approver'] };

test('a document reviewed 400 days ago with maxAge 365d is stale (fail) and says when it was due', async () => {
  const p = md('stale.md', `title: Rencana Tanggap Insiden\nowner: CISO\napprover: Direksi\nlast_reviewed: ${isoDay(-400 * DAY)}`);
  const r = await probe('freshness', `file:${p}`, RULES);
  expect(r.status).toBe('fail');
  const f = r.findings.find((x) => x.id === 'freshness.review.overdue')!;
  expect(f.severity).toBe('high');
  expect(f.message).toMatch(/stale: last reviewed .* \(400 day\(s\) ago\); the next review was due .* \(maxAge 365d\), 35 day\(s\) ago/);
  expect(r.measurements.evidence).toBe('field:last_reviewed');
  expect(r.measurements.maxAgeSeconds).toBe(365 * 86400);
  // Date-only fields mean midnight UTC: the age is 400 whole days and some hours.
  expect(Math.floor((r.measurements.ageSeconds as number) / 86400)).toBe(400);
  expect(r.target).toBe(`file:${p}`);
});

test('a document due in 15 days warns (due soon); one reviewed 10 days ago passes', async () => {
  const soon = await probe('freshness', md('soon.md', `owner: a\napprover: b\nlast_reviewed: ${isoDay(-350 * DAY)}`), RULES);
  expect(soon.status).toBe('warn');
  expect(findingIds(soon, 'warn')).toEqual(['freshness.review.due_soon']);
  const fresh = await probe('freshness', md('fresh.md', `owner: a\napprover: b\nversion: 2.1\nlast_reviewed: ${isoDay(-10 * DAY)}`), RULES);
  expect(fresh.status).toBe('pass');
  expect(findingIds(fresh)).toEqual(['freshness.review.current']);
  expect(fresh.measurements.fields).toMatchObject({ owner: 'a', approver: 'b', version: 2.1 });
  const dueTs = fresh.measurements.reviewDueTimestamp as number;
  expect(Math.ceil((dueTs * 1000 - Date.now()) / DAY)).toBe(355);
});

test('a declared next_review earlier than review + maxAge decides the due date', async () => {
  const r = await probe(
    'freshness',
    md('next.md', `owner: a\napprover: b\nlast_reviewed: ${isoDay(-100 * DAY)}\nnext_review: ${isoDay(-2 * DAY)}`),
    RULES,
  );
  expect(r.status).toBe('fail');
  expect(r.findings.find((f) => f.id === 'freshness.review.overdue')!.message).toMatch(/\(next_review\)/);
});

test('missing required fields fail, one finding per field, even when the date is current', async () => {
  const r = await probe('freshness', md('noowner.md', `approver: ''\nlast_reviewed: ${isoDay(-5 * DAY)}`), RULES);
  expect(r.status).toBe('fail');
  const missing = r.findings.filter((f) => f.id === 'freshness.field.missing').map((f) => f.evidence?.field);
  expect(missing).toEqual(['owner', 'approver']);
});

test('a custom date field (last test of the DR plan) and a YAML record file', async () => {
  const p = path.join(dir, 'training.yaml');
  writeFileSync(p, `record: security awareness\nowner: HR\nlast_training: ${isoDay(-200 * DAY)}\nparticipants: 120\n`);
  const r = await probe('freshness', `file:${p}`, { maxAge: '180d', dateField: 'last_training' });
  expect(r.status).toBe('fail');
  expect(r.measurements.format).toBe('yaml');
  expect(r.measurements.evidence).toBe('field:last_training');
});

test('no date field: mtime is weaker evidence (warn), accepted or rejected on request', async () => {
  const p = path.join(dir, 'plain.md');
  writeFileSync(p, '# SOP\n\nNo front matter here.\n');
  const when = new Date(Date.now() - 20 * DAY);
  utimesSync(p, when, when);
  const weak = await probe('freshness', p, { maxAge: '365d' });
  expect(weak.status).toBe('warn');
  expect(weak.measurements.evidence).toBe('mtime');
  expect(findingIds(weak, 'warn')).toEqual(['freshness.evidence.mtime_only']);
  expect(Math.round((weak.measurements.ageSeconds as number) / 86400)).toBe(20);
  expect((await probe('freshness', p, { maxAge: '365d', mtimeEvidence: 'accept' })).status).toBe('pass');
  expect((await probe('freshness', p, { maxAge: '365d', mtimeEvidence: 'reject' })).status).toBe('fail');
  // dateFrom: field never falls back to mtime.
  const strict = await probe('freshness', p, { maxAge: '365d', dateFrom: 'field' });
  expect(strict.status).toBe('fail');
  expect(findingIds(strict, 'fail')).toEqual(['freshness.field.missing']);
  // An old mtime is stale like any other date.
  const old = new Date(Date.now() - 400 * DAY);
  utimesSync(p, old, old);
  expect(findingIds(await probe('freshness', p, { maxAge: '365d' }), 'fail')).toEqual(['freshness.review.overdue']);
});

test('a malformed header or a non-date value is a fail the owner must fix, not an error', async () => {
  const bad = path.join(dir, 'bad.md');
  writeFileSync(bad, '---\nowner: [unclosed\n---\nbody\n');
  const r1 = await probe('freshness', bad, { maxAge: '365d' });
  expect(r1.status).toBe('fail');
  expect(findingIds(r1, 'fail')).toContain('freshness.document.malformed');
  const r2 = await probe('freshness', md('baddate.md', 'last_reviewed: next Tuesday\nnext_review: 2026-02-30'), { maxAge: '365d' });
  expect(r2.status).toBe('fail');
  expect(r2.findings.filter((f) => f.id === 'freshness.field.invalid_date')).toHaveLength(2);
});

test('unreadable sources are errors with a stable code: missing file, a folder, no permission', async () => {
  const missing = await probe('freshness', `file:${path.join(dir, 'nope.md')}`, RULES);
  expect(missing.status).toBe('error');
  expect(missing.errorCode).toBe('PROBE_SOURCE_UNREADABLE');
  expect(missing.findings[0].message).toMatch(/ENOENT/);
  const folder = path.join(dir, 'folder');
  mkdirSync(folder);
  expect((await probe('freshness', `file:${folder}`, RULES)).errorCode).toBe('PROBE_SOURCE_UNREADABLE');
  if (process.getuid?.() !== 0) {
    const locked = md('locked.md', `last_reviewed: ${isoDay(0)}`);
    chmodSync(locked, 0o000);
    const r = await probe('freshness', locked, RULES);
    expect(r.status).toBe('error');
    expect(r.findings[0].message).toMatch(/EACCES/);
  }
});

test('targets name their kind; unknown schemes are usage errors', async () => {
  const r = await probe('freshness', 'ftp://example.org/plan.md', RULES);
  expect(r.status).toBe('error');
  expect(r.errorCode).toBe('PENGAWAS_USAGE');
});
