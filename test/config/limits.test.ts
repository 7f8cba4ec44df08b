/**
 * A bounded configuration: file size, number of checks and YAML aliases are limited, each violation a problem
 * naming the file and the limit; invalid UTF-8 is located (the offset is checked against Node's own strict
 * decoder, RFC 3629); 10,000 checks with one bad schedule give exactly one precise problem; 200,000 checks in
 * one file load without a stack overflow (time and memory are printed, not asserted: the machine is shared;
 * run on request, see below).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { firstInvalidUtf8 } from '../../src/config/files';
import { loadChecks, type LoadOptions } from '../../src/config/load';
import { ConfigError, type ConfigProblem } from '../../src/errors';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function folder(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-limits-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function problemsOf(dir: string, opts: LoadOptions = {}): ConfigProblem[] {
  try {
    loadChecks(dir, opts);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

const flow = (i: number, schedule = '{ every: 1m }') =>
  `  - { id: c-${i}, type: http, element: efficiency, schedule: ${schedule}, timeout: 5s, target: "http://127.0.0.1:9/${i}" }`;
const checksText = (n: number, from = 0, bad?: number) =>
  `checks:\n${Array.from({ length: n }, (_, k) => flow(from + k, from + k === bad ? '"every 5"' : undefined)).join('\n')}\n`;

describe('bounded configuration', () => {
  it('a file above maxFileBytes is a problem naming the file and the limit', () => {
    const dir = folder({ 'a.yaml': checksText(2), 'big.yaml': `${checksText(1, 10)}#${'x'.repeat(3000)}\n` });
    const problems = problemsOf(dir, { limits: { maxFileBytes: 2048 } });
    expect(problems).toHaveLength(1);
    expect(problems[0].file).toBe(path.join(dir, 'big.yaml'));
    expect(problems[0].message).toMatch(/^file is 3 KiB, above the limit of 2 KiB per checks file/);
  });

  it('more than maxChecks over the folder is a problem naming the file that crosses the limit', () => {
    const dir = folder({ 'a.yaml': checksText(6), 'b.yaml': checksText(6, 100) });
    const problems = problemsOf(dir, { limits: { maxChecks: 10 } });
    expect(problems).toEqual([
      expect.objectContaining({
        file: path.join(dir, 'b.yaml'),
        field: 'checks',
        message: '12 checks in the folder so far, above the limit of 10',
      }),
    ]);
  });

  it('an alias bomb is a problem naming the file and the alias limit, found before anything expands', () => {
    const levels = Array.from({ length: 12 }, (_, i) => `x${i + 1}: &x${i + 1} [${Array(10).fill(`*x${i}`).join(',')}]`);
    const bomb = `x0: &x0 "lol"\n${levels.join('\n')}\nchecks: []\n`;
    const before = process.memoryUsage().heapUsed;
    const problems = problemsOf(folder({ 'bomb.yaml': bomb }));
    expect(problems).toEqual([
      expect.objectContaining({ field: '(yaml)', message: expect.stringMatching(/too many YAML alias expansions \(limit 100\)/) }),
    ]);
    expect(problems[0].file).toMatch(/bomb\.yaml$/);
    // 10^12 expanded nodes were never built (a generous bound; a real expansion would need terabytes).
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('invalid UTF-8 is located at the first bad byte, agreeing with the strict decoder', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    // RFC 3629 §3–4: overlong "/", a lone continuation byte, a surrogate, above U+10FFFF, truncated, 0xFF.
    const bad = [
      [0xc0, 0xaf],
      [0x80],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
      [0xff],
      [0xe0, 0x80, 0xaf],
      [0xf0, 0x8f, 0xbf, 0xbf],
    ];
    for (const seq of bad) {
      const buf = Buffer.concat([Buffer.from('checks:\n  - id: ok é €\n  '), Buffer.from(seq), Buffer.from(' tail\n')]);
      const at = firstInvalidUtf8(buf);
      expect(at).toBe(Buffer.byteLength('checks:\n  - id: ok é €\n  '));
      expect(() => strict.decode(buf.subarray(0, at))).not.toThrow();
      expect(() => strict.decode(buf)).toThrow();
    }
    expect(firstInvalidUtf8(Buffer.from('ok é € 😀'))).toBe(Buffer.byteLength('ok é € 😀'));
    const [p] = problemsOf(folder({ 'x.yaml': Buffer.concat([Buffer.from('checks:\n  - id: caf'), Buffer.from([0xe9, 0x0a])]) }));
    expect(p).toEqual(
      expect.objectContaining({ line: 2, field: '(file)', message: 'not valid UTF-8: byte 0xe9 at offset 19; save the file as UTF-8' }),
    );
  });

  it('10,000 checks with one bad schedule: exactly one problem, naming the check, line and value', () => {
    const problems = problemsOf(folder({ 'many.yaml': checksText(10_000, 0, 7_321) }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toEqual(expect.objectContaining({ checkId: 'c-7321', line: 7_323, field: 'schedule' }));
    expect(problems[0].message).toMatch(/^schedule "every 5" is not a valid cron expression .*for an interval write \{ every: 5s \}$/);
  }, 300_000);

  // About 7 minutes and 2.7 GB on the shared two-core machine (yaml's parser dominates), so it runs on request:
  // PENGAWAS_BIG_CONFIG=1 npx jest test/config/limits.test.ts -t 200,000
  (process.env.PENGAWAS_BIG_CONFIG === '1' ? it : it.skip)(
    '200,000 checks in one file load without a stack overflow',
    () => {
      const dir = folder({ 'huge.yaml': checksText(200_000) });
      const t0 = performance.now();
      const set = loadChecks(dir);
      const ms = performance.now() - t0;
      expect(set.checks).toHaveLength(200_000);
      expect(set.byId.get('c-199999')?.source.line).toBe(200_001);
      process.stdout.write(`200,000 checks: ${Math.round(ms)} ms, rss ${Math.round(process.memoryUsage().rss / 1e6)} MB\n`);
    },
    900_000,
  );
});
