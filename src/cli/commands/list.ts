/** `pengawas list [--element ID] [--type TYPE]`: checks with their type, element, schedule and target. */
import { Command } from 'commander';
import { loadChecks } from '../../config/load';
import { ELEMENT_IDS } from '../../elements';
import { UsageError } from '../../errors';
import { probeTypes } from '../../probes/registry';
import { didYouMean } from '../../util/nearest';
import { addSettings, settingsFrom } from '../options';

export function listCommand(): Command {
  return addSettings(new Command('list'), { checks: true })
    .description('list configured checks: id, type, element, schedule, target')
    .option('--element <id>', `only checks of this element (${ELEMENT_IDS.join(', ')})`)
    .option('--type <type>', 'only checks of this probe type')
    .option('--json', 'print as JSON')
    .action((flags: { json?: boolean; element?: string; type?: string }, cmd: Command) => {
      if (flags.element && !(ELEMENT_IDS as readonly string[]).includes(flags.element)) {
        throw new UsageError(
          `--element: unknown element "${flags.element}"; elements: ${ELEMENT_IDS.join(', ')}${didYouMean(flags.element, ELEMENT_IDS)}`,
        );
      }
      if (flags.type && !probeTypes().includes(flags.type)) {
        throw new UsageError(
          `--type: unknown probe type "${flags.type}"; known types: ${probeTypes().join(', ')}${didYouMean(flags.type, probeTypes())}`,
        );
      }
      const settings = settingsFrom(cmd.opts());
      const set = loadChecks(settings.checksDir);
      const chosen = set.checks.filter((c) => (!flags.element || c.element === flags.element) && (!flags.type || c.type === flags.type));
      const rows = chosen.map((c) => ({
        id: c.id,
        type: c.type,
        element: c.element,
        schedule: c.scheduleText,
        timeoutMs: c.timeoutMs,
        target: c.target,
        enabled: c.enabled,
      }));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const cols = ['id', 'type', 'element', 'schedule', 'target'] as const;
      const width = cols.map((k) => Math.max(k.length, ...rows.map((r) => r[k].length)));
      const line = (v: string[]) =>
        v
          .map((x, i) => x.padEnd(width[i]))
          .join('  ')
          .trimEnd();
      process.stdout.write(`${line([...cols])}\n`);
      for (const r of rows) process.stdout.write(`${line(cols.map((k) => r[k]))}${r.enabled ? '' : '  (disabled)'}\n`);
    });
}
