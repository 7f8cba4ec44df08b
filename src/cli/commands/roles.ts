/** `pengawas run | scheduler | worker | recorder`: start one role or all of them, until SIGTERM/SIGINT. */
import { Command } from 'commander';
import type { Settings } from '../../config/settings';
import type { Monitor } from '../../monitor/monitor';
import { ALL_ROLES, type Role } from '../../monitor/roles';
import type { ResultSink } from '../../results/sink';
import { logger, setLogLevel } from '../../util/logger';
import { LiveSummary } from '../live-summary';
import { addSettings, settingsFrom } from '../options';

export interface Extra {
  sinks?: ResultSink[];
  /** Runs after the monitor stopped (demo targets, embedded Redis...). */
  onStop?: () => Promise<void>;
  /** Run every check once at start (the demo). */
  runNow?: boolean;
  /** `--log-level` was given: keep it even on a terminal. */
  logLevelGiven?: boolean;
}

/**
 * On a terminal, with the recorder in this process: the live summary on stdout (src/cli/live-summary.ts), and logs
 * on stderr from warn up unless a level was asked for. Not a TTY (a service manager, a pipe): JSON logs only.
 */
function liveSummaryFor(settings: Settings, roles: Role[], extra: Extra): LiveSummary | undefined {
  if (!process.stdout.isTTY || !roles.includes('recorder') || process.env.PENGAWAS_LIVE_SUMMARY === '0') return undefined;
  if (!extra.logLevelGiven && !process.env.PENGAWAS_LOG_LEVEL && settings.logLevel === 'info') setLogLevel('warn');
  return new LiveSummary(process.stdout);
}

/** Past the stop budget the process exits anyway: an orchestrator's SIGKILL must never be needed. */
export const HARD_EXIT_AFTER_GRACE_MS = 4500;

/**
 * Starts the roles and wires signals: SIGTERM/SIGINT stop gracefully and exit 0 (1 when stopping failed or
 * overran); a second signal exits at once. The exit happens within shutdownGrace + 4.5 s whatever Redis does.
 */
export async function runRoles(settings: Settings, roles: Role[], extra: Extra = {}): Promise<Monitor> {
  // The queue and the store load here, not at CLI start: `--help` and ad-hoc probes stay fast.
  const { obtainRedis } = await import('../../queue/embedded-redis');
  const { startMonitor } = await import('../../monitor/monitor');
  const { explainStartupError } = await import('../../monitor/startup-error');
  const { preflight } = await import('../../monitor/preflight');
  await preflight(settings);
  let redis;
  try {
    redis = await obtainRedis(settings.redisUrl, settings.dataDir);
  } catch (err) {
    throw explainStartupError(err, settings);
  }
  const live = liveSummaryFor(settings, roles, extra);
  let monitor: Monitor;
  try {
    monitor = await startMonitor({
      settings,
      roles,
      redisUrl: redis.url,
      sinks: [...(extra.sinks ?? []), ...(live ? [live] : [])],
      runNow: extra.runNow,
    });
  } catch (err) {
    await redis.stop();
    throw err;
  }
  let signals = 0;
  const onSignal = async (sig: string) => {
    if (++signals > 1) process.exit(1);
    const limitMs = settings.worker.shutdownGrace + HARD_EXIT_AFTER_GRACE_MS;
    logger().info({ signal: sig, limitMs }, 'shutting down');
    setTimeout(() => {
      logger().error({ limitMs }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, limitMs);
    try {
      await monitor.stop();
      await extra.onStop?.();
      await redis.stop();
    } catch (err) {
      logger().error({ err: (err as Error)?.message ?? String(err) }, 'error while stopping');
      process.exit(1);
    }
    logger().info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void onSignal('SIGTERM'));
  process.on('SIGINT', () => void onSignal('SIGINT'));
  return monitor;
}

function roleCommand(name: string, roles: Role[], description: string): () => Command {
  return () =>
    addSettings(new Command(name), { checks: true, serve: true })
      .description(description)
      .option('--concurrency <n>', 'checks a worker runs at once')
      .action(async (flags: { concurrency?: string }, cmd: Command) => {
        const settings = settingsFrom(cmd.opts());
        if (flags.concurrency) settings.worker.concurrency = Math.max(1, Number(flags.concurrency) || 1);
        const monitor = await runRoles(settings, roles, { logLevelGiven: cmd.opts().logLevel !== undefined });
        if (process.stdout.isTTY && roles.includes('recorder')) {
          process.stdout.write(
            `pengawas ${name}: ${monitor.config.current.checks.length} checks from ${settings.checksDir}, metrics on http://127.0.0.1:${monitor.metricsPort}/metrics; Ctrl-C stops\n`,
          );
        }
      });
}

export const runCommand = roleCommand('run', ALL_ROLES, 'run every role in this process: scheduler, worker and recorder (the default)');
export const schedulerCommand = roleCommand(
  'scheduler',
  ['scheduler'],
  'run only the scheduler (several may run: each slot is enqueued once)',
);
export const workerCommand = roleCommand(
  'worker',
  ['worker'],
  'run only a worker (scale out across processes and hosts on the same Redis)',
);
export const recorderCommand = roleCommand('recorder', ['recorder'], 'run only the recorder (results → metrics and evidence)');
