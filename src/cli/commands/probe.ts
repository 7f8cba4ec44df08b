/** `pengawas probe <type> <target> [--opt k=v ...] [--json]`: run one probe ad hoc, no Redis, no checks file. */
import { Command } from 'commander';
import { ConfigError, UsageError } from '../../errors';
import { getProbe, probeTypes } from '../../probes/registry';
import { adHocCheck } from '../../probes/ad-hoc';
import { runCheck } from '../../probes/runner';
import { parseDuration } from '../../util/duration';
import { addCommon, collect, parseOpts, settingsFrom } from '../options';
import { exitCodeFor, printResult } from '../output';

export function probeCommand(): Command {
  return addCommon(new Command('probe'))
    .description(`run one probe now and print its result (types: ${probeTypes().join(', ')})`)
    .argument('<type>', 'probe type')
    .argument('<target>', "what to probe; see the type's help")
    .option('--opt <key=value>', 'probe option (repeatable; dotted keys for nesting, JSON values)', collect, [])
    .option('--timeout <duration>', 'hard timeout', '30s')
    .option('--json', 'print the result contract as JSON')
    .action(async (type: string, target: string, flags: { opt: string[]; timeout: string; json?: boolean }, cmd: Command) => {
      const settings = settingsFrom(cmd.opts());
      const probe = getProbe(type);
      if (!probe) throw new UsageError(`unknown probe type "${type}"; known types: ${probeTypes().join(', ')}`);
      const timeoutMs = parseDuration(flags.timeout);
      if (timeoutMs === undefined) throw new UsageError(`--timeout expects a duration like 10s, got "${flags.timeout}"`);
      const parsed = probe.options.safeParse(parseOpts(flags.opt));
      if (!parsed.success) {
        throw new ConfigError(parsed.error.issues.map((i) => ({ file: '--opt', field: i.path.join('.') || '(options)', message: i.message })));
      }
      const check = adHocCheck({ type, target, options: parsed.data, timeoutMs });
      const result = await runCheck(check, { dataDir: settings.dataDir });
      printResult(result, Boolean(flags.json));
      // One-shot: the answer is printed, so nothing a probe may have left behind (a socket a hostile target keeps
      // feeding, a timer) may hold the process. Exit once stdout has taken the output.
      const code = exitCodeFor(result);
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
      process.exit(code);
    });
}
