/**
 * What the scheduler suites share: a private redis-server (its INFO commandstats and keys are the suite's alone), a
 * checks folder of `n` one-second http checks, and connections closed with the server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { loadChecks } from '../../src/config/load';
import type { CheckSet } from '../../src/config/check';
import { startRedisChild, type RedisChild } from '../helpers/redis-server';

export interface SchedulerBed {
  /** A new connection to the private server (closed by stop()). */
  conn(): IORedis;
  /** The checks `<idPrefix>-0` … `<idPrefix>-<n-1>`, each `every: 1s`. */
  checks(): CheckSet;
  stop(): Promise<void>;
}

export async function schedulerBed(n: number, idPrefix: string): Promise<SchedulerBed> {
  const redis: RedisChild = await startRedisChild(['--appendonly', 'no']);
  const dir = mkdtempSync(path.join(tmpdir(), `pengawas-sched-${idPrefix}-`));
  const lines = ['checks:'];
  for (let i = 0; i < n; i++)
    lines.push(
      `  - { id: ${idPrefix}-${i}, type: http, element: efficiency, schedule: { every: 1s }, timeout: 900ms, target: "http://127.0.0.1:9/" }`,
    );
  writeFileSync(path.join(dir, 'checks.yaml'), `${lines.join('\n')}\n`);
  const conns: IORedis[] = [];
  return {
    conn() {
      const c = new IORedis({ port: redis.port, host: '127.0.0.1', maxRetriesPerRequest: null });
      conns.push(c);
      return c;
    },
    checks: () => loadChecks(dir),
    async stop() {
      for (const c of conns) c.disconnect();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Each check's slots (`<check>@<slot ms>`): consecutive seconds, none missing between its first and last, none twice. */
export function expectEverySlotOnce(ids: string[], checks: number): void {
  expect(new Set(ids).size).toBe(ids.length);
  const byCheck = new Map<string, number[]>();
  for (const id of ids) {
    const [check, slot] = id.split('@');
    byCheck.set(check, [...(byCheck.get(check) ?? []), Number(slot)]);
  }
  expect(byCheck.size).toBe(checks);
  for (const slots of byCheck.values()) {
    slots.sort((a, b) => a - b);
    for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBe(1000);
  }
}
