/**
 * The monthly job in Indonesian (`evidence.lang`): one complete, separately signed pack per language, the first in
 * packs/<month>, the others in packs/<month>-<lang>; the same figures in both; a language that cannot be written is
 * named and keeps the build gauge from moving; the node-cron schedule builds the configured languages. SQLite store.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildMonthlyPacks, packFolder, scheduleMonthlyPack } from '../../src/evidence/monthly';
import { LABELS } from '../../src/evidence/pack/i18n';
import { verifyPack } from '../../src/evidence/pack/verify';
import type { EvidenceStore } from '../../src/evidence/store';
import { lastMonthOf } from '../../src/evidence/tz';
import { makeEnv, octoberResults, writeAll, type TestEnv } from './helpers';

jest.setTimeout(120_000);
const NOW = new Date('2026-11-05T03:00:00Z');

describe('monthly evidence pack in several languages', () => {
  let env: TestEnv;
  let store: EvidenceStore;
  beforeAll(async () => {
    env = await makeEnv('sqlite');
    store = await env.open();
    await writeAll(store, octoberResults());
  });
  afterAll(async () => {
    await store.close();
    await env.cleanup();
  });
  const html = (dir: string) => readFileSync(path.join(dir, 'report.html'), 'utf8');

  it('[en, id]: two signed packs, English in 2026-10, Indonesian in 2026-10-id, with the same figures', async () => {
    const built: number[] = [];
    const [en, id] = await buildMonthlyPacks(store, { now: NOW, langs: ['en', 'id'], onBuilt: (t) => built.push(t) });
    expect(en.outDir).toBe(path.join(env.dataDir, 'packs', '2026-10'));
    expect(id.outDir).toBe(path.join(env.dataDir, 'packs', '2026-10-id'));
    expect(verifyPack(en.outDir).ok).toBe(true);
    expect(verifyPack(id.outDir).ok).toBe(true);
    expect(html(en.outDir)).toContain('<html lang="en">');
    expect(html(en.outDir)).toContain(LABELS.title.en);
    expect(html(id.outDir)).toContain('<html lang="id">');
    expect(html(id.outDir)).toContain(LABELS.title.id);
    expect(html(id.outDir)).not.toContain(LABELS.title.en);
    expect(id.manifest.totals).toEqual(en.manifest.totals);
    expect(id.manifest.totals.runs).toBe(3 * 744);
    expect(id.manifestSha256).not.toBe(en.manifestSha256);
    expect(built).toHaveLength(1);
  });

  it('[id]: the Indonesian pack alone, in the plain month folder', async () => {
    const [id] = await buildMonthlyPacks(store, { now: NOW, langs: ['id'] });
    expect(id.outDir).toBe(path.join(env.dataDir, 'packs', '2026-10'));
    expect(html(id.outDir)).toContain('<html lang="id">');
    expect(packFolder('2026-10', 'en', ['id', 'en'])).toBe('2026-10-en');
  });

  it('a language that cannot be written is named; the others are still built and the gauge does not move', async () => {
    const blocked = path.join(env.dataDir, 'packs', '2026-10-id');
    mkdirSync(blocked, { recursive: true });
    writeFileSync(path.join(blocked, 'manifest.json'), '{"format":"not-a-pack"}');
    const built: number[] = [];
    await expect(buildMonthlyPacks(store, { now: NOW, langs: ['en', 'id'], onBuilt: (t) => built.push(t) })).rejects.toThrow(
      /the 2026-10 pack was not built in every language: id: .*holds no evidence pack/,
    );
    expect(built).toEqual([]);
    expect(verifyPack(path.join(env.dataDir, 'packs', '2026-10')).ok).toBe(true);
  });

  it('the schedule builds every configured language', async () => {
    const month = lastMonthOf(new Date(), store.timezone);
    const outRoot = path.join(env.dataDir, 'scheduled');
    const start = Date.now() / 1000;
    let resolveBuilt!: () => void;
    const built = new Promise<void>((r) => (resolveBuilt = r));
    // Every second (node-cron's seconds field): the first tick builds last month in both languages. At schedule
    // time onBuilt is also called with the last recorded build (earlier tests'), which is older than `start`.
    const task = scheduleMonthlyPack(store, {
      cron: '* * * * * *',
      langs: ['en', 'id'],
      outRoot,
      pdf: false,
      onBuilt: (t) => t >= start && resolveBuilt(),
    });
    try {
      await built;
    } finally {
      await task.stop();
    }
    expect(html(path.join(outRoot, month))).toContain('<html lang="en">');
    expect(html(path.join(outRoot, `${month}-id`))).toContain('<html lang="id">');
  });
});
