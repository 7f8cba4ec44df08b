/** `pengawas probe <type> <target> [--opt k=v ...] [--json]`: run one probe ad hoc, no Redis, no checks file; `probe <type> --help`. */
import { Command } from 'commander';
import { ConfigError, UsageError } from '../../errors';
import { getProbe, probeTypes } from '../../probes/registry';
import type { ProbeType } from '../../probes/types';
import { issueMessage } from '../../config/messages';
import { didYouMean } from '../../util/nearest';
import { probeTypeHelp } from '../schema-help';
import { adHocCheck } from '../../probes/ad-hoc';
import { runCheck } from '../../probes/runner';
import { parseDuration } from '../../util/duration';
import { addSettings, collect, parseOpts, settingsFrom } from '../options';
import { exitCodeFor, printResult } from '../output';
import { prepareOneShot } from '../one-shot';
import { withProgressLine } from '../progress';
import type { ProbeProgress } from '../../probes/types';

/** `1/3 addresses done, scanning 127.0.0.2`. */
export function probeProgressText(p: ProbeProgress): string {
  return `${p.done}/${p.total} ${p.unit} done${p.current ? `, scanning ${p.current}` : ''}`;
}

/** The probe type named on the command line, or a usage error with the known types and the nearest one. */
function probeOf(type: string): ProbeType {
  const probe = getProbe(type);
  if (!probe)
    throw new UsageError(`unknown probe type "${type}"; known types: ${probeTypes().join(', ')}${didYouMean(type, probeTypes())}`);
  return probe;
}
import { fleetTable, readTargets, runFleet } from '../fleet';

export function probeCommand(): Command {
  return (
    addSettings(new Command('probe'))
      .description(`run one probe now and print its result (types: ${probeTypes().join(', ')})`)
      .usage('<type> <target> [options]')
      .argument('[type]', `probe type: ${probeTypes().join(', ')}`)
      .argument('[target]', 'what to probe; `pengawas probe <type> --help` says what it is for that type')
      .option(
        '--opt <key=value>',
        'probe option (repeatable; dotted keys for nesting, JSON values); `pengawas probe <type> --help` lists them',
        collect,
        [],
      )
      .option('--timeout <duration>', 'hard timeout', '30s')
      .option('--json', 'print the result contract as JSON')
      .option('--targets <file>', 'scan every target in FILE (one a line, # comments) and print one summary table')
      .option('--parallel <n>', 'with --targets: targets scanned at once', '10')
      // Commander's own --help would answer before the type is known: this one shows the type's options.
      .helpOption(false)
      .option('-h, --help', "display help; after a type, that type's options from its schema")
      .action(
        async (
          type: string | undefined,
          target: string | undefined,
          flags: { opt: string[]; timeout: string; json?: boolean; help?: boolean; targets?: string; parallel: string },
          cmd: Command,
        ) => {
          if (flags.help) {
            if (!type) cmd.help();
            process.stdout.write(probeTypeHelp(probeOf(type)));
            return;
          }
          if (!type || (!target && !flags.targets))
            throw new UsageError(
              `give a probe type and a target, e.g. pengawas probe http https://127.0.0.1:8443/health (types: ${probeTypes().join(', ')}; pengawas probe <type> --help lists its options)`,
            );
          const probe = probeOf(type);
          const settings = settingsFrom(cmd.opts());
          const timeoutMs = parseDuration(flags.timeout);
          if (timeoutMs === undefined) throw new UsageError(`--timeout expects a duration like 10s, got "${flags.timeout}"`);
          const given = parseOpts(flags.opt);
          const parsed = probe.options.safeParse(given);
          if (!parsed.success) {
            throw new ConfigError(
              parsed.error.issues.map((i) => ({
                file: '--opt',
                field: i.path.join('.') || '(options)',
                message: issueMessage(i, given, probe.options),
              })),
            );
          }
          if (flags.targets) {
            if (target) throw new UsageError(`give a target or --targets FILE, not both (got "${target}" and --targets ${flags.targets})`);
            const parallel = Number(flags.parallel);
            if (!Number.isInteger(parallel) || parallel < 1 || parallel > 256)
              throw new UsageError(`--parallel expects a whole number 1-256, got "${flags.parallel}"`);
            const run = await runFleet(type, await readTargets(flags.targets), {
              options: parsed.data as Record<string, unknown>,
              timeoutMs,
              parallel,
              dataDir: settings.dataDir,
              ...(flags.json ? {} : { progress: process.stderr }),
            });
            process.stdout.write(flags.json ? `${JSON.stringify(run.results, null, 2)}\n` : fleetTable(run));
            const code = Math.max(...run.results.map(exitCodeFor));
            await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
            process.exit(code);
          }
          if (!target) throw new UsageError(`probe ${type}: give a target or --targets FILE`);
          const check = adHocCheck({ type, target, options: parsed.data, timeoutMs });
          await prepareOneShot(probe); // an HTTP-timing probe's cold costs (GC, first run), out of the timed window
          // A probe that reports progress (tls `addresses: all`) gets a line on a TTY (stderr); never with --json.
          const result = flags.json
            ? await runCheck(check, { dataDir: settings.dataDir })
            : await withProgressLine(
                `probing ${target}`,
                (line) => runCheck(check, { dataDir: settings.dataDir, progress: (p) => line.set(probeProgressText(p)) }),
                process.stderr,
                { lazy: true },
              );
          // One-shot: the answer is printed, so nothing a probe may have left behind (a socket a hostile target keeps
          // feeding, a timer) may hold the process. Exit once stdout has taken the output. The code is set before
          // printing, so a reader that closes the pipe early (`| head -1`) still gets it (main.ts).
          const code = exitCodeFor(result);
          process.exitCode = code;
          printResult(result, Boolean(flags.json));
          await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
          process.exit(code);
        },
      )
  );
}
