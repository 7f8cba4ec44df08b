/**
 * `pengawas maintenance add|list|end`: planned maintenance windows (src/evidence/maintenance.ts), written to the
 * evidence store the way waivers are (this process opens the store; `--sign-key` signs with an operator key).
 *   maintenance add (--check ID | --element ID | --label KEY=VALUE | --all) --from WHEN --to WHEN --reason TEXT --by NAME
 *   maintenance list [--active] [--json]
 *   maintenance end ID --by NAME
 * A bare date (YYYY-MM-DD) for --from means the start of that day, for --to its end, in the store's time zone.
 */
import { Command } from 'commander';
import { UsageError } from '../../errors';
import {
  effectiveEnd,
  maintenanceEndStatement,
  maintenanceStatement,
  scopeText,
  type MaintenanceWindow,
  type Scope,
} from '../../evidence/maintenance';
import { addSettings, settingsFrom } from '../options';
import { parseWhen } from '../when';
import { signRecord } from './sign-key';
import { expireWindowSilence, silenceWindow } from './maintenance-silence';

async function withStore<T>(
  cmd: Command,
  fn: (ev: Awaited<ReturnType<typeof import('../../evidence/access').obtainEvidence>>) => Promise<T>,
): Promise<T> {
  const settings = settingsFrom(cmd.opts());
  const { obtainEvidence } = await import('../../evidence/access'); // heavy: loaded only when used
  const ev = await obtainEvidence({ dataDir: settings.dataDir });
  try {
    return await fn(ev);
  } finally {
    await ev.release();
  }
}

function line(w: MaintenanceWindow): string {
  const end = effectiveEnd(w).toISOString();
  const ended = w.ended ? ` (ended early by ${w.ended.by})` : '';
  const signed = w.signature ? `; signed by ${w.signature.signer}` : '';
  const silence = w.silence ? `; Alertmanager silence ${w.silence.id}${w.silence.expiredAt ? ' (expired)' : ''}` : '';
  return `window ${w.id}: ${scopeText(w.scope)} from ${w.startsAt} to ${end}${ended}, by ${w.by}: ${w.reason}${signed}${silence}\n`;
}

function scopeOf(f: { check?: string; element?: string; label?: string; all?: boolean }): Scope {
  const given = [
    f.check !== undefined && 'check',
    f.element !== undefined && 'element',
    f.label !== undefined && 'label',
    f.all && 'all',
  ].filter(Boolean);
  if (given.length !== 1)
    throw new UsageError(
      `give exactly one of --check, --element, --label, --all (got ${given.length ? given.map((g) => `--${String(g)}`).join(', ') : 'none'})`,
    );
  if (f.all) return { kind: 'all', value: null };
  if (f.check !== undefined) return { kind: 'check', value: f.check };
  if (f.element !== undefined) return { kind: 'element', value: f.element };
  return { kind: 'label', value: f.label! };
}

export function maintenanceCommand(): Command {
  const cmd = new Command('maintenance').description('planned maintenance windows: results count as maintenance, alerts stay silent');

  cmd.addCommand(
    addSettings(new Command('add'))
      .description('record a maintenance window (one of --check, --element, --label, --all)')
      .option('--check <id>', 'one check')
      .option('--element <id>', 'every check of an element')
      .option('--label <key=value>', 'every check whose labels: carry this value')
      .option('--all', 'every check')
      .requiredOption('--from <when>', 'start: YYYY-MM-DD (start of day) or ISO-8601 time; not in the past')
      .requiredOption('--to <when>', 'end: YYYY-MM-DD (end of day) or ISO-8601 time')
      .requiredOption('--reason <text>', 'what is being done')
      .requiredOption('--by <name>', 'who carries it out')
      .option(
        '--sign-key <file>',
        'sign the window with your Ed25519 private key (PEM; read here, never stored); its public key must be in evidence.operatorKeys',
      )
      .option('--json', 'print the window as JSON')
      .action(
        async (
          flags: {
            check?: string;
            element?: string;
            label?: string;
            all?: boolean;
            from: string;
            to: string;
            reason: string;
            by: string;
            signKey?: string;
            json?: boolean;
          },
          c: Command,
        ) => {
          const scope = scopeOf(flags);
          await withStore(c, async (ev) => {
            const { timezone } = await ev.call('info', {});
            const startsAt = parseWhen(flags.from, timezone, false, '--from');
            const endsAt = parseWhen(flags.to, timezone, true, '--to');
            if (endsAt.getTime() <= startsAt.getTime())
              throw new UsageError(`--to ${endsAt.toISOString()} must be after --from ${startsAt.toISOString()}`);
            const signature = flags.signKey
              ? signRecord(
                  flags.signKey,
                  maintenanceStatement({ scope, startsAt, endsAt, reason: flags.reason, by: flags.by }),
                  settingsFrom(c.opts()),
                )
              : undefined;
            const recorded = await ev.call('recordMaintenance', {
              scope,
              startsAt: startsAt.toISOString(),
              endsAt: endsAt.toISOString(),
              reason: flags.reason,
              by: flags.by,
              ...(process.env.USER ? { createdBy: process.env.USER } : {}),
              ...(signature ? { signature } : {}),
            });
            // The window is recorded first: Alertmanager being away never loses it (the error is on stderr).
            const { window: w, error } = await silenceWindow(ev, settingsFrom(c.opts()), recorded);
            process.stdout.write(flags.json ? `${JSON.stringify(error ? { ...w, silenceError: error } : w, null, 2)}\n` : line(w));
          });
        },
      )
      .exitOverride(),
  );

  cmd.addCommand(
    addSettings(new Command('list'))
      .description('list maintenance windows, newest first')
      .option('--active', 'only the windows in force now')
      .option('--json', 'print the windows as JSON')
      .action(async (flags: { active?: boolean; json?: boolean }, c: Command) => {
        await withStore(c, async (ev) => {
          const ws = await ev.call('listMaintenance', flags.active ? { activeAt: new Date().toISOString() } : {});
          if (flags.json) process.stdout.write(`${JSON.stringify(ws, null, 2)}\n`);
          else if (!ws.length) process.stdout.write(flags.active ? 'no maintenance window in force\n' : 'no maintenance windows\n');
          else for (const w of ws) process.stdout.write(line(w));
        });
      })
      .exitOverride(),
  );

  cmd.addCommand(
    addSettings(new Command('end'))
      .description('end a maintenance window now (alerts and failures count again)')
      .argument('<id>', 'window id (see maintenance list)')
      .requiredOption('--by <name>', 'who ends it')
      .option('--sign-key <file>', 'sign the end with your Ed25519 private key (PEM)')
      .option('--json', 'print the window as JSON')
      .action(async (id: string, flags: { by: string; signKey?: string; json?: boolean }, c: Command) => {
        if (!/^[1-9]\d{0,15}$/.test(id)) throw new UsageError(`maintenance end: window id must be a positive whole number, got "${id}"`);
        const windowId = Number(id);
        const at = new Date();
        const signature = flags.signKey
          ? signRecord(flags.signKey, maintenanceEndStatement({ windowId, at, by: flags.by }), settingsFrom(c.opts()))
          : undefined;
        await withStore(c, async (ev) => {
          const ended = await ev.call('endMaintenance', {
            windowId,
            by: flags.by,
            at: at.toISOString(),
            ...(signature ? { signature } : {}),
          });
          const { window: w, error } = await expireWindowSilence(ev, settingsFrom(c.opts()), ended);
          process.stdout.write(flags.json ? `${JSON.stringify(error ? { ...w, silenceError: error } : w, null, 2)}\n` : line(w));
        });
      })
      .exitOverride(),
  );
  return cmd;
}
