/**
 * pengawas on a local three-master Redis Cluster (redis-server --cluster-enabled yes, joined with
 * `redis-cli --cluster create`): with a hash-tagged prefix every key lands in one slot, checks run, results are
 * recorded; without the tag the monitor refuses to start.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { settingsSchema } from '../../src/config/settings';
import { startMonitor } from '../../src/monitor/monitor';
import { ping } from '../../src/queue/connection';
import { startHttp, waitFor } from '../helpers/net';
import { startRedisChild, type RedisChild } from '../helpers/redis-server';

jest.setTimeout(180_000);

test('three masters, prefix {pgw}: one slot for every key, checks run and are recorded; an untagged prefix is refused', async () => {
  const nodes: RedisChild[] = [];
  const target = await startHttp((_req, res) => res.writeHead(200).end('ok'));
  const dir = mkdtempSync(path.join(tmpdir(), 'pengawas-cluster-'));
  try {
    for (let i = 0; i < 3; i++)
      nodes.push(await startRedisChild(['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${i}.conf`, '--appendonly', 'yes']));
    execFileSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { stdio: 'ignore' },
    );
    const admins = nodes.map((n) => new IORedis(n.port, '127.0.0.1'));
    await waitFor(
      async () => (await Promise.all(admins.map((a) => a.cluster('INFO')))).every((t) => /cluster_state:ok/.test(t as string)),
      30_000,
      200,
    );
    const url = `redis+cluster://${nodes.map((n) => `127.0.0.1:${n.port}`).join(',')}`;
    await ping(url);

    writeFileSync(
      path.join(dir, 'checks.yaml'),
      [
        'checks:',
        ...['a', 'b'].map(
          (n) =>
            `  - { id: clu-${n}, type: http, element: efficiency, schedule: { every: 1s }, timeout: 1s, target: "${target.url}/${n}" }`,
        ),
        '',
      ].join('\n'),
    );
    const base = {
      checksDir: dir,
      dataDir: path.join(dir, 'data'),
      metrics: { port: 0, host: '127.0.0.1' },
      worker: { concurrency: 4, lockDuration: '5s', stalledInterval: '2s', shutdownGrace: '2s', retryBackoff: '200ms' },
      recorder: { claimIdle: '2s' },
    };
    await expect(
      startMonitor({
        settings: settingsSchema.parse({ ...base, prefix: 'pgw' }),
        roles: ['scheduler', 'worker', 'recorder'],
        redisUrl: url,
        watch: false,
      }),
    ).rejects.toThrow(/hash-tagged prefix .*"\{pgw\}"/);

    const monitor = await startMonitor({
      settings: settingsSchema.parse({ ...base, prefix: '{pgw}' }),
      roles: ['scheduler', 'worker', 'recorder'],
      redisUrl: url,
      watch: false,
    });
    try {
      const runs = async () => {
        const t = await (await fetch(`http://127.0.0.1:${monitor.metricsPort}/metrics`)).text();
        return [...t.matchAll(/^pengawas_check_runs_total\{check="clu-[ab]",[^}]*result="pass"\} (\d+)/gm)].map((m) => Number(m[1]));
      };
      await waitFor(
        async () => {
          const r = await runs();
          return r.length === 2 && r.every((n) => n >= 3);
        },
        60_000,
        500,
      );
      expect((await fetch(`http://127.0.0.1:${monitor.metricsPort}/readyz`)).status).toBe(200);
      // Every pengawas key is on one node, in one slot.
      const keysPerNode = await Promise.all(admins.map((a) => a.keys('{pgw}*')));
      expect(keysPerNode.filter((k) => k.length > 0)).toHaveLength(1);
      const all = keysPerNode.flat();
      expect(all.length).toBeGreaterThan(5);
      const slots = new Set(await Promise.all(all.map((k) => admins[0].cluster('KEYSLOT', k))));
      expect(slots.size).toBe(1);
    } finally {
      await monitor.stop();
    }
    for (const a of admins) a.disconnect();
  } finally {
    for (const n of nodes) await n.stop();
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
