/** `evidence.lang` in the settings file: en, id or a list of them; anything else is one problem naming the key. */
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
