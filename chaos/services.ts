/**
 * The real processes a chaos run injects faults into, each on a free loopback port in the run's own folder:
 * redis-server (AOF, fsync always: the production setting, so a kill loses no acknowledged write), a PostgreSQL
 * cluster of its own (initdb + pg_ctl, run as the `postgres` user when we are root), and pengawas roles started
 * from bin/pengawas.js. Nothing here touches the machine's shared Redis or PostgreSQL.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../test/helpers/net';

export const ROOT = path.resolve(__dirname, '..');
export const BIN = path.join(ROOT, 'bin', 'pengawas.js');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitPort(port: number, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** A child process that can be killed and started again with the same command. */
export class Proc {
  child: ChildProcess | undefined;
  log = '';
  constructor(
    readonly name: string,
    private readonly cmd: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv = {},
  ) {}

  start(): this {
    const c = spawn(this.cmd, this.args, { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => (this.log = (this.log + d.toString()).slice(-20_000));
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    this.child = c;
    return this;
  }

  get alive(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the process is gone (SIGKILL after `graceMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<number> {
    const c = this.child;
    if (!c || !this.alive) return 0;
    const t0 = Date.now();
    const gone = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
    return Date.now() - t0;
  }
}

export async function startRedis(dir: string): Promise<{ proc: Proc; url: string }> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const proc = new Proc('redis', 'redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--maxmemory-policy',
    'noeviction',
  ]).start();
  await waitPort(port);
  return { proc, url: `redis://127.0.0.1:${port}` };
}

const PG_BIN = (() => {
  const base = '/usr/lib/postgresql';
  const v = existsSync(base) ? readdirSync(base).sort().pop() : undefined;
  return v ? path.join(base, v, 'bin') : '';
})();

/** A PostgreSQL cluster of the run's own; `pg_ctl` stops and starts it for the outage. */
export class Postgres {
  readonly url: string;
  private readonly asPostgres = process.getuid?.() === 0;
  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  private run(bin: string, args: string[]): void {
    const cmd = path.join(PG_BIN, bin);
    const [file, argv] = this.asPostgres ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    try {
      execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      throw new Error(`${bin} failed: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}`);
    }
  }

  static async create(dir: string): Promise<Postgres> {
    if (!PG_BIN) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
    mkdirSync(dir, { recursive: true });
    const pg = new Postgres(dir, await freePort());
    // The run's folder is 0700 (mkdtemp): the postgres user must be able to reach its cluster below it.
    if (pg.asPostgres) chmodSync(path.dirname(dir), 0o711);
    if (pg.asPostgres)
      chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
    pg.run('initdb', ['-D', path.join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    await pg.start();
    return pg;
  }

  async start(): Promise<void> {
    this.run('pg_ctl', [
      '-D',
      path.join(this.dir, 'data'),
      '-l',
      path.join(this.dir, 'log'),
      '-w',
      '-o',
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=on`,
      'start',
    ]);
    await waitPort(this.port);
  }

  async stop(): Promise<void> {
    this.run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }
}

export function pengawas(role: string, env: NodeJS.ProcessEnv, checksDir: string): Proc {
  return new Proc(
    role,
    process.execPath,
    [BIN, role.replace(/-.*$/, ''), '--checks', checksDir, '--metrics-port', '0', '--log-level', 'warn'],
    env,
  );
}
