/** `pengawas check <id> [--json]`: run one configured check once, locally, without Redis. */
import { Command } from 'commander';
import { loadChecks } from '../../config/load';
import { UnknownCheckError } from '../../errors';
import { getProbe } from '../../probes/registry';
import { runCheck } from '../../probes/runner';
import { addSettings, settingsFrom } from '../options';
import { exitCodeFor, printResult } from '../output';
import { prepareOneShot } from '../one-shot';

export function checkCommand(): Command {
  return addSettings(new Command('check'), { checks: true })
    .description('run one configured check now and print its result contract')
    .argument('<id>', 'check id')
    .option('--json', 'print the result contract as JSON')
    .action(async (id: string, flags: { json?: boolean }, cmd: Command) => {
      const settings = settingsFrom(cmd.opts());
      // The id first, without resolving secrets: a mistyped id gets "did you mean" even where other checks'
      // secrets are not readable; then the full load, which requires them.
      const ids = [...loadChecks(settings.checksDir, { checkSecrets: false }).byId.keys()];
      if (!ids.includes(id)) throw new UnknownCheckError(id, ids);
      const check = loadChecks(settings.checksDir, { checkSecrets: true }).byId.get(id)!;
      // An HTTP-timing probe's cold costs (GC, first run), out of the timed window; the loader knows the type.
      await prepareOneShot(getProbe(check.type)!);
      const result = await runCheck(check, { dataDir: settings.dataDir });
      process.exitCode = exitCodeFor(result); // before printing: a reader that closes the pipe early keeps it
      printResult(result, Boolean(flags.json));
    });
}
