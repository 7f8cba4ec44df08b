/** docker-compose.yml (no Docker here): the services the stack needs, and every file it mounts exists. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../helpers/cli';

interface Service {
  image?: string;
  build?: string;
  command?: string[] | string;
  volumes?: string[];
  ports?: string[];
  container_name?: string;
  profiles?: string[];
  environment?: Record<string, string>;
  restart?: string;
}
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

describe('docker-compose.yml', () => {
  it('has redis, the pengawas roles, a scalable worker, Prometheus, Alertmanager and Grafana', () => {
    for (const s of ['redis', 'scheduler', 'recorder', 'worker', 'prometheus', 'alertmanager', 'grafana'])
      expect(Object.keys(compose.services)).toContain(s);
    expect(compose.services.scheduler.command).toContain('scheduler');
    expect(compose.services.recorder.command).toContain('recorder');
    expect(compose.services.worker.command).toContain('worker');
    // --scale worker=N needs no fixed name and no host port.
    expect(compose.services.worker.container_name).toBeUndefined();
    expect(compose.services.worker.ports).toBeUndefined();
    expect(compose.services.worker.build).toBe('.');
    expect(existsSync(path.join(ROOT, 'Dockerfile'))).toBe(true);
  });

  it('runs Redis with AOF persistence and noeviction (BullMQ must never lose keys to eviction)', () => {
    const cmd = (compose.services.redis.command as string[]).join(' ');
    expect(cmd).toMatch(/--appendonly yes/);
    expect(cmd).toMatch(/--maxmemory-policy noeviction/);
  });

  it('mounts files and folders that exist', () => {
    const missing: string[] = [];
    for (const [name, s] of Object.entries(compose.services)) {
      for (const v of s.volumes ?? []) {
        // `${VAR:-default}:/target` or `./path:/target`; anything else is a named volume.
        const host = v.startsWith('${') ? v.slice(0, v.indexOf('}') + 1) : v.split(':')[0];
        if (!host.startsWith('.') && !host.startsWith('$')) continue;
        const p = host.replace(/^\$\{[A-Z_]+:-([^}]+)\}$/, '$1');
        if (!p.startsWith('.')) continue; // `${VAR:-name}`: a named volume unless VAR is set
        if (!existsSync(path.join(ROOT, p))) missing.push(`${name}: ${p}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('feeds every variable of the Alertmanager template from the environment', () => {
    const template = readFileSync(path.join(ROOT, 'config', 'alertmanager', 'alertmanager.yml'), 'utf8');
    const used = [...new Set([...template.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]))];
    expect(used.length).toBeGreaterThan(5);
    expect(Object.keys(compose.services.alertmanager.environment ?? {}).sort()).toEqual(used.sort());
    const example = readFileSync(path.join(ROOT, 'config', 'alertmanager', 'example.env'), 'utf8');
    for (const v of used) expect(example).toMatch(new RegExp(`^${v}=`, 'm'));
  });

  it('Prometheus in the stack loads the rules folder and finds every pengawas service', () => {
    const prom = parse(readFileSync(path.join(ROOT, 'config', 'prometheus', 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[] }> }>;
    };
    expect(prom.rule_files).toEqual(['/etc/prometheus/rules/*.yml']);
    expect(compose.services.prometheus.volumes).toContain('./config/prometheus/rules:/etc/prometheus/rules:ro');
    const job = prom.scrape_configs.find((j) => j.job_name === 'pengawas')!;
    const names = job.dns_sd_configs!.flatMap((d) => d.names);
    // One-off CLI services (restart: "no", e.g. `evidence`) serve no /metrics.
    for (const s of Object.keys(compose.services).filter((n) => compose.services[n].build === '.' && compose.services[n].restart !== 'no'))
      expect(names).toContain(s);
  });
});
