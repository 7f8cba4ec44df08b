/**
 * The embedded store on a full disk: a 4 MiB tmpfs holds the data folder, a filler file takes the free space, and
 * the recorder's sink keeps the process alive, reports the store down (health and `pengawas_evidence_store_up`
 * 0) and rejects writes so their results stay pending. Once the filler is removed, the sink finds the store back
 * by itself and the redelivered results are recorded exactly once, chains intact. Needs root (mount); skipped,
 * saying so, without it.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from 'prom-client';
import { EvidenceStoreDownError } from '../../src/errors';
import { EvidenceSink } from '../../src/evidence/sink';
import { verifyStore } from '../../src/evidence/verify-store';
import { evidenceFamily, setEvidenceStoreUp } from '../../src/metrics/families/evidence';
import { waitFor } from '../helpers/net';
import { result, TLS10 } from './helpers';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-diskfull-'));
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]).status === 0;
if (!mounted) process.stderr.write('store-disk-full: skipped (cannot mount a tmpfs: needs root)\n');

(mounted ? describe : describe.skip)('the evidence sink on a full disk (SQLite)', () => {
  afterAll(() => {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays up, reports the store down, and records every result exactly once after space is freed', async () => {
    const registry = new Registry();
    evidenceFamily.create(registry);
    const up = async () => /pengawas_evidence_store_up\{backend="sqlite"\} (\d)/.exec(await registry.metrics())?.[1];
    const dataDir = path.join(dir, 'data');
    mkdirSync(dataDir);
    const sink = await EvidenceSink.open({ dataDir, maintainEveryMs: 0, onHealth: setEvidenceStoreUp });
    const big = { ...TLS10, message: 'x'.repeat(4000) };
    const all = Array.from({ length: 400 }, (_, i) =>
      result(`c${i % 4}`, 'security', new Date(Date.UTC(2026, 9, 1) + i * 60_000), i % 2 ? 'fail' : 'pass', i % 2 ? [big] : []),
    );
    try {
      expect((await sink.writeMany(all.slice(0, 40).map((r) => ({ result: r })))).every((o) => o === undefined)).toBe(true);
      expect(await up()).toBe('1');

      const filler = path.join(dir, 'filler');
      const fd = openSync(filler, 'w');
      try {
        for (const chunk = Buffer.alloc(64 * 1024, 1); ;) writeSync(fd, chunk);
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        closeSync(fd);
      }
      const outcomes = await sink.writeMany(all.slice(40).map((r) => ({ result: r })));
      const failed = outcomes.filter((o) => o instanceof EvidenceStoreDownError);
      expect(failed.length).toBeGreaterThan(0);
      expect(String(failed[0])).toMatch(/evidence\.sqlite: the disk is full/);
      expect(sink.health()).toMatchObject({ up: false, reason: expect.stringMatching(/disk is full/) });
      expect(await up()).toBe('0');

      rmSync(filler);
      await waitFor(() => sink.health().up, 60_000);
      expect(await up()).toBe('1');
      // Redelivery: the recorder hands every unacknowledged result to the sink again.
      const again = await sink.writeMany(all.map((r) => ({ result: r })));
      expect(again.filter((o) => o !== undefined)).toEqual([]);
      const [{ n, d }] = await sink.store.db.query<{ n: number; d: number }>(
        `SELECT CAST(count(*) AS integer) AS n, CAST(count(DISTINCT result_id) AS integer) AS d FROM evidence_results`,
      );
      expect({ n, d }).toEqual({ n: all.length, d: all.length });
      expect(await verifyStore(sink.store.db, sink.store.timezone)).toMatchObject({ ok: true, records: all.length });
    } finally {
      await sink.close();
    }
  }, 120_000);
});
