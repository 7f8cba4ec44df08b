/** The CLI as a user runs it: ad-hoc probes and checks without Redis, exit codes, list, help, reload by SIGHUP. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { obtainRedis } from '../../../src/queue/embedded-redis';
import { ping } from '../../../src/queue/connection';
import { runCli, startCli } from '../../helpers/cli';
import { sample } from '../../helpers/monitor';
import { freePort, startHttp, waitFor, type Started } from '../../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../../helpers/redis';

describe('pengawas CLI', () => {
  let server: Started;
  let dir: string;
  beforeAll(async () => {
    server = await startHttp((req, res) =>
      req.url === '/ok' ? res.writeHead(200).end('{"status":"UP"}') : res.writeHead(500).end('boom'),
    );
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-cli-'));
    mkdirSync(path.join(dir, 'checks'));
    writeFileSync(
      path.join(dir, 'checks', 'c.yaml'),
      `checks:
  - { id: up, type: http, element: efficiency, schedule: { every: 1s }, timeout: 800ms, target: "${server.url}/ok" }
  - { id: down, type: http, element: security, schedule: "*/5 * * * * *", timeout: 800ms, target: "${server.url}/down" }
  - { id: gone, type: http, element: credibility, schedule: { every: 1m }, timeout: 800ms, target: "http://127.0.0.1:1/" }
`,
    );
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('probe prints the result contract and exits 0 on pass, 1 on fail, 2 on error and on bad usage', async () => {
    const ok = await runCli(['probe', 'http', `${server.url}/ok`, '--opt', 'json=[{"path":"$.status","equals":"UP"}]', '--json']);
    expect(ok.code).toBe(0);
    const r = JSON.parse(ok.stdout);
    expect(r).toMatchObject({ checkId: 'cli', type: 'http', status: 'pass', findings: [] });
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['id', 'element', 'target', 'startedAt', 'durationMs', 'measurements']));
    expect((await runCli(['probe', 'http', `${server.url}/down`])).code).toBe(1);
    expect((await runCli(['probe', 'http', 'http://127.0.0.1:1/'])).code).toBe(2);
    const badOpt = await runCli(['probe', 'http', `${server.url}/ok`, '--opt', 'expectStatus=nope']);
    expect(badOpt.code).toBe(2);
    expect(badOpt.stderr).toMatch(/--opt expectStatus/);
    const badType = await runCli(['probe', 'smoke-signal', 'x']);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toMatch(/unknown probe type "smoke-signal"; known types: .*http/);
  });

  it('check <id> runs one configured check; list shows schedules and elements; help works everywhere', async () => {
    const checks = path.join(dir, 'checks');
    expect((await runCli(['check', 'up', '--checks', checks, '--json'])).code).toBe(0);
    const down = await runCli(['check', 'down', '--checks', checks]);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(
      /FAIL {2}down \(http, security\).*\n {2}fail {2}high {5}http\.status\.unexpected: status 500, expected 2xx/,
    );
    expect((await runCli(['check', 'gone', '--checks', checks])).code).toBe(2);
    const unknown = await runCli(['check', 'nope', '--checks', checks]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/PENGAWAS_UNKNOWN_CHECK/);
    const list = await runCli(['list', '--checks', checks]);
    expect(list.stdout).toMatch(/^id +type +element +schedule +target/);
    expect(list.stdout).toMatch(/down +http +security +\*\/5 \* \* \* \* \*/);
    for (const cmd of [[], ['run'], ['worker'], ['probe'], ['validate']]) {
      const h = await runCli([...cmd, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/Usage: pengawas/);
    }
  });

  it('run reloads on SIGHUP (file watching off), rejects a bad config with reload_success 0, and is ready', async () => {
    const prefix = testPrefix('cli');
    const checks = path.join(dir, 'checks-hup');
    mkdirSync(checks);
    writeFileSync(
      path.join(checks, 'a.yaml'),
      `checks:\n  - { id: up, type: http, element: efficiency, schedule: { every: 1s }, timeout: 800ms, target: "${server.url}/ok" }\n`,
    );
    writeFileSync(
      path.join(dir, 'settings.yaml'),
      `prefix: ${prefix}\ndataDir: ${dir}/data\nwatchChecks: false\nevidence: { enabled: false }\n`,
    );
    const port = await freePort();
    const p = startCli(['run', '--checks', checks, '--config', path.join(dir, 'settings.yaml'), '--metrics-port', String(port)], {
      REDIS_URL,
    });
    try {
      const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      await waitFor(async () => sample(await scrape(), 'pengawas_check_status{check="up",element="efficiency",type="http"}') === 1, 15_000);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      writeFileSync(path.join(checks, 'a.yaml'), 'checks:\n  - { id: up, type: http }\n');
      await new Promise((r) => setTimeout(r, 500));
      expect(sample(await scrape(), 'pengawas_config_last_reload_success')).toBe(1); // no watcher: nothing yet
      p.kill('SIGHUP');
      await waitFor(async () => sample(await scrape(), 'pengawas_config_last_reload_success') === 0, 10_000);
      expect(sample(await scrape(), 'pengawas_config_checks')).toBe(1); // the last good configuration keeps running
      p.kill('SIGTERM');
      const code = await new Promise((r) => p.once('exit', r));
      expect(code).toBe(0);
    } finally {
      if (p.exitCode === null) p.kill('SIGKILL');
      await dropPrefix(prefix);
    }
  });

  it('run refuses to start on an invalid configuration (exit 2, every problem listed)', async () => {
    const bad = path.join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'x.yaml'), 'checks:\n  - { id: x, type: http, element: nope, schedule: "bad", target: http://x }\n');
    const r = await runCli(['run', '--checks', bad, '--metrics-port', '0'], { env: { REDIS_URL } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/x\.yaml:2 check "x" element/);
    expect(r.stderr).toMatch(/x\.yaml:2 check "x" schedule: schedule "bad" is not a valid cron expression/);
  });

  it('starts a private redis-server when nothing answers on the default address, and stops it', async () => {
    const closed = `redis://127.0.0.1:${await freePort()}`;
    const data = mkdtempSync(path.join(tmpdir(), 'pengawas-embedded-'));
    const h = await obtainRedis(undefined, data, closed);
    try {
      expect(h.child).toBeDefined();
      expect(h.url).not.toBe(closed);
      await ping(h.url);
      const client = new IORedis(h.url);
      expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      client.disconnect();
    } finally {
      await h.stop();
      rmSync(data, { recursive: true, force: true });
    }
    await expect(ping(h.url, 300)).rejects.toThrow(/does not answer/);
  });
});
