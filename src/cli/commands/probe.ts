/** `pengawas probe <type> <target> [--opt k=v ...] [--json]`: run one probe ad hoc, no Redis, no checks file. */
import { Command } from 'commander';
import { ConfigError, UsageError } from '../../errors';
import { getProbe, probeTypes } from '../../probes/registry';
import { adHocCheck } from '../../probes/ad-hoc';
import { runCheck } from '../../probes/runner';
import { parseDuration } from '../../util/duration';
import { addCommon, collect, parseOpts, settingsFrom } from '../options';
import { exitCodeFor, printResult } from '../output';
import { fleetTable, readTargets, runFleet } from '../fleet';

export function probeCommand(): Command {
  return addCommon(new Command('probe'))
    .description(`run one probe now and print its result (types: ${probeTypes().join(', ')})`)
    .argument('<type>', 'probe type')
    .argument('[target]', "what to probe; see the type's help (or --targets FILE)")
    .option('--opt <key=value>', 'probe option (repeatable; dotted keys for nesting, JSON values)', collect, [])
    .option('--timeout <duration>', 'hard timeout', '30s')
    .option('--json', 'print the result contract as JSON')
    .option('--targets <file>', 'scan every target in FILE (one a line, # comments) and print one summary table')
    .option('--parallel <n>', 'with --targets: targets scanned at once', '10')
    .action(async (type: string, target: string | undefined, flags: { opt: string[]; timeout: string; json?: boolean; targets?: string; parallel: string }, cmd: Command) => {
      const settings = settingsFrom(cmd.opts());
      const probe = getProbe(type);
      if (!probe) throw new UsageError(`unknown probe type "${type}"; known types: ${probeTypes().join(', ')}`);
      const timeoutMs = parseDuration(flags.timeout);
      if (timeoutMs === undefined) throw new UsageError(`--timeout expects a duration like 10s, got "${flags.timeout}"`);
      const parsed = probe.options.safeParse(parseOpts(flags.opt));
      if (!parsed.success) {
        throw new ConfigError(parsed.error.issues.map((i) => ({ file: '--opt', field: i.path.join('.') || '(options)', message: i.message })));
      }
      if (flags.targets) {
        if (target) throw new UsageError(`give a target or --targets FILE, not both (got "${target}" and --targets ${flags.targets})`);
        const parallel = Number(flags.parallel);
        if (!Number.isInteger(parallel) || parallel < 1 || parallel > 256) throw new UsageError(`--parallel expects a whole number 1-256, got "${flags.parallel}"`);
        const run = await runFleet(type, await readTargets(flags.targets), { options: parsed.data, timeoutMs, parallel, dataDir: settings.dataDir, progress: process.stderr });
        process.stdout.write(flags.json ? `${JSON.stringify(run.results, null, 2)}\n` : fleetTable(run));
        const code = Math.max(...run.results.map(exitCodeFor));
        await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
        process.exit(code);
      }
      if (!target) throw new UsageError(`probe ${type}: give a target or --targets FILE`);
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
