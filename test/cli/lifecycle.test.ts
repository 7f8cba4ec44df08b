/**
 * Start and stop are crisp: SIGTERM exits within shutdownGrace + 5 s whatever Redis does (own redis-server,
 * restarted once, then stopped), and start-up failures (metrics port taken, data directory not writable,
 * evidence store held, Redis unreachable) print one line naming the port or path and exit 2 within 5 s.
 * The CLI runs from source (tsx) as a real process. Loading TypeScript on a loaded two-core machine is not the
 * product, so the 5 s is counted on top of the measured load cost of the same command line (`--version`), with
 * that cost doubled as a guard (it varies that much between two runs here), and the exit must follow the
 * message within 5 s (the old failure mode: message printed, process idling forever).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { messageLines, spawnSource } from '../helpers/cli-source';
import { freePort, sleep, waitFor } from '../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../helpers/redis';

const GRACE_MS = 3000;
const CHECKS = `checks:
  - id: lifecycle-http
    type: http
    element: efficiency
    schedule: { every: 2s }
    timeout: 1s
    target: http://127.0.0.1:9/
`;

function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  return waitFor(async () => {
    const r = new IORedis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } finally {
      r.disconnect();
    }
  }, 15_000).then(() => child);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Milliseconds from spawn to exit of `pengawas --version` with the same wrapper: the cost of loading the CLI. */
async function startupCost(wrap: string[] = []): Promise<number> {
  const t0 = Date.now();
  const p = spawnSource(['--version'], {}, wrap);
  const { at, code } = await p.exited;
  expect(code).toBe(0);
  return at - t0;
}

describe('start and stop', () => {
  let dir: string;
  let prefix: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pengawas-life-'));
    chmodSync(dir, 0o755); // readable by the unprivileged user of the data-directory case
    mkdirSync(path.join(dir, 'checks'));
    writeFileSync(path.join(dir, 'checks', 'checks.yaml'), CHECKS);
    prefix = testPrefix('life');
  });
  afterEach(async () => {
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  const settingsFile = (dataDir: string) => {
    const file = path.join(dir, 'settings.yaml');
    writeFileSync(file, `prefix: ${prefix}\ndataDir: ${dataDir}\nworker: { concurrency: 2, shutdownGrace: ${GRACE_MS}ms }\n`);
    return file;
  };
  const runArgs = (dataDir: string, port = '0') => [
    'run',
    '--checks',
    path.join(dir, 'checks'),
    '--config',
    settingsFile(dataDir),
    '--metrics-port',
    port,
  ];

  /** Runs a start-up that must fail; returns its one message line after checking code, time and no stack. */
  async function failsToStart(args: string[], env: NodeJS.ProcessEnv = {}, wrap: string[] = []): Promise<string> {
    const cost = await startupCost(wrap);
    const t0 = Date.now();
    const p = spawnSource(args, env, wrap);
    const killer = setTimeout(() => p.kill('SIGKILL'), cost + 60_000);
    const { code, at } = await p.exited;
    clearTimeout(killer);
    const out = p.output();
    expect({ code, out }).toEqual({ code: 2, out });
    expect(at - t0).toBeLessThan(2 * cost + 5000);
    expect(at - (p.messageAt() ?? 0)).toBeLessThan(5000);
    expect(out).not.toMatch(/^\s+at /m); // no stack trace
    const lines = messageLines(out);
    expect(lines).toHaveLength(1);
    return lines[0];
  }

  it('SIGTERM exits within the grace period + 5 s after Redis restarted once and then stopped', async () => {
    const port = await freePort();
    let redis = await startRedis(port, dir);
    const p = spawnSource(runArgs(path.join(dir, 'data')), { REDIS_URL: `redis://127.0.0.1:${port}` });
    try {
      await waitFor(() => /pengawas started/.test(p.output()), 90_000, 200);
      await sleep(2500); // a few slots run
      await stopProcess(redis);
      await sleep(1000);
      redis = await startRedis(port, dir);
      await sleep(4000); // the monitor reconnects and runs again
      await stopProcess(redis);
      await sleep(2000); // idle, Redis gone
      expect(p.exitCode).toBeNull();
      const t0 = Date.now();
      p.kill('SIGTERM');
      const { code, at } = await Promise.race([p.exited, sleep(GRACE_MS + 30_000).then(() => ({ code: -1, at: Date.now() }))]);
      expect(code).toBe(0);
      expect(at - t0).toBeLessThan(GRACE_MS + 5000);
    } finally {
      if (p.exitCode === null) p.kill('SIGKILL');
      await stopProcess(redis);
    }
  }, 180_000);

  it('SIGTERM with Redis up exits 0 within the grace period + 5 s', async () => {
    const p = spawnSource(runArgs(path.join(dir, 'data')), { REDIS_URL });
    try {
      await waitFor(() => /pengawas started/.test(p.output()), 90_000, 200);
      await sleep(2500);
      const t0 = Date.now();
      p.kill('SIGTERM');
      const { code, at } = await p.exited;
      expect(code).toBe(0);
      expect(at - t0).toBeLessThan(GRACE_MS + 5000);
      expect(p.output()).toMatch(/"msg":"stopped"/);
    } finally {
      if (p.exitCode === null) p.kill('SIGKILL');
    }
  }, 120_000);

  it('metrics port in use: one line naming the port and what to do, exit 2', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '0.0.0.0', () => r()));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const line = await failsToStart(runArgs(path.join(dir, 'data'), String(port)), { REDIS_URL });
      expect(line).toContain(`metrics port ${port}`);
      expect(line).toMatch(/already in use/);
      expect(line).toMatch(/--metrics-port/);
    } finally {
      holder.close();
    }
  }, 120_000);

  it('data directory not writable (an unprivileged user, a root-owned folder): one line naming the path, exit 2', async () => {
    const dataDir = path.join(dir, 'data');
    const line = await failsToStart(runArgs(dataDir), { REDIS_URL }, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
    expect(line).toContain(dataDir);
    expect(line).toMatch(/not writable/);
    expect(line).toMatch(/PENGAWAS_DATA_DIR/);
  }, 120_000);

  it('data directory blocked by a file: one line naming the path, exit 2', async () => {
    writeFileSync(path.join(dir, 'file'), 'not a folder');
    const dataDir = path.join(dir, 'file', 'data');
    const line = await failsToStart(runArgs(dataDir), { REDIS_URL });
    expect(line).toContain(path.join(dir, 'file'));
    expect(line).toMatch(/not a folder/);
  }, 120_000);

  it('Redis unreachable: one line naming the address and REDIS_URL, exit 2', async () => {
    const port = await freePort();
    const line = await failsToStart(runArgs(path.join(dir, 'data')), { REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(line).toContain(`127.0.0.1:${port}`);
    expect(line).toMatch(/REDIS_URL/);
  }, 120_000);
});
