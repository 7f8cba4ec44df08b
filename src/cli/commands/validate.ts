/** `pengawas validate`: list every configuration problem at once; exit 2 when there is any. */
import { Command } from 'commander';
import { loadChecks } from '../../config/load';
import { addSettings, settingsFrom } from '../options';

export function validateCommand(): Command {
  return addSettings(new Command('validate'), { checks: true })
    .description('validate the checks folder and report every problem (file, line, check, field)')
    .option('--no-secrets', 'do not require secret references to resolve on this machine')
    .option('--json', 'print problems as JSON')
    .action((flags: { secrets: boolean; json?: boolean }, cmd: Command) => {
      const settings = settingsFrom(cmd.opts());
      const set = loadChecks(settings.checksDir, { checkSecrets: flags.secrets, limits: settings.checkLimits });
      if (flags.json) process.stdout.write(`${JSON.stringify({ ok: true, checks: set.checks.length, hash: set.hash })}\n`);
      else process.stdout.write(`ok: ${set.checks.length} checks in ${settings.checksDir} (definitions sha256 ${set.hash.slice(0, 12)})\n`);
    });
}
