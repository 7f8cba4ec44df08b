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
import { answers, connect, redact } from '../queue/connection';
import { GapReader } from '../recorder/gap-reader';
import { Recorder } from '../recorder/recorder';
import type { ResultSink } from '../results/sink';
import { keyringFor } from '../results/keyring';
import { ResultStream } from '../results/stream';
import { Scheduler } from '../scheduler/scheduler';
import { logger } from '../util/logger';
import { openEvidence } from './evidence';
import { watchRedisOutages } from './redis-outages';
import { runStopSteps, type StopStep } from './shutdown';
import { explainStartupError } from './startup-error';

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

/**
 * Starts the roles; on a start-up failure everything already started is stopped again (bounded) and the error
 * is rethrown as one actionable line (port, path, what to do), so the process can exit instead of idling.
 */
export async function startMonitor(o: MonitorOptions): Promise<Monitor> {
  const undo: StopStep[] = [];
  try {
    return await assemble(o, undo);
  } catch (err) {
    await runStopSteps(undo.reverse(), 3000);
    throw explainStartupError(err, o.settings);
  }
}

/** How long the whole stop sequence may take; the CLI exits at grace + 4.5 s whatever happens. */
export function stopBudgetMs(s: MonitorOptions['settings']): number {
  return s.worker.shutdownGrace + 2500;
}

async function assemble(o: MonitorOptions, undo: StopStep[]): Promise<Monitor> {
  const s = o.settings;
  const step = (name: string, run: StopStep['run'], maxMs = 2000): void => void undo.push({ name, run, maxMs });
  const runsProbes = o.roles.includes('worker');
  // Throws ConfigError: the monitor refuses to start on an invalid configuration.
  const config = ConfigHolder.load(s.checksDir, { checkSecrets: runsProbes, limits: s.checkLimits });
  step('config', () => config.close());
  // A bad web-config.yml is a start-up error too, raised before any connection or role is started.
  if (s.metrics.webConfigFile) loadWebConfig(s.metrics.webConfigFile);
  const prefixWrong = prefixProblem(o.redisUrl, s.prefix);
  if (prefixWrong) throw new UsageError(prefixWrong);
  // Throws ConfigError: a split worker or recorder without a results key refuses to start.
  const keyring = keyringFor(s.results, { signs: runsProbes, verifies: o.roles.includes('recorder') });
  const metrics = new Metrics();
  metrics.syncChecks(config.current);
  metrics.configReloaded(true);

  // Each role's connection by its name (each name is opened once).
  const connections = new Map<string, Redis>();
  step('redis connections', () => connections.forEach((c) => c.disconnect()));
  const conn = (name: string) => {
    const c = connect(o.redisUrl, name);
    c.on('error', (err) => logger().warn({ conn: name, err: err.message }, 'redis connection error'));
    connections.set(name, c);
    return c;
  };
  const main = conn('main');
  metrics.results.watchRedis(main);
  const queue = new CheckQueue(main, s.prefix);
  const stream = new ResultStream(main, s.prefix, { keyring, maxLength: s.results.maxLength });
  step('queue', () => queue.close());
  const getCheck = (id: string) => config.current.byId.get(id);

  // A scheduler signs the gap reports of slots it sheds when it has the results key (with its workers, or its own copy).
  const gapKeyring =
    keyring ??
    (o.roles.includes('scheduler') && Object.keys(s.results.keys).length
      ? keyringFor(s.results, { signs: true, verifies: false })
      : undefined);
  const scheduler = o.roles.includes('scheduler')
    ? new Scheduler({
        queue,
        metrics,
        retryBackoffMs: s.worker.retryBackoff,
        maxBacklog: s.scheduler.maxBacklog,
        checksPerJob: s.scheduler.checksPerJob,
        keyring: gapKeyring,
      })
    : undefined;
  const worker = runsProbes
    ? new CheckWorker({
        connection: conn('worker'),
        prefix: s.prefix,
        concurrency: s.worker.concurrency,
        lockDurationMs: s.worker.lockDuration,
        stalledIntervalMs: s.worker.stalledInterval,
        dataDir: s.dataDir,
        stream,
        getCheck,
        metrics: metrics.results,
        retryBackoffMs: s.worker.retryBackoff,
        queue,
      })
    : undefined;
  step('worker', () => worker?.close(0));
  // The recorder owns the evidence store: every result it records is kept there too.
  const evidence =
    o.roles.includes('recorder') && s.evidence.enabled
      ? await openEvidence(s, { metrics, checks: () => config.current.checks })
      : undefined;
  step(
    'evidence store',
    async () => {
      await evidence?.close();
    },
    3000,
  );
  // Check metrics are not a sink: each recorder's metrics follower reads the whole stream (recorder/follower.ts),
  // so every recorder's /metrics lists every check while evidence is written once through the consumer group.
  const sinks = [...(o.sinks ?? []), ...(evidence ? [evidence.sink] : [])];
  // The recorder blocks on XREADGROUP and its metrics follower on XREAD, so each gets a connection of its own.
  const recorderConn = o.roles.includes('recorder') ? conn('recorder') : undefined;
  const recorder = recorderConn
    ? new Recorder({
        redis: recorderConn,
        followRedis: conn('recorder-follower'),
        prefix: s.prefix,
        stream: new ResultStream(recorderConn, s.prefix, { keyring }),
        metrics,
        sinks,
        getCheck,
        claimIdleMs: s.recorder.claimIdle,
        retentionMs: s.results.retention,
        clockSkewMs: s.results.clockSkew,
      })
    : undefined;
  // Reports of lost results (the gaps stream) and the Redis outages this recorder sees become evidence of their cause.
  // A recorder that stores nothing reads no gap reports: acknowledging them would lose the cause a storing one keeps.
  const gapReader =
    recorder?.stores && recorderConn
      ? new GapReader({
          redis: conn('gaps'),
          prefix: s.prefix,
          keyring,
          sinks,
          metrics: metrics.results,
          consumer: recorder.consumer,
          claimIdleMs: s.recorder.claimIdle,
        })
      : undefined;
  const outages = evidence && recorderConn ? watchRedisOutages(recorderConn, evidence.sink.store.db) : undefined;
  const recordConfig = (set: typeof config.current) =>
    Promise.all(sinks.map((k) => k.recordConfig?.(set.hash, set.checks) ?? Promise.resolve())).catch((err: unknown) =>
      logger().error({ err: (err as Error).message }, 'could not record the configuration in force'),
    );

  config.onReload((ev) => {
    metrics.configReloaded(ev.ok);
    if (!ev.ok) return;
    metrics.syncChecks(ev.set);
    scheduler?.apply(ev.set);
    void recordConfig(ev.set);
  });
  if (o.watch !== false) config.watch(s.watchChecks);

  await recordConfig(config.current);
  step('recorder', () => recorder?.stop());
  await recorder?.start();
  step('gaps reader', () => gapReader?.stop());
  await gapReader?.start();
  step('scheduler', () => scheduler?.stop());
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
      const redisWrong = await answers(main, 1000);
      if (redisWrong) reasons.push(`Redis at ${redact(o.redisUrl)} does not answer: ${redisWrong}`);
      // The roles' other connections may be inside a blocking read, where a PING would wait its turn: their state only.
      else
        for (const [name, c] of connections)
          if (c !== main && c.status !== 'ready') reasons.push(`Redis connection "${name}" is not ready (${c.status})`);
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
        // Each step is bounded: with Redis gone, BullMQ and XREADGROUP calls wait forever, and the evidence
        // store must still be closed (flushed) after them. Without Redis no in-flight result can be published,
        // so the worker's grace period would be spent waiting for nothing: its jobs are retried after a restart.
        const redisUp = main.status === 'ready';
        const grace = redisUp ? s.worker.shutdownGrace : Math.min(s.worker.shutdownGrace, 1000);
        if (!redisUp) logger().warn({ redis: main.status }, 'Redis is unreachable while stopping; not waiting for in-flight checks');
        const late = await runStopSteps(
          [
            { name: 'config', run: () => config.close(), maxMs: 1000 },
            { name: 'scheduler', run: () => scheduler?.stop(), maxMs: redisUp ? 2000 : 500 },
            { name: 'worker', run: () => worker?.close(grace), maxMs: grace + 1000 },
            { name: 'recorder', run: () => recorder?.stop(), maxMs: redisUp ? 2000 : 500 },
            { name: 'gaps reader', run: () => gapReader?.stop(), maxMs: redisUp ? 2000 : 500 },
            { name: 'redis outages', run: () => outages?.stop(), maxMs: 1000 },
            { name: 'evidence store', run: () => evidence?.close(), maxMs: 3000, minMs: 1000 },
            { name: 'queue', run: () => queue.close(), maxMs: 1000 },
            { name: 'metrics server', run: () => server.close(), maxMs: 1000 },
            { name: 'redis connections', run: () => connections.forEach((c) => c.disconnect()), maxMs: 500 },
          ],
          stopBudgetMs(s),
        );
        if (late.length) logger().warn({ late }, 'stopped with steps left unfinished');
      })()),
  };
}
