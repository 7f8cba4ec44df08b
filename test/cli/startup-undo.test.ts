/**
 * A start that fails half-way undoes what it started: the metrics port is taken after the preflight passed (so
 * Redis connections, workers and the evidence store are already open), startMonitor rejects with one actionable
 * line, and a second start in the same process and data directory succeeds (the store was closed, the queue
 * connections are gone).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { settingsSchema } from '../../src/config/settings';
import { ALL_ROLES, startMonitor } from '../../src/monitor/monitor';
import { StartupError } from '../../src/monitor/startup-error';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis';

it('a failed start is undone and explained; the next start works', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-undo-'));
  writeFileSync(
    path.join(dir, 'c.yaml'),
    'checks:\n  - { id: undo, type: http, element: efficiency, schedule: { every: 1m }, target: "http://127.0.0.1:9/" }\n',
  );
  const prefix = testPrefix('undo');
  const holder = net.createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
  const port = (holder.address() as net.AddressInfo).port;
  const settings = (p: number) =>
    settingsSchema.parse({
      checksDir: dir,
      dataDir: path.join(dir, 'data'),
      prefix,
      metrics: { port: p, host: '127.0.0.1' },
      worker: { shutdownGrace: '1s' },
    });
  try {
    const failed = startMonitor({ settings: settings(port), roles: ALL_ROLES, redisUrl: REDIS_URL, watch: false });
    await expect(failed).rejects.toBeInstanceOf(StartupError);
    await expect(failed).rejects.toThrow(`metrics port ${port} (127.0.0.1:${port}) is already in use`);
    const m = await startMonitor({ settings: settings(0), roles: ALL_ROLES, redisUrl: REDIS_URL, watch: false });
    expect(m.metricsPort).toBeGreaterThan(0);
    await m.stop();
  } finally {
    holder.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
