/** pengawas_document_* series from real freshness results, and `pengawas probe freshness` on the built CLI. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Metrics } from '../../../src/metrics/definitions';
import { runCli } from '../../helpers/cli';
import { DAY, isoDay, probe } from './helpers';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pengawas-fresh-cli-'));
  writeFileSync(path.join(dir, 'stale.md'), `---\nowner: CISO\napprover: Direksi\nlast_reviewed: ${isoDay(-400 * DAY)}\n---\n# Plan\n`);
  writeFileSync(path.join(dir, 'fresh.md'), `---\nowner: CISO\napprover: Direksi\nlast_reviewed: ${isoDay(-3 * DAY)}\n---\n# Plan\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('age, max age and due timestamp are exported with check and element; an error keeps the last values', async () => {
  const m = new Metrics({ defaultMetrics: false });
  const r = await probe('freshness', path.join(dir, 'stale.md'), { maxAge: '365d' });
  m.record({ ...r, checkId: 'doc-irp', element: 'capability' });
  const text = await m.registry.metrics();
  const age = Number(/pengawas_document_age_seconds\{check="doc-irp",element="capability"\} (\S+)/.exec(text)?.[1]);
  expect(Math.floor(age / 86400)).toBe(400);
  expect(text).toContain('pengawas_document_max_age_seconds{check="doc-irp",element="capability"} 31536000');
  const due = Number(/pengawas_document_review_due_timestamp_seconds\{check="doc-irp",element="capability"\} (\S+)/.exec(text)?.[1]);
  expect(due).toBe(r.measurements.reviewDueTimestamp as number);
  expect(due * 1000).toBeLessThan(Date.now());
  const err = await probe('freshness', path.join(dir, 'missing.md'), { maxAge: '365d' });
  m.record({ ...err, checkId: 'doc-irp', element: 'capability' });
  expect(await m.registry.metrics()).toContain(`pengawas_document_age_seconds{check="doc-irp",element="capability"} ${age}`);
});

describe('CLI (built dist/)', () => {
  test('pengawas probe freshness file:… --opt maxAge=365d --opt warnBefore=30d --json: stale → exit 1', async () => {
    const run = await runCli([
      'probe',
      'freshness',
      `file:${path.join(dir, 'stale.md')}`,
      '--opt',
      'maxAge=365d',
      '--opt',
      'warnBefore=30d',
      '--opt',
      'requireFields=["owner","approver"]',
      '--json',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ type: 'freshness', status: 'fail', element: 'capability' });
    expect(result.findings.map((f: { id: string }) => f.id)).toEqual(['freshness.review.overdue']);
  });

  test('fresh → exit 0; unreadable → exit 2 with PROBE_SOURCE_UNREADABLE', async () => {
    const ok = await runCli([
      'probe',
      'freshness',
      path.join(dir, 'fresh.md'),
      '--opt',
      'maxAge=365d',
      '--opt',
      'warnBefore=30d',
      '--json',
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).status).toBe('pass');
    const bad = await runCli(['probe', 'freshness', `git:${dir}#plan.md`, '--opt', 'maxAge=365d', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).errorCode).toBe('PROBE_SOURCE_UNREADABLE');
  });
});
