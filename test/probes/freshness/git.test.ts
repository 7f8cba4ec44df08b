/** The freshness probe on a real git repository the test creates, with commit dates fixed through env vars. */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ProbeTimeoutError } from '../../../src/errors';
import { runGit } from '../../../src/probes/freshness/sources/git';
import { DAY, findingIds, probe } from './helpers';

let repo: string;
const STALE_DATE = '2024-01-15T09:30:00+07:00';

function commit(file: string, content: string, when: string, author: string, message: string) {
  const p = path.join(repo, file);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  const env = {
    ...process.env,
    GIT_AUTHOR_DATE: when,
    GIT_COMMITTER_DATE: when,
    GIT_AUTHOR_NAME: author,
    GIT_AUTHOR_EMAIL: 'a@example.co.id',
    GIT_COMMITTER_NAME: author,
    GIT_COMMITTER_EMAIL: 'a@example.co.id',
  };
  execFileSync('git', ['add', file], { cwd: repo, env });
  execFileSync('git', ['commit', '-q', '-m', message], { cwd: repo, env });
}

beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'pengawas-git-'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo });
  commit(
    'policies/incident-response.md',
    '---\nowner: CISO\napprover: Direksi\n---\n# Rencana Tanggap Insiden\n',
    STALE_DATE,
    'Siti Rahma',
    'Review incident response plan',
  );
  commit(
    'policies/complaints-sop.md',
    '---\nowner: Customer Care\n---\n# SOP Penanganan Pengaduan\n',
    new Date(Date.now() - 10 * DAY).toISOString(),
    'Budi Santoso',
    'Update complaint SOP',
  );
  commit('drills/2026-q2.md', '# DR drill report\n', new Date(Date.now() - 170 * DAY).toISOString(), 'Dewi Lestari', 'Record DR drill');
  writeFileSync(path.join(repo, 'untracked.md'), 'not committed\n');
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

test('the last commit touching a path is the review evidence: stale plan fails with commit, author and message', async () => {
  const r = await probe('freshness', `git:${repo}#policies/incident-response.md`, { maxAge: '365d', requireFields: ['owner', 'approver'] });
  expect(r.status).toBe('fail');
  expect(findingIds(r, 'fail')).toEqual(['freshness.review.overdue']);
  expect(r.measurements.evidence).toBe('git-commit');
  expect(r.measurements.reviewedAt).toBe(new Date(STALE_DATE).toISOString());
  const g = r.measurements.git as Record<string, string>;
  expect(g).toMatchObject({
    author: 'Siti Rahma',
    message: 'Review incident response plan',
    path: 'policies/incident-response.md',
    object: 'blob',
  });
  expect(g.commit).toMatch(/^[0-9a-f]{40}$/);
  expect(r.measurements.fields).toMatchObject({ owner: 'CISO', approver: 'Direksi' });
});

test('a path inside the clone finds the repository; front matter at HEAD supplies required fields', async () => {
  const r = await probe('freshness', `git:${path.join(repo, 'policies', 'complaints-sop.md')}`, {
    maxAge: '365d',
    requireFields: ['owner', 'approver'],
  });
  expect(r.status).toBe('fail');
  expect(findingIds(r, 'fail')).toEqual(['freshness.field.missing']);
  expect(findingIds(r, 'pass')).toEqual(['freshness.review.current']);
  expect((r.measurements.git as Record<string, string>).author).toBe('Budi Santoso');
});

test('a folder: the newest commit under it; 170 days old with maxAge 180d is due soon', async () => {
  const r = await probe('freshness', `git:${repo}#drills`, { maxAge: '180d', warnBefore: '30d' });
  expect(r.status).toBe('warn');
  expect(findingIds(r, 'warn')).toEqual(['freshness.review.due_soon']);
  expect((r.measurements.git as Record<string, string>).object).toBe('tree');
  // The whole repository: the newest commit of all.
  const all = await probe('freshness', `git:${repo}#`, { maxAge: '365d' });
  expect(all.status).toBe('pass');
  expect((all.measurements.git as Record<string, string>).message).toBe('Record DR drill');
});

test('a ref reads history as of that revision; option-like refs are rejected by the schema', async () => {
  const before = await probe('freshness', `git:${repo}#policies`, { maxAge: '365d', ref: 'main~2' });
  expect((before.measurements.git as Record<string, string>).message).toBe('Review incident response plan');
  expect(before.status).toBe('fail');
  const r = await probe('freshness', `git:${repo}#drills`, { maxAge: '365d', ref: 'main~1' });
  expect(r.status).toBe('error');
  expect(r.findings[0].message).toMatch(/no commit on main~1 touches drills/);
  expect(() => probe('freshness', `git:${repo}#drills`, { ref: '--output=/tmp/x' })).toThrow();
});

test('unreadable: an untracked file, a folder outside any clone, a missing path', async () => {
  const untracked = await probe('freshness', `git:${path.join(repo, 'untracked.md')}`, { maxAge: '365d' });
  expect(untracked.errorCode).toBe('PROBE_SOURCE_UNREADABLE');
  expect(untracked.findings[0].message).toMatch(/no commit on HEAD touches untracked\.md/);
  const outside = mkdtempSync(path.join(tmpdir(), 'pengawas-nogit-'));
  try {
    writeFileSync(path.join(outside, 'plan.md'), 'x');
    const r = await probe('freshness', `git:${path.join(outside, 'plan.md')}`, { maxAge: '365d' });
    expect(r.errorCode).toBe('PROBE_SOURCE_UNREADABLE');
    expect(r.findings[0].message).toMatch(/not a git repository/);
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
  expect((await probe('freshness', `git:${repo}/nope.md`, {})).errorCode).toBe('PROBE_SOURCE_UNREADABLE');
});

test('a git that hangs is killed at the deadline (PROBE_TIMEOUT), not waited for', async () => {
  const bin = mkdtempSync(path.join(tmpdir(), 'pengawas-hang-'));
  const pidFile = path.join(bin, 'pid');
  // Stands in for git on a hung network filesystem: records its pid and sleeps.
  writeFileSync(path.join(bin, 'git'), `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 30\n`);
  chmodSync(path.join(bin, 'git'), 0o755);
  const oldPath = process.env.PATH;
  process.env.PATH = `${bin}:${oldPath}`;
  const t0 = Date.now();
  try {
    await expect(
      runGit(['log'], { cwd: repo, signal: new AbortController().signal, timeoutMs: 300, maxBytes: 1024 }),
    ).rejects.toBeInstanceOf(ProbeTimeoutError);
  } finally {
    process.env.PATH = oldPath;
  }
  expect(Date.now() - t0).toBeLessThan(3000);
  const pid = Number(require('node:fs').readFileSync(pidFile, 'utf8'));
  await new Promise((r) => setTimeout(r, 100));
  expect(() => process.kill(pid, 0)).toThrow();
  rmSync(bin, { recursive: true, force: true });
});
