/**
 * Records which Redis commands each pengawas role really sends, to derive its least-privilege ACL
 * (src/queue/redis-acl.ts) from observation instead of a guess. Run after upgrading BullMQ or ioredis:
 *
 *   npx tsx scripts/record-redis-commands.ts
 *
 * It starts a private redis-server, one ACL user per role (scheduler, worker, recorder) allowed everything, runs
 * the roles as separate monitors sharing a results key (passing, failing and retried checks, scrapes), and drives
 * the results path's other branches from an admin connection: a full results stream (the worker hands jobs back,
 * the recorder dead-letters the unsigned filler and trims it), a check only the scheduler knows (hand-back, then
 * an expired slot claim: a gap written by the worker), a replayed entry (a marker says "already recorded") and a
 * signed result older than the retention (a gap written by the recorder). It watches MONITOR. Commands a Lua script
 * runs (BullMQ's, the results cap) count for the client that called the script; in Redis 7 MONITOR prints them
 * right after the EVALSHA that ran them. The CLI (`pengawas attest | waive | evidence`) uses no Redis.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { settingsSchema } from '../src/config/settings';
import { startMonitor, type Role } from '../src/monitor/monitor';
import { keyringFor } from '../src/results/keyring';
import { ResultStream } from '../src/results/stream';
import { setLogLevel } from '../src/util/logger';

// Subcommands are recorded for the commands that have them, so the ACL can allow `client|setname` only.
const CONTAINERS = new Set(['client', 'config', 'xinfo', 'xgroup', 'script', 'object', 'command', 'memory', 'function', 'cluster', 'acl']);
const ROLES = ['scheduler', 'worker', 'recorder'] as const;
// Split roles refuse to start without a shared results key (docs/results.md); it lives only in this process.
process.env.PENGAWAS_RECORD_RESULTS_KEY = randomBytes(32).toString('hex');
const RESULTS = { keys: { main: '${env:PENGAWAS_RECORD_RESULTS_KEY}' }, maxLength: 100 };

const freePort = () =>
  new Promise<number>((r) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => r(p));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Observed {
  seen: Map<string, Set<string>>;
  /** Commands the ACL refused (ACL LOG): MONITOR never shows admin commands such as CLIENT LIST. */
  denied: Map<string, Set<string>>;
}

async function run(rules: (role: string) => string[]): Promise<Observed> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-acl-record-'));
  const port = await freePort();
  const users = ROLES.flatMap((u) => ['--user', u, 'on', `>${u}-pw`, ...rules(u)]);
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...users], {
    stdio: 'ignore',
  });
  await sleep(500);
  const target = http.createServer((req, res) => res.writeHead(req.url === '/fail' ? 500 : 200).end('ok')).listen(0, '127.0.0.1');
  await new Promise((r) => target.once('listening', r));
  const tport = (target.address() as net.AddressInfo).port;
  const checks = [
    'checks:',
    ...['ok', 'fail'].map(
      (n) =>
        `  - { id: rec-${n}, type: http, element: efficiency, schedule: { every: 1s }, timeout: 500ms, target: "http://127.0.0.1:${tport}/${n}" }`,
    ),
    `  - { id: rec-error, type: http, element: efficiency, schedule: { every: 2s }, timeout: 300ms, retries: 1, target: "http://127.0.0.1:1/" }`,
  ];
  // The worker reads a checks folder without rec-gone (a rolling configuration change): it hands those jobs back.
  const workerDir = path.join(dir, 'worker-checks');
  mkdirSync(workerDir);
  writeFileSync(path.join(workerDir, 'checks.yaml'), [...checks, ''].join('\n'));
  writeFileSync(
    path.join(dir, 'checks.yaml'),
    [
      ...checks,
      `  - { id: rec-gone, type: http, element: efficiency, schedule: { every: 1s }, timeout: 500ms, target: "http://127.0.0.1:${tport}/ok" }`,
      '',
    ].join('\n'),
  );
  const url = (u: string) => `redis://${u}:${u}-pw@127.0.0.1:${port}`;
  const admin = new IORedis(port, '127.0.0.1');
  const mon = await new IORedis(port, '127.0.0.1').monitor();
  const userOf = new Map<string, string>();
  // Attribution waits until the end: a connection sends AUTH before CLIENT LIST can have shown it.
  const events: Array<[string, string]> = [];
  let lastSource = '';
  mon.on('monitor', (_t: string, args: string[], source: string) => {
    if (source !== 'lua') lastSource = source;
    const cmd = args[0].toLowerCase();
    events.push([lastSource, CONTAINERS.has(cmd) && args[1] ? `${cmd}|${args[1].toLowerCase()}` : cmd]);
  });
  const poll = setInterval(async () => {
    const list = (await admin.client('LIST')) as string;
    for (const line of list.split('\n')) {
      const addr = /addr=(\S+)/.exec(line)?.[1];
      const user = /user=(\S+)/.exec(line)?.[1];
      if (addr && user) userOf.set(addr, user);
    }
  }, 5);

  const base = {
    prefix: 'pengawas',
    metrics: { port: 0, host: '127.0.0.1' },
    worker: { lockDuration: '5s', stalledInterval: '2s', retryBackoff: '200ms' },
    recorder: { claimIdle: '2s' },
    results: RESULTS,
  };
  const started = [];
  for (const role of ['scheduler', 'worker', 'recorder'] as Role[]) {
    await sleep(300); // CLIENT LIST must see each role's connections before they send much
    const settings = settingsSchema.parse({ ...base, checksDir: role === 'worker' ? workerDir : dir, dataDir: path.join(dir, role) });
    started.push(await startMonitor({ settings, roles: [role], redisUrl: url(role), watch: false }));
  }
  const scrapeAll = async () => {
    for (const m of started) {
      await fetch(`http://127.0.0.1:${m.metricsPort}/metrics`);
      await fetch(`http://127.0.0.1:${m.metricsPort}/readyz`);
    }
  };
  for (let i = 0; i < 6; i++) (await sleep(1000), await scrapeAll());
  // An expired slot claim: the worker's next hand-back of rec-gone finds no claim and writes a gap.
  for (const k of await admin.keys('pengawas:slot:*rec-gone*')) await admin.del(k);
  // A replay of a recorded entry (the marker says it was recorded) and a signed result older than the retention.
  const [[, fields]] = await admin.xrevrange('pengawas:results', '+', '-', 'COUNT', 1);
  const raw = fields[fields.indexOf('r') + 1];
  await admin.xadd('pengawas:results', '*', ...fields);
  const old = { ...JSON.parse(raw), startedAt: new Date(Date.now() - 3 * 86_400_000).toISOString() };
  await new ResultStream(admin, 'pengawas', {
    keyring: keyringFor(settingsSchema.parse(base).results, { signs: true, verifies: false }),
  }).publish(old);
  for (let i = 0; i < 3; i++) (await sleep(1000), await scrapeAll());
  // A full results stream (results.maxLength 100): the worker hands its jobs back until the recorder has
  // dead-lettered the unsigned filler and trimmed it (every 5 s).
  for (let i = 0; i < 120; i++) await admin.xadd('pengawas:results', '*', 'r', '{}');
  for (let i = 0; i < 8; i++) (await sleep(1000), await scrapeAll());
  const count = async (k: string) => admin.xlen(k).catch(() => 0);
  console.error(
    `results ${await count('pengawas:results')}, dead ${await count('pengawas:results:dead')}, gaps ${await count('pengawas:results:gaps')}`,
  );
  for (const m of started) {
    const t = await (await fetch(`http://127.0.0.1:${m.metricsPort}/metrics`)).text();
    for (const l of t.split('\n'))
      if (/^pengawas_(jobs_handed_back|slots_expired|results_dropped|results_rejected|recorder_results)_total/.test(l))
        console.error(' ', l);
  }
  for (const m of started.reverse()) await m.stop();
  await sleep(300);
  clearInterval(poll);
  const log = (await admin.acl('LOG', '1000')) as unknown as Array<Array<string | number>>;
  const denied = new Map<string, Set<string>>(ROLES.map((r) => [r, new Set()]));
  for (const entry of log) {
    const e = Object.fromEntries(Array.from({ length: entry.length / 2 }, (_x, i) => [entry[2 * i], entry[2 * i + 1]]));
    denied.get(String(e.username))?.add(`${e.reason}:${e.object}`);
  }
  mon.disconnect();
  admin.disconnect();
  redis.kill('SIGTERM');
  target.close();
  rmSync(dir, { recursive: true, force: true });
  const seen = new Map<string, Set<string>>(ROLES.map((r) => [r, new Set()]));
  const unknown = new Set<string>();
  for (const [source, name] of events) {
    const user = userOf.get(source);
    if (user && seen.has(user)) seen.get(user)!.add(name);
    else if (user !== 'default') unknown.add(name);
  }
  // Connections that closed between two CLIENT LIST polls (a readiness PING) cannot be attributed.
  if (unknown.size) console.error('unattributed (short-lived connections):', [...unknown].sort().join(' '));
  return { seen, denied };
}

async function main(): Promise<void> {
  setLogLevel('error');
  // Pass 1: everything allowed, MONITOR says what is used. Pass 2: only that allowed, ACL LOG says what is missing.
  // Further passes add each refused command, until a pass runs with nothing refused.
  const first = await run(() => ['~*', '&*', '+@all']);
  const allowed = new Map(ROLES.map((r) => [r, new Set(first.seen.get(r))]));
  const fromLog = new Map(ROLES.map((r) => [r, new Set<string>()]));
  for (let pass = 2; pass <= 6; pass++) {
    const o = await run((u) => ['~pengawas:*', 'resetchannels', '-@all', ...[...allowed.get(u)!].map((c) => `+${c}`)]);
    let added = 0;
    for (const r of ROLES) {
      for (const d of o.denied.get(r)!) {
        const [reason, object] = d.split(':');
        if (reason !== 'command') throw new Error(`${r}: denied ${d} (a key or channel outside the prefix?)`);
        if (!allowed.get(r)!.has(object)) (allowed.get(r)!.add(object), fromLog.get(r)!.add(object), added++);
      }
    }
    console.error(`pass ${pass}: ${added} command(s) added from ACL LOG`);
    if (!added) break;
  }
  const out = Object.fromEntries(
    ROLES.map((r) => [r, { commands: [...allowed.get(r)!].sort(), seenOnlyInAclLog: [...fromLog.get(r)!].sort() }]),
  );
  console.log(JSON.stringify(out, null, 2));
}

void main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
