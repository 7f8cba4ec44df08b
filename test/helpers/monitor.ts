/** Starts an in-process monitor on its own Redis prefix and a free metrics port, with a temp checks folder. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { settingsSchema, type Settings } from '../../src/config/settings';
import { ALL_ROLES, startMonitor, type Monitor, type Role } from '../../src/monitor/monitor';
import { dropPrefix, REDIS_URL, testPrefix } from './redis';

export interface TestMonitor {
  monitor: Monitor;
  dir: string;
  prefix: string;
  settings: Settings;
  scrape(): Promise<string>;
  writeChecks(name: string, yaml: string): void;
  stop(): Promise<void>;
}

export async function startTestMonitor(name: string, checksYaml: string, overrides: Record<string, unknown> = {}, roles: Role[] = ALL_ROLES): Promise<TestMonitor> {
  const dir = mkdtempSync(path.join(tmpdir(), `pengawas-${name}-`));
  writeFileSync(path.join(dir, 'checks.yaml'), checksYaml);
  const prefix = testPrefix(name);
  const settings = settingsSchema.parse({
    checksDir: dir,
    dataDir: path.join(dir, 'data'),
    prefix,
    metrics: { port: 0, host: '127.0.0.1' },
    worker: { concurrency: 8, lockDuration: '5s', stalledInterval: '5s', shutdownGrace: '2s', retryBackoff: '100ms' },
    recorder: { claimIdle: '2s' },
    ...overrides,
  });
  const monitor = await startMonitor({ settings, roles, redisUrl: REDIS_URL });
  return {
    monitor,
    dir,
    prefix,
    settings,
    scrape: async () => (await fetch(`http://127.0.0.1:${monitor.metricsPort}/metrics`)).text(),
    writeChecks: (file, yaml) => writeFileSync(path.join(dir, file), yaml),
    stop: async () => {
      await monitor.stop();
      await dropPrefix(prefix);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The value of one series in Prometheus text, or undefined. Labels must be given in exposition order. */
export function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}
