/**
 * Assembles the roles of one pengawas process: scheduler, worker, recorder (any subset; `run` = all three), the
 * configuration holder with reload, and the /metrics server.
 */
import type { Redis } from 'ioredis';
import { ConfigHolder } from '../config/holder';
import type { Settings } from '../config/settings';
import { Metrics } from '../metrics/definitions';
import { startMetricsServer } from '../metrics/server';
import { loadWebConfig } from '../metrics/web-config';
import { prefixProblem } from '../queue/redis-endpoint';
import { UsageError } from '../errors';
import { CheckQueue } from '../queue/check-queue';
import { CheckWorker } from '../queue/check-worker';
import { connect, ping } from '../queue/connection';
import { Recorder } from '../recorder/recorder';
import type { ResultSink } from '../recorder/sink';
import { keyringFor } from '../results/keyring';
import { ResultStream } from '../results/stream';
import { Scheduler } from '../scheduler/scheduler';
import { logger } from '../util/logger';
import { openEvidence } from './evidence';

import type { Role } from './roles';
export { ALL_ROLES, type Role } from './roles';

export interface MonitorOptions {
  settings: Settings;
  roles: Role[];
  redisUrl: string;
  sinks?: ResultSink[];
  /** Listen for SIGHUP and (per settings.watchChecks) file changes to reload (default true). */
  watch?: boolean;
  /** Run every check once at start, besides its schedule (the demo). */
  runNow?: boolean;
}

export interface Monitor {
  metrics: Metrics;
  metricsPort: number;
  config: ConfigHolder;
  stop(): Promise<void>;
}

export async function startMonitor(o: MonitorOptions): Promise<Monitor> {
  const s = o.settings;
  const runsProbes = o.roles.includes('worker');
  // Throws ConfigError: the monitor refuses to start on an invalid configuration.
  const config = ConfigHolder.load(s.checksDir, { checkSecrets: runsProbes });
  // A bad web-config.yml is a start-up error too, raised before any connection or role is started.
  if (s.metrics.webConfigFile) loadWebConfig(s.metrics.webConfigFile);
  const prefixWrong = prefixProblem(o.redisUrl, s.prefix);
  if (prefixWrong) throw new UsageError(prefixWrong);
  // Throws ConfigError: a split worker or recorder without a results key refuses to start.
  const keyring = keyringFor(s.results, { signs: runsProbes, verifies: o.roles.includes('recorder') });
  const metrics = new Metrics();
  metrics.syncChecks(config.current);
  metrics.configReloaded(true);

  const connections: Redis[] = [];
  const conn = (name: string) => {
    const c = connect(o.redisUrl, name);
    c.on('error', (err) => logger().warn({ conn: name, err: err.message }, 'redis connection error'));
    connections.push(c);
    return c;
  };
  const main = conn('main');
  metrics.results.watchRedis(main);
  const queue = new CheckQueue(main, s.prefix);
  const stream = new ResultStream(main, s.prefix, { keyring, maxLength: s.results.maxLength });
  const getCheck = (id: string) => config.current.byId.get(id);

  const scheduler = o.roles.includes('scheduler') ? new Scheduler({ queue, metrics, retryBackoffMs: s.worker.retryBackoff }) : undefined;
  const worker = runsProbes
    ? new CheckWorker({ connection: conn('worker'), prefix: s.prefix, concurrency: s.worker.concurrency, lockDurationMs: s.worker.lockDuration, stalledIntervalMs: s.worker.stalledInterval, dataDir: s.dataDir, stream, getCheck, metrics: metrics.results })
    : undefined;
  // The recorder owns the evidence store: every result it records is kept there too.
  const evidence = o.roles.includes('recorder') && s.evidence.enabled ? await openEvidence(s) : undefined;
  const sinks = [...(o.sinks ?? []), ...(evidence ? [evidence.sink] : [])];
  // The recorder blocks on XREADGROUP, so it gets a connection of its own.
  const recorderConn = o.roles.includes('recorder') ? conn('recorder') : undefined;
  const recorder = recorderConn
    ? new Recorder({ redis: recorderConn, prefix: s.prefix, stream: new ResultStream(recorderConn, s.prefix, { keyring }), metrics, sinks, getCheck, claimIdleMs: s.recorder.claimIdle, retentionMs: s.results.retention, clockSkewMs: s.results.clockSkew })
    : undefined;
  const recordConfig = (set: typeof config.current) =>
    Promise.all(sinks.map((k) => k.recordConfig?.(set.hash, set.checks))).catch((err) => logger().error({ err: (err as Error).message }, 'could not record the configuration in force'));

  config.onReload((ev) => {
    metrics.configReloaded(ev.ok);
    if (!ev.ok) return;
    metrics.syncChecks(ev.set);
    scheduler?.apply(ev.set);
    void recordConfig(ev.set);
  });
  if (o.watch !== false) config.watch(s.watchChecks);

  await recordConfig(config.current);
  await recorder?.start();
  scheduler?.apply(config.current, { runNow: o.runNow });

  const server = await startMetricsServer({
    metrics,
    port: s.metrics.port,
    host: s.metrics.host,
    webConfigFile: s.metrics.webConfigFile,
    beforeScrape: async () => {
      const counts = await queue.counts();
      for (const [state, n] of Object.entries(counts)) metrics.queueJobs.set({ state }, n);
      metrics.workers.set(await queue.queue.getWorkersCount());
      if (recorder) metrics.recorderPending.set(await stream.pending());
      metrics.results.streamEntries.set(await stream.length());
    },
    ready: async () => {
      const reasons: string[] = [];
      await ping(o.redisUrl, 1000).catch((e: Error) => reasons.push(e.message));
      if (!config.current.checks.length) reasons.push('no checks loaded');
      const store = evidence?.sink.health();
      if (store && !store.up) reasons.push(`evidence store down since ${store.since.toISOString()}: ${store.reason}`);
      return { ok: reasons.length === 0, reasons };
    },
  });
  logger().info({ roles: o.roles, checks: config.current.checks.length, metricsPort: server.port, prefix: s.prefix }, 'pengawas started');

  let stopping: Promise<void> | undefined;
  return {
    metrics,
    metricsPort: server.port,
    config,
    stop: () =>
      (stopping ??= (async () => {
        await config.close();
        await scheduler?.stop();
        await worker?.close(s.worker.shutdownGrace);
        await recorder?.stop();
        await evidence?.close();
        await queue.close();
        await server.close();
        for (const c of connections) c.disconnect();
      })()),
  };
}
