/**
 * config/prometheus/prometheus-hosts.yml, the configuration for plain hosts: `promtool check config` accepts it
 * with its rules and file_sd targets (and rejects a broken targets file), and a real Prometheus run on it finds a
 * pengawas /metrics endpoint through file_sd and scrapes it with job="pengawas" and the file's labels.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { Metrics } from '../../../src/metrics/definitions';
import { startMetricsServer } from '../../../src/metrics/server';
import { ROOT } from '../../helpers/cli';
import { freePort, waitFor } from '../../helpers/net';
import { RULES_DIR, stopChild } from '../../helpers/prometheus';

jest.setTimeout(120_000);

const CONFIG = path.join(ROOT, 'config', 'prometheus', 'prometheus-hosts.yml');
const TARGETS = path.join(ROOT, 'config', 'prometheus', 'targets', 'pengawas.yml');
const ruleCount = readdirSync(RULES_DIR).filter((f) => f.endsWith('.yml')).length;

/** The shipped config with its /etc paths pointed at a temp copy of the rules and of a targets folder. */
function installed(targetsYaml: string, edit: (cfg: string) => string = (c) => c): { dir: string; config: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-promhosts-'));
  mkdirSync(path.join(dir, 'rules'));
  mkdirSync(path.join(dir, 'targets'));
  for (const f of readdirSync(RULES_DIR)) copyFileSync(path.join(RULES_DIR, f), path.join(dir, 'rules', f));
  writeFileSync(path.join(dir, 'targets', 'pengawas.yml'), targetsYaml);
  const cfg = edit(readFileSync(CONFIG, 'utf8').replaceAll('/etc/prometheus/pengawas', dir));
  writeFileSync(path.join(dir, 'prometheus.yml'), cfg);
  return { dir, config: path.join(dir, 'prometheus.yml') };
}

function promtool(config: string) {
  const r = spawnSync('promtool', ['check', 'config', config], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('Prometheus configuration for plain hosts', () => {
  it('passes promtool check config with the rules and the example file_sd targets', () => {
    const { dir, config } = installed(readFileSync(TARGETS, 'utf8'));
    try {
      const r = promtool(config);
      expect(r.out).toContain(`SUCCESS: ${ruleCount} rule files found`);
      expect(r.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Same job name as the Docker configuration: the rules and dashboards select job="pengawas".
    const doc = parse(readFileSync(CONFIG, 'utf8')) as {
      scrape_configs: Array<{ job_name: string; file_sd_configs?: unknown[]; static_configs?: unknown[] }>;
    };
    const job = doc.scrape_configs.find((j) => j.job_name === 'pengawas')!;
    expect(job.file_sd_configs).toHaveLength(1);
    expect(job.static_configs).toHaveLength(1);
  });

  it('promtool rejects a broken targets file (the check can fail)', () => {
    // promtool parses the file_sd files the config names (their structure; host:port is checked at discovery).
    const { dir, config } = installed('- targets: 5\n  labels: { role: worker }\n');
    try {
      const r = promtool(config);
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/checking SD file "[^"]*targets\/\*\.yml"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a real Prometheus on this configuration finds pengawas through file_sd and scrapes it', async () => {
    const server = await startMetricsServer({
      metrics: new Metrics(),
      port: 0,
      host: '127.0.0.1',
      ready: async () => ({ ok: true, reasons: [] }),
    });
    const port = await freePort();
    // Scrape every second, no Alertmanager, and the static target (9464, maybe taken on this machine) removed.
    const { dir, config } = installed(`- targets: ['127.0.0.1:${server.port}']\n  labels: { role: worker }\n`, (c) =>
      c
        .replace(/scrape_interval: 15s/, 'scrape_interval: 1s')
        .replace(/\n    static_configs:\n      - targets: \['127\.0\.0\.1:9464'\]\n        labels: \{ role: all-in-one \}/, '')
        .replace(/alerting:[\s\S]*?(?=\nscrape_configs:)/, ''),
    );
    const child = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    try {
      const up = await waitFor(async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/v1/query`, {
            method: 'POST',
            body: new URLSearchParams({ query: 'up{job="pengawas"} == 1' }),
          });
          const body = (await res.json()) as { data?: { result: Array<{ metric: Record<string, string> }> } };
          return body.data?.result.length ? body.data.result : undefined;
        } catch {
          return undefined;
        }
      }, 60_000);
      expect(up.map((r) => r.metric)).toEqual([{ __name__: 'up', job: 'pengawas', instance: `127.0.0.1:${server.port}`, role: 'worker' }]);
    } catch (e) {
      throw new Error(`${(e as Error).message}\nprometheus log:\n${log}`);
    } finally {
      await stopChild(child, 5000);
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
