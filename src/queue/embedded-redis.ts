/**
 * The embedded default: with no REDIS_URL and nothing on 127.0.0.1:6379, `pengawas run` starts a private
 * redis-server child (AOF on, data under <dataDir>/redis) and stops it on exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { RedisUnavailableError } from '../errors';
import { logger } from '../util/logger';
import { DEFAULT_REDIS_URL, ping, redact } from './connection';

export interface RedisHandle {
  url: string;
  /** Set when pengawas started its own redis-server. */
  child?: ChildProcess;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const HOW_TO_GET_REDIS =
  'pengawas needs Redis. Set REDIS_URL to a running Redis, or install one: `apt-get install redis-server` ' +
  '(pengawas then starts a private one for you), or `docker compose up redis`.';

export async function obtainRedis(explicitUrl: string | undefined, dataDir: string, defaultUrl = DEFAULT_REDIS_URL): Promise<RedisHandle> {
  if (explicitUrl) {
    await ping(explicitUrl);
    return { url: explicitUrl, stop: () => Promise.resolve() };
  }
  try {
    await ping(defaultUrl, 1000);
    return { url: defaultUrl, stop: () => Promise.resolve() };
  } catch {
    // nothing on the default port: try the embedded default below
  }
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (found.error || found.status !== 0)
    throw new RedisUnavailableError(`no Redis at ${defaultUrl} and no redis-server on PATH. ${HOW_TO_GET_REDIS}`);
  const dir = path.resolve(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--logfile',
      path.join(dir, 'redis.log'),
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    try {
      await ping(url, 500);
      logger().info({ url: redact(url), dir }, 'started embedded redis-server');
      return {
        url,
        child,
        stop: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new RedisUnavailableError(`the embedded redis-server did not start (see ${path.join(dir, 'redis.log')}). ${HOW_TO_GET_REDIS}`);
}
