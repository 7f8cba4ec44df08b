/**
 * Redis Sentinel failover under a running monitor: one master, one replica, three sentinels (redis-server
 * --sentinel), all on free loopback ports. The monitor runs every role through `redis+sentinel://…`; the master is
 * then SIGKILLed (a crashed host: no shutdown, no last save). The monitor must carry on against the promoted
 * replica, and the test counts, per check and slot, results lost and results delivered twice across the failover.
 * A third run puts the sentinels behind links that answer 1.5 s late (a sentinel across a slow WAN, or overloaded):
 * there ioredis used to end every connection for good when the failover notice arrived mid-lookup
 * (src/queue/steady-redis.ts), and the monitor stopped without a word.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { settingsSchema } from '../../src/config/settings';
import { startMonitor } from '../../src/monitor/monitor';
import type { ResultSink } from '../../src/results/sink';
import { freePort, sleep, startHttp, waitFor } from '../helpers/net';
import { startRedisChild, type RedisChild } from '../helpers/redis-server';

jest.setTimeout(240_000);

const MASTER = 'pengawas-test';

/**
 * A TCP relay. In front of the master it is used by everyone (sentinels, clients, the replica), so Sentinel sees one
 * consistent master address; `partition()` cuts only the replication link (the connection that sends REPLCONF),
 * as a broken path between two hosts would: the master keeps acknowledging writes the replica never receives.
 * In front of a sentinel, `answerDelayMs` hands each of its answers over that much late (a slow sentinel).
 */
async function relay(toPort: number, answerDelayMs = 0): Promise<{ port: number; partition(): void; close(): void }> {
  let cut = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    const up = net.connect(toPort, '127.0.0.1');
    let replication = false;
    sockets.add(down).add(up);
    down.on('data', (d) => {
      if (d.includes('REPLCONF')) replication = true;
      if (!(cut && replication)) up.write(d);
    });
    const answer = (d: Buffer) => !(cut && replication) && !down.destroyed && down.write(d);
    up.on('data', (d: Buffer) => (answerDelayMs ? setTimeout(() => answer(d), answerDelayMs) : answer(d)));
    const end = () => (down.destroy(), up.destroy());
    down.on('error', end).on('close', end);
    up.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    partition: () => void (cut = true),
    close: () => (server.close(), sockets.forEach((x) => x.destroy())),
  };
}

/**
 * `partitioned`: the replication link is cut 2 s before the master dies, so writes the master acknowledged in that
 * time never reach the replica that will be promoted: the case asynchronous replication cannot cover.
 */
async function failover(scenario: 'healthy' | 'partitioned' | 'slow sentinels'): Promise<void> {
  const children: RedisChild[] = [];
  const admin: IORedis[] = [];
  const closers: Array<() => void> = [];
  const target = await startHttp((_req, res) => res.writeHead(200).end('ok'));
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-sentinel-'));
  const seen = new Map<string, number>();
  const sink: ResultSink = { name: 'count', write: async (r) => void seen.set(r.id, (seen.get(r.id) ?? 0) + 1) };
  let stop: (() => Promise<void>) | undefined;
  try {
    // appendonly everywhere, as docs/deploy.md recommends; replication stays asynchronous (see the counts below).
    const master = await startRedisChild(['--appendonly', 'yes']);
    children.push(master);
    const link = await relay(master.port);
    closers.push(link.close);
    const replica = await startRedisChild(['--appendonly', 'yes', '--replicaof', '127.0.0.1', String(link.port)]);
    children.push(replica);
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    for (const port of sentinelPorts) {
      const conf = [
        `sentinel monitor ${MASTER} 127.0.0.1 ${link.port} 2`,
        `sentinel down-after-milliseconds ${MASTER} 1000`,
        `sentinel failover-timeout ${MASTER} 5000`,
        `sentinel parallel-syncs ${MASTER} 1`,
        '',
      ].join('\n');
      children.push(await startRedisChild([], { port, sentinelConf: conf }));
    }
    const probe = new IORedis(replica.port, '127.0.0.1');
    admin.push(probe);
    await waitFor(async () => /master_link_status:up/.test(await probe.info('replication')), 20_000);
    // Sentinels must know the replica and each other before a failover can be agreed.
    const s0 = new IORedis(sentinelPorts[0], '127.0.0.1');
    admin.push(s0);
    await waitFor(
      async () =>
        ((await s0.call('SENTINEL', 'replicas', MASTER)) as unknown[]).length === 1 &&
        ((await s0.call('SENTINEL', 'sentinels', MASTER)) as unknown[]).length === 2,
      30_000,
      250,
    );

    writeFileSync(
      path.join(dir, 'checks.yaml'),
      [
        'checks:',
        ...['a', 'b', 'c'].map(
          (n) =>
            `  - { id: sent-${n}, type: http, element: efficiency, schedule: { every: 1s }, timeout: 1s, target: "${target.url}/${n}" }`,
        ),
        '',
      ].join('\n'),
    );
    const settings = settingsSchema.parse({
      checksDir: dir,
      dataDir: path.join(dir, 'data'),
      prefix: 'pgw-sentinel',
      metrics: { port: 0, host: '127.0.0.1' },
      worker: { concurrency: 8, lockDuration: '5s', stalledInterval: '2s', shutdownGrace: '2s', retryBackoff: '200ms' },
      recorder: { claimIdle: '2s' },
      evidence: { enabled: false },
    });
    const asked = [...sentinelPorts];
    // With slow sentinels a client learns the new master one lookup later than the sentinels do, a lookup the
    // failover notice cut short is one more (measured: 4-5 s of unrun slots after the crash), and one more is
    // headroom for a loaded machine: the window in which slots may go unrun grows by that much.
    const slowMs = scenario === 'slow sentinels' ? 1500 : 0;
    const lookups = 3 * slowMs;
    if (slowMs) {
      for (const [i, port] of sentinelPorts.entries()) {
        const slow = await relay(port, slowMs);
        closers.push(slow.close);
        asked[i] = slow.port;
      }
    }
    const url = `redis+sentinel://${asked.map((p) => `127.0.0.1:${p}`).join(',')}/${MASTER}`;
    const monitor = await startMonitor({
      settings,
      roles: ['scheduler', 'worker', 'recorder'],
      redisUrl: url,
      sinks: [sink],
      watch: false,
    });
    stop = () => monitor.stop();
    await waitFor(() => seen.size >= 15, 60_000, 200);

    if (scenario === 'partitioned') {
      link.partition();
      await sleep(2000);
    }
    // Replication offsets at the moment of the crash: the bytes the replica is missing.
    const mconn = new IORedis(master.port, '127.0.0.1');
    mconn.on('error', () => undefined);
    const offset = async (c: IORedis) => Number(/master_repl_offset:(\d+)/.exec(await c.info('replication'))?.[1] ?? 0);
    const unreplicatedBytes = (await offset(mconn)) - (await offset(probe));
    mconn.disconnect();
    const killedAt = Date.now();
    await master.kill();
    const promotedAfter = await waitFor(
      async () => (/role:master/.test(await probe.info('replication')) ? Date.now() - killedAt : 0),
      60_000,
      100,
    );
    // Results for slots after the promotion, through the same monitor and the same client objects.
    await waitFor(
      () => [...seen.keys()].filter((id) => Date.parse(id.split('@')[1]) > killedAt + promotedAfter + 2000 + lookups).length >= 9,
      90_000,
      250,
    );
    const ready = await fetch(`http://127.0.0.1:${monitor.metricsPort}/readyz`);
    expect(ready.status).toBe(200);
    await sleep(3000); // let in-flight slots of the last seconds land before counting
    await monitor.stop();
    stop = undefined;

    // Count per check: every 1 s slot from its first to its last recorded one is expected once.
    const byCheck = new Map<string, number[]>();
    for (const id of seen.keys()) {
      const [check, slot] = id.split('@');
      byCheck.set(check, [...(byCheck.get(check) ?? []), Date.parse(slot)]);
    }
    let lost = 0;
    let expected = 0;
    const lostSlots: string[] = [];
    for (const [check, slots] of byCheck) {
      slots.sort((x, y) => x - y);
      for (let t = slots[0]; t <= slots[slots.length - 1]; t += 1000) {
        expected++;
        if (!slots.includes(t)) (lost++, lostSlots.push(`${check}@${new Date(t).toISOString()}`));
      }
    }
    const duplicated = [...seen.values()].filter((n) => n > 1).length;
    const report = {
      scenario,
      killedAt: new Date(killedAt).toISOString(),
      unreplicatedBytes,
      promotedAfterMs: promotedAfter,
      expected,
      recorded: seen.size,
      lost,
      duplicated,
      lostSlots,
    };
    // The numbers docs/deploy.md quotes come from this line.
    console.log(`sentinel failover: ${JSON.stringify(report)}`);
    expect(byCheck.size).toBe(3);
    // Asynchronous replication can lose what the master acknowledged in its last instant (docs/deploy.md);
    // bounded here by the slots of the failover window, never the slots after it.
    const windowStart = killedAt - (scenario === 'partitioned' ? 3000 : 1000);
    expect(
      lostSlots.every(
        (s) => Date.parse(s.split('@')[1]) >= windowStart && Date.parse(s.split('@')[1]) < killedAt + promotedAfter + 2000 + lookups,
      ),
    ).toBe(true);
    if (scenario !== 'partitioned') expect(lost).toBeLessThanOrEqual(3 * Math.ceil((promotedAfter + 2000 + lookups) / 1000));
  } finally {
    admin.forEach((c) => c.disconnect());
    await stop?.();
    for (const c of children.reverse()) await c.stop();
    closers.forEach((c) => c());
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('healthy replica: the monitor continues on the promoted replica after the master is killed; slots lost and duplicated are counted', () =>
  failover('healthy'));
test('partitioned replica: what the master acknowledged but never replicated is counted, and only inside the failover window', () =>
  failover('partitioned'));
test('slow sentinels: a failover notice that arrives while a connection asks the sentinels for the master does not end it', () =>
  failover('slow sentinels'));
