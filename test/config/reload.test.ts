/**
 * A reload never kills: a real monitor process (an unprivileged user, so file permissions apply) gets bad files
 * dropped into its checks folder and SIGHUP. Each bad folder is rejected with its reason, the process lives,
 * `pengawas_config_last_reload_success` is 0 and the last good configuration keeps running; a good folder is
 * accepted again afterwards.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSource, type SourceProc } from '../helpers/cli-source';
import { sample } from '../helpers/monitor';
import { waitFor } from '../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis';

const NOBODY = 65534;
const check = (id: string) =>
  `  - id: ${id}\n    type: http\n    element: efficiency\n    schedule: { every: 1m }\n    timeout: 1s\n    target: http://127.0.0.1:9/\n`;
const GOOD = `checks:\n${check('reload-good')}`;

// A nested "billion laughs": 9 aliases per level, 6 levels (9^6 leaves) under the check's options.
const BOMB = `checks:\n  - id: reload-bomb\n    type: http\n    element: efficiency\n    schedule: { every: 1m }\n    target: http://127.0.0.1:9/\n    options:\n      headers:\n        a0: &a0 ["x","x","x","x","x","x","x","x","x"]\n${[
  1, 2, 3, 4, 5, 6,
]
  .map(
    (i) =>
      `        a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
  )
  .join('\n')}\n`;

describe('reload never kills', () => {
  let dir: string;
  let checks: string;
  let prefix: string;
  let p: SourceProc;
  let port: number;

  const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const count = (re: RegExp) => (p.output().match(re) ?? []).length;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-reload-'));
    chmodSync(dir, 0o755);
    checks = path.join(dir, 'checks');
    mkdirSync(checks);
    mkdirSync(path.join(dir, 'data'));
    chownSync(path.join(dir, 'data'), NOBODY, NOBODY);
    writeFileSync(path.join(checks, 'a.yaml'), GOOD);
    prefix = testPrefix('reload');
    const settings = path.join(dir, 'settings.yaml');
    writeFileSync(
      settings,
      `prefix: ${prefix}\ndataDir: ${dir}/data\nwatchChecks: false\ncheckLimits: { maxFileBytes: 65536, maxChecks: 20, maxAliases: 100 }\nworker: { shutdownGrace: 1s }\n`,
    );
    p = spawnSource(['run', '--checks', checks, '--config', settings, '--metrics-port', '0'], { REDIS_URL }, [
      'setpriv',
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      '--clear-groups',
    ]);
    const m = await waitFor(() => /"metricsPort":(\d+)/.exec(p.output()), 90_000, 200);
    port = Number(m[1]);
  }, 120_000);

  afterAll(async () => {
    if (p.exitCode === null) {
      p.kill('SIGTERM');
      await p.exited;
    }
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sends SIGHUP and waits for the reload it causes to be rejected or accepted. */
  async function hup(expectOk: boolean): Promise<string> {
    const re = expectOk ? /configuration reloaded/g : /configuration rejected/g;
    const before = count(re);
    const at = p.output().length;
    p.kill('SIGHUP');
    await waitFor(() => count(re) > before, 30_000, 100);
    return p.output().slice(at);
  }

  const cases: Array<[string, () => void, RegExp]> = [
    ['an alias bomb', () => writeFileSync(path.join(checks, 'bomb.yaml'), BOMB), /too many YAML alias expansions \(limit 100\)/],
    [
      'a dangling symlink',
      () => symlinkSync(path.join(dir, 'gone.yaml'), path.join(checks, 'link.yaml')),
      /link\.yaml.*does not exist \(a dangling symlink\?\) \(ENOENT\)/,
    ],
    [
      'a file it may not read',
      () => writeFileSync(path.join(checks, 'secret.yaml'), GOOD, { mode: 0o000 }),
      /secret\.yaml.*permission denied \(EACCES\)/,
    ],
    [
      'invalid UTF-8',
      () =>
        writeFileSync(
          path.join(checks, 'latin1.yaml'),
          Buffer.concat([Buffer.from('checks:\n  - id: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
        ),
      /latin1\.yaml.*not valid UTF-8: byte 0xe9 at offset 19/,
    ],
    [
      'a file too large',
      () => writeFileSync(path.join(checks, 'huge.yaml'), `checks:\n${'#'.repeat(70_000)}\n`),
      /huge\.yaml.*above the limit of 64 KiB per checks file/,
    ],
    [
      'too many checks',
      () => writeFileSync(path.join(checks, 'many.yaml'), `checks:\n${Array.from({ length: 25 }, (_, i) => check(`many-${i}`)).join('')}`),
      /many\.yaml.*26 checks in the folder so far, above the limit of 20/,
    ],
    ['a folder named like a checks file', () => mkdirSync(path.join(checks, 'dir.yaml')), /dir\.yaml.*not a regular file/],
  ];

  it.each(cases)(
    '%s: rejected with its reason, the monitor lives on the last good configuration',
    async (_name, drop, reason) => {
      drop();
      try {
        const out = await hup(false);
        expect(out).toMatch(reason);
        expect(p.exitCode).toBeNull();
        const text = await scrape();
        expect(sample(text, 'pengawas_config_last_reload_success')).toBe(0);
        expect(sample(text, 'pengawas_config_checks')).toBe(1);
        expect(text).toContain('check="reload-good"');
      } finally {
        for (const f of ['bomb.yaml', 'link.yaml', 'secret.yaml', 'latin1.yaml', 'huge.yaml', 'many.yaml', 'dir.yaml'])
          rmSync(path.join(checks, f), { recursive: true, force: true });
      }
      await hup(true);
      expect(sample(await scrape(), 'pengawas_config_last_reload_success')).toBe(1);
    },
    60_000,
  );

  it('a good change after all that is accepted', async () => {
    writeFileSync(path.join(checks, 'a.yaml'), `checks:\n${check('reload-good')}${check('reload-second')}`);
    await hup(true);
    const text = await scrape();
    expect(sample(text, 'pengawas_config_last_reload_success')).toBe(1);
    expect(sample(text, 'pengawas_config_checks')).toBe(2);
    expect(p.exitCode).toBeNull();
  }, 60_000);
});
