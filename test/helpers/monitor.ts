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

export async function startTestMonitor(
  name: string,
  checksYaml: string,
  overrides: Record<string, unknown> = {},
  roles: Role[] = ALL_ROLES,
): Promise<TestMonitor> {
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

/**
 * The value of the first series in Prometheus text whose name is `series`'s and whose labels include every label
 * `series` names (in any order; labels it does not name, such as `target` or a check's own labels, may be present).
 */
export function sample(text: string, series: string): number | undefined {
  const want = parseSeries(series);
  for (const line of text.split('\n')) {
    if (!line.startsWith(want.name) || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    const got = parseSeries(line.slice(0, cut));
    if (got.name === want.name && [...want.labels].every(([k, v]) => got.labels.get(k) === v)) return Number(line.slice(cut + 1));
  }
  return undefined;
}

/** `name{a="x",b="y"}` → name and labels (values unescaped as the exposition format escapes them). */
function parseSeries(s: string): { name: string; labels: Map<string, string> } {
  const brace = s.indexOf('{');
  const labels = new Map<string, string>();
  if (brace < 0) return { name: s, labels };
  for (const m of s.slice(brace + 1, -1).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
    labels.set(
      m[1],
      m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)),
    );
  return { name: s.slice(0, brace), labels };
}
