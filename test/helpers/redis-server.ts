/** A private redis-server (or sentinel) child on a free loopback port, for tests that configure, kill or fail it over. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, sleep } from './net';

export interface RedisChild {
  port: number;
  dir: string;
  child: ChildProcess;
  log(): string;
  /** SIGKILL: the way a crashed host or an OOM kill ends it (no shutdown save, no goodbye to clients). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const listening = (port: number) =>
  new Promise<boolean>((r) => {
    const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
    s.on('error', () => r(false));
  });

/** Starts `redis-server <args>`; `portArg` names the option that gets the free port ('--port' or '--tls-port'). */
export async function startRedisChild(
  args: string[],
  o: { portArg?: string; port?: number; sentinelConf?: string } = {},
): Promise<RedisChild> {
  const port = o.port ?? (await freePort());
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-redis-'));
  if (o.sentinelConf !== undefined) writeFileSync(path.join(dir, 'sentinel.conf'), o.sentinelConf);
  const portArgs = o.portArg === '--tls-port' ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)];
  const child = spawn(
    'redis-server',
    [
      ...(o.sentinelConf !== undefined ? [path.join(dir, 'sentinel.conf'), '--sentinel'] : []),
      ...portArgs,
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await gone;
  };
  for (let i = 0; i < 100 && !(await listening(port)); i++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited:\n${out}`);
    await sleep(100);
  }
  return { port, dir, child, log: () => out, kill, stop: async () => (await kill(), rmSync(dir, { recursive: true, force: true })) };
}
