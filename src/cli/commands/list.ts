/** `pengawas list`: checks with their type, element, schedule and target. */
import { Command } from 'commander';
import { loadChecks } from '../../config/load';
import { addCommon, settingsFrom } from '../options';

export function listCommand(): Command {
  return addCommon(new Command('list'))
    .description('list configured checks: id, type, element, schedule, target')
    .option('--json', 'print as JSON')
    .action((flags: { json?: boolean }, cmd: Command) => {
      const settings = settingsFrom(cmd.opts());
      const set = loadChecks(settings.checksDir);
      const rows = set.checks.map((c) => ({ id: c.id, type: c.type, element: c.element, schedule: c.scheduleText, timeoutMs: c.timeoutMs, target: c.target, enabled: c.enabled }));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const cols = ['id', 'type', 'element', 'schedule', 'target'] as const;
      const width = cols.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
      const line = (v: string[]) => v.map((x, i) => x.padEnd(width[i])).join('  ').trimEnd();
      process.stdout.write(`${line([...cols])}\n`);
      for (const r of rows) process.stdout.write(`${line(cols.map((k) => String(r[k])))}${r.enabled ? '' : '  (disabled)'}\n`);
    });
}
