/**
 * Many checks in flight in one worker process: each job listens on the worker's shutdown signal while it runs,
 * so more than ten at once must not make Node warn of a listener leak (a real `pengawas run` process, whose
 * stderr is read: warnings go there).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCli } from '../../helpers/cli';
import { startHttp, waitFor, type Started } from '../../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../../helpers/redis';

const CHECKS = 24;

describe('a worker running more than ten checks at once', () => {
  let target: Started;
  let dir: string;
  const prefix = testPrefix('concurrency');
  let proc: ReturnType<typeof startCli> | undefined;
  let inFlight = 0;
  let peak = 0;

  beforeAll(async () => {
    target = await startHttp((_req, res) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        res.writeHead(200).end('ok');
      }, 400);
    });
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-concurrency-'));
    mkdirSync(path.join(dir, 'checks'));
    writeFileSync(
      path.join(dir, 'settings.yaml'),
      `prefix: ${prefix}\ndataDir: ${dir}/data\nworker: { concurrency: 32 }\nevidence: { enabled: false }\n`,
    );
    writeFileSync(
      path.join(dir, 'checks', 'checks.yaml'),
      `checks:\n${Array.from({ length: CHECKS }, (_, i) => `  - { id: slow-${i}, type: http, element: efficiency, schedule: { every: 1s }, timeout: 900ms, target: "${target.url}/" }`).join('\n')}\n`,
    );
  });

  afterAll(async () => {
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    await target.close();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs them concurrently with no MaxListenersExceededWarning', async () => {
    const p = startCli(['run', '--checks', path.join(dir, 'checks'), '--config', path.join(dir, 'settings.yaml'), '--metrics-port', '0'], {
      REDIS_URL,
    });
    proc = p;
    await waitFor(() => peak > 10, 20_000);
    await new Promise((r) => setTimeout(r, 1500)); // a few more rounds of slots
    p.kill('SIGTERM');
    await new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)));
    expect(peak).toBeGreaterThan(10);
    expect(p.output()).not.toMatch(/MaxListenersExceededWarning/);
  }, 40_000);
});
