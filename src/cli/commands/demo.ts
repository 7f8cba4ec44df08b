/** `pengawas demo`: local demo targets plus the whole monitor on checks/demo, live on /metrics within seconds. */
import { Command } from 'commander';
import { ALL_ROLES } from '../../monitor/roles';
import { addSettings, settingsFrom } from '../options';
import { runRoles } from './roles';

export function demoCommand(): Command {
  return addSettings(new Command('demo'), { checks: true, serve: true })
    .description('start the demo targets and the monitor on checks/demo (Ctrl-C stops both)')
    .action(async (_flags: unknown, cmd: Command) => {
      const opts = cmd.opts<{ checks?: string; logLevel?: string }>();
      const settings = settingsFrom({ ...opts, checks: opts.checks ?? 'checks/demo' });
      // The demo's own files (CA, credentials) live in ./data/demo because checks/demo/*.yaml name them there;
      // the monitor's data (Redis, evidence) follows PENGAWAS_DATA_DIR as usual.
      const { DEMO_DATA_DIR, startDemoTargets } = await import('../../demo/run-demo');
      const { seedDemoAttestations } = await import('../../demo/attestations');
      const targets = await startDemoTargets(DEMO_DATA_DIR);
      // Before the monitor holds the store: one valid, one expired, one expiring attestation (checks/demo/attestations.yaml).
      await seedDemoAttestations(settings.dataDir, settings.checksDir);
      let monitor;
      try {
        monitor = await runRoles(settings, ALL_ROLES, {
          onStop: () => targets.stop(),
          runNow: true,
          logLevelGiven: opts.logLevel !== undefined,
        });
      } catch (e) {
        await targets.stop();
        throw e;
      }
      const lines = [
        'pengawas demo is running',
        ...targets.running.map((t) => `  target   ${t.describe}`),
        `  checks   ${settings.checksDir} (${monitor.config.current.checks.length})`,
        `  metrics  http://127.0.0.1:${monitor.metricsPort}/metrics   (also /healthz, /readyz)`,
        '  Ctrl-C to stop',
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
