/** `pengawas rules generate`: SLO burn-rate rules for Prometheus from the SLOs declared in the checks. */
import { readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { generateSloRules } from '../../alerting/slo-rules';
import { loadChecks } from '../../config/load';
import { addSettings, settingsFrom } from '../options';

export function rulesCommand(): Command {
  const rules = new Command('rules').description('Prometheus rules generated from the checks');
  rules.addCommand(
    addSettings(new Command('generate'), { checks: true })
      .description('write multi-window burn-rate alerts for every SLO of every transaction check')
      .option('--out <file>', 'write the rules here (default: stdout)')
      .option('--verify', 'exit 1 if --out differs from what would be generated (for CI)')
      .action((flags: { out?: string; verify?: boolean }, cmd: Command) => {
        const settings = settingsFrom(cmd.opts());
        const set = loadChecks(settings.checksDir);
        const g = generateSloRules(set.checks, settings.checksDir);
        for (const s of g.skipped) process.stderr.write(`skipped ${s}\n`);
        if (flags.verify) {
          let current = '';
          try {
            current = readFileSync(flags.out ?? '', 'utf8');
          } catch {
            // a missing file differs
          }
          if (current !== g.yaml) {
            process.stderr.write(
              `${flags.out ?? '(no --out)'} is out of date: run pengawas rules generate --checks ${settings.checksDir} --out ${flags.out}\n`,
            );
            process.exitCode = 1;
          }
          return;
        }
        if (flags.out) {
          writeFileSync(flags.out, g.yaml);
          process.stderr.write(`${g.slos.length} SLOs → ${flags.out}\n`);
        } else process.stdout.write(g.yaml);
      }),
  );
  return rules;
}
