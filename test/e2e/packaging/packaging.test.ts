/**
 * Packaging that starts (issue 18 item 7), checked without a Docker engine: the Dockerfile's Node line, the compose
 * healthchecks, pinned images and profiles, and the systemd units (by `systemd-analyze verify` when installed, and
 * their pengawas command lines against the CLI's own command table).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { buildProgram } from '../../../src/cli/main';
import { loadSettings } from '../../../src/config/settings';
import { ROOT } from '../../helpers/cli';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  profiles?: string[];
  restart?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string; required?: boolean }>;
}
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const ciRun = readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const UNITS = path.join(ROOT, 'deploy', 'systemd');

/** The LTS major the second CI Node runs: the line the image must use too. */
const ltsMajor = Number(/^NODE_LTS_MAJOR="\$\{NODE_LTS_MAJOR:-(\d+)\}"$/m.exec(ciRun)?.[1]);

describe('Dockerfile', () => {
  it('builds and runs on the Node LTS line CI tests, pinned to a version, and package.json engines names it', () => {
    expect(ltsMajor).toBeGreaterThanOrEqual(26);
    const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(image).toMatch(new RegExp(`^node:${ltsMajor}\\.\\d+\\.\\d+-[a-z]+-slim$`));
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
    // engines lists exactly the lines something tests: the host Node of the full suite and the second CI Node.
    expect(pkg.engines.node).toContain(`^${ltsMajor}.`);
    expect(pkg.engines.node).toContain(`^${process.versions.node.split('.')[0]}.`);
  });

  it('copies only files that exist and checks its own health on /readyz', () => {
    for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm))
      for (const src of m[1].split(/\s+/)) expect({ src, exists: existsSync(path.join(ROOT, src)) }).toEqual({ src, exists: true });
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\\\n\s+CMD .*http:\/\/127\.0\.0\.1:9464\/readyz/m);
    expect(loadSettings(undefined, {}).metrics.port).toBe(9464);
  });
});

describe('docker-compose.yml packaging', () => {
  it('gives every long-running service a healthcheck, the pengawas ones on /readyz of their metrics port', () => {
    const port = loadSettings(undefined, {}).metrics.port;
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.restart === 'no') {
        expect({ name, disabled: s.healthcheck?.disable }).toEqual({ name, disabled: true }); // one-off commands
        continue;
      }
      expect({ name, test: Array.isArray(s.healthcheck?.test) }).toEqual({ name, test: true });
      if (s.build === '.') expect(s.healthcheck!.test!.join(' ')).toContain(`http://127.0.0.1:${port}/readyz`);
    }
  });

  // Major.minor(.patch): PostgreSQL's own releases have two parts (17.2); a bare major (redis:7) floats.
  it('pins every image to a version tag', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.build === '.') continue;
      expect({ name, image: s.image }).toEqual({ name, image: expect.stringMatching(/^[\w./-]+:v?\d+\.\d+(\.\d+)?(-[\w.]+)?$/) });
    }
  });

  it('offers PostgreSQL as the store (profile postgres) and your own key and documents (profile evidence)', () => {
    const pg = compose.services.postgres;
    expect(pg.profiles).toEqual(['postgres']);
    expect(pg.healthcheck!.test).toContain('pg_isready');
    for (const role of ['scheduler', 'worker', 'recorder', 'demo'])
      expect(compose.services[role].environment!.DATABASE_URL).toBe('${PENGAWAS_DATABASE_URL:-}');
    // The store waits for PostgreSQL only when the profile runs it.
    expect(compose.services.recorder.depends_on!.postgres).toEqual({ condition: 'service_healthy', required: false });
    const ev = compose.services.evidence;
    expect(ev.profiles).toEqual(['evidence']);
    expect(ev.volumes).toEqual(
      expect.arrayContaining([
        '${PENGAWAS_KEYS_DIR:-./config/keys}:/run/pengawas/keys:ro',
        'pengawas-data:/app/data',
        '${PENGAWAS_DOCUMENTS_DIR:-./config/documents}:/app/documents:ro',
      ]),
    );
    // The same store as the recorder: its data volume.
    expect(compose.services.recorder.volumes).toContain('pengawas-data:/app/data');
    for (const role of ['worker', 'recorder'])
      expect(compose.services[role].volumes).toContain('${PENGAWAS_DOCUMENTS_DIR:-./config/documents}:/app/documents:ro');
    // Keys are never committed from the keys folder.
    expect(readFileSync(path.join(ROOT, 'config', 'keys', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  });

  it('runs pengawas commands the CLI knows, with options each command takes', () => {
    const program = buildProgram();
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.build !== '.') continue;
      expect({ name, problems: commandProblems(program, s.command ?? []) }).toEqual({ name, problems: [] });
    }
  });
});

/** What the CLI would refuse in `args` (an unknown command or an option the command does not take). */
function commandProblems(program: Command, args: string[]): string[] {
  let cmd = program;
  let i = 0;
  while (i < args.length && !args[i].startsWith('-')) {
    const sub = cmd.commands.find((c) => c.name() === args[i]);
    if (!sub) break;
    cmd = sub;
    i++;
  }
  if (cmd === program) return [`no pengawas command in ${args.join(' ')}`];
  const known = new Set(['--help', '-h', ...cmd.options.flatMap((o) => [o.long, o.short].filter(Boolean) as string[])]);
  return args
    .slice(i)
    .filter((a) => a.startsWith('-') && !known.has(a.split('=')[0]))
    .map((a) => `${cmd.name()} does not take ${a}`);
}

describe('systemd units (deploy/systemd)', () => {
  const units = readdirSync(UNITS).filter((f) => f.endsWith('.service'));
  const read = (f: string) => readFileSync(path.join(UNITS, f), 'utf8');
  const value = (text: string, key: string) => [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]);

  it('ships one unit for all roles and one per split role, each restarting on failure', () => {
    expect(units.sort()).toEqual([
      'pengawas-recorder.service',
      'pengawas-scheduler.service',
      'pengawas-worker@.service',
      'pengawas.service',
    ]);
    for (const f of units) {
      const text = read(f);
      expect({ f, sections: [...text.matchAll(/^\[(\w+)\]$/gm)].map((m) => m[1]) }).toEqual({
        f,
        sections: ['Unit', 'Service', 'Install'],
      });
      expect({ f, restart: value(text, 'Restart') }).toEqual({ f, restart: ['on-failure'] });
      // pengawas stops within shutdownGrace (10 s) + 4.5 s of SIGTERM: systemd must wait longer than that.
      expect(Number(value(text, 'TimeoutStopSec')[0])).toBeGreaterThan(14.5);
    }
  });

  it('runs pengawas commands the CLI knows, and no two units on one host share a metrics port', () => {
    const program = buildProgram();
    const ports = new Map<string, string>();
    for (const f of units) {
      const [exec] = value(read(f), 'ExecStart');
      const words = exec.replace(/%i/g, '1').split(/\s+/);
      expect(words.slice(0, 2)).toEqual(['/usr/bin/node', '/opt/pengawas/bin/pengawas.js']);
      expect({ f, problems: commandProblems(program, words.slice(2)) }).toEqual({ f, problems: [] });
      // The split roles may share a host (pengawas.service is the alternative to them, not a companion).
      if (f === 'pengawas.service') continue;
      const port = words.includes('--metrics-port')
        ? words[words.indexOf('--metrics-port') + 1]
        : String(loadSettings(undefined, {}).metrics.port);
      expect({ f, port, takenBy: ports.get(port) }).toEqual({ f, port, takenBy: undefined });
      ports.set(port, f);
    }
  });

  const verify = spawnSync('systemd-analyze', ['--version']).status === 0;
  (verify ? it : it.skip)('passes systemd-analyze verify (and it refuses a broken unit)', () => {
    for (const f of units) {
      const r = spawnSync('systemd-analyze', ['verify', path.join(UNITS, f)], { encoding: 'utf8' });
      expect({ f, status: r.status, stderr: r.stderr }).toEqual({ f, status: 0, stderr: '' });
    }
    // The verifier is awake: a bad restart value and a missing binary are reported.
    const bad = path.join(require('node:os').tmpdir(), `pengawas-bad-${process.pid}.service`);
    require('node:fs').writeFileSync(
      bad,
      read('pengawas.service').replace('Restart=on-failure', 'Restart=sometimes').replace('/usr/bin/node', '/usr/bin/no-such-node'),
    );
    const r = spawnSync('systemd-analyze', ['verify', bad], { encoding: 'utf8' });
    require('node:fs').rmSync(bad);
    expect(r.stderr).toMatch(/restart specifier/);
    expect(r.stderr).toMatch(/no-such-node/);
  });
});
