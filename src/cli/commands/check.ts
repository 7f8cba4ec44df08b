/** `pengawas check <id> [--json]`: run one configured check once, locally, without Redis. */
import { Command } from 'commander';
import { loadChecks } from '../../config/load';
import { UnknownCheckError } from '../../errors';
import { runCheck } from '../../probes/runner';
import { addCommon, settingsFrom } from '../options';
import { exitCodeFor, printResult } from '../output';

export function checkCommand(): Command {
  return addCommon(new Command('check'))
    .description('run one configured check now and print its result contract')
    .argument('<id>', 'check id')
    .option('--json', 'print the result contract as JSON')
    .action(async (id: string, flags: { json?: boolean }, cmd: Command) => {
      const settings = settingsFrom(cmd.opts());
      const set = loadChecks(settings.checksDir, { checkSecrets: true });
      const check = set.byId.get(id);
      if (!check) throw new UnknownCheckError(id);
      const result = await runCheck(check, { dataDir: settings.dataDir });
      printResult(result, Boolean(flags.json));
      process.exitCode = exitCodeFor(result);
    });
}
