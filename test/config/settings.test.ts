/** Settings of this work: `evidence.lang` (en, id or a list) and `maintenance.alertmanager`; bad values name the key. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSettings } from '../../src/config/settings';
import { ConfigError } from '../../src/errors';

const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function settingsWith(yaml: string) {
  const file = path.join(dir, 'settings.yaml');
  writeFileSync(file, yaml);
  return { file, load: () => loadSettings(file, {}) };
}

describe('evidence.lang', () => {
  it.each([
    ['', ['en']],
    ['evidence: { enabled: true }', ['en']],
    ['evidence: { lang: id }', ['id']],
    ['evidence: { lang: [en, id] }', ['en', 'id']],
    ['evidence: { lang: [id, en] }', ['id', 'en']],
  ])('%j → %j', (yaml, langs) => {
    expect(settingsWith(yaml).load().evidence.lang).toEqual(langs);
  });

  it.each([
    'evidence: { lang: fr }',
    'evidence: { lang: [en, en] }',
    'evidence: { lang: [] }',
    'evidence: { lang: EN }',
    'evidence: { lang: 1 }',
  ])('%j is refused with the key, the file and the value named', (yaml) => {
    const { file, load } = settingsWith(yaml);
    let err: unknown;
    try {
      load();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file, field: 'evidence.lang' });
    expect(problems[0].message).toMatch(/^must be en, id, or a list of them without repeats such as \[en, id\]; got /);
  });
});

describe('maintenance.alertmanager', () => {
  it('takes a URL and a token or password by reference', () => {
    const s = settingsWith(
      'maintenance:\n  alertmanager:\n    url: https://am.example.co.id/alertmanager\n    basicAuth: { username: pengawas, password: "${file:/run/secrets/am}" }\n',
    ).load();
    expect(s.maintenance.alertmanager).toEqual({
      url: 'https://am.example.co.id/alertmanager',
      basicAuth: { username: 'pengawas', password: '${file:/run/secrets/am}' },
      timeout: 10_000,
    });
    expect(settingsWith('').load().maintenance.alertmanager).toBeUndefined();
  });

  it.each([
    [
      '    url: http://am:9093\n    bearerToken: plain-secret-token\n',
      'maintenance.alertmanager.bearerToken',
      /must be a \$\{env:NAME\} or \$\{file:PATH\} reference/,
    ],
    ['    url: http://user:pw@am:9093\n', 'maintenance.alertmanager.url', /must be an http\(s\) URL without credentials/],
    ['    url: ftp://am\n', 'maintenance.alertmanager.url', /must be an http\(s\) URL/],
    [
      '    url: http://am:9093\n    bearerToken: "${env:T}"\n    basicAuth: { username: u, password: "${env:P}" }\n',
      'maintenance.alertmanager',
      /bearerToken or basicAuth, not both/,
    ],
  ])('%j is refused naming %s', (yaml, field, message) => {
    const { load } = settingsWith(`maintenance:\n  alertmanager:\n${yaml}`);
    let err: unknown;
    try {
      load();
    } catch (e) {
      err = e;
    }
    expect((err as ConfigError).problems).toEqual([expect.objectContaining({ field, message: expect.stringMatching(message) })]);
  });
});

describe('PENGAWAS_LOG_LEVEL', () => {
  it('overrides the file and is refused by name when it is not a level', () => {
    const { file } = settingsWith('logLevel: warn');
    expect(loadSettings(file, {}).logLevel).toBe('warn');
    expect(loadSettings(file, { PENGAWAS_LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    let err: unknown;
    try {
      loadSettings(file, { PENGAWAS_LOG_LEVEL: 'verbose' });
    } catch (e) {
      err = e;
    }
    expect((err as ConfigError).problems).toEqual([
      {
        file: '(environment)',
        field: 'PENGAWAS_LOG_LEVEL',
        message: 'must be one of trace, debug, info, warn, error, fatal, silent; got "verbose"',
      },
    ]);
  });
});
