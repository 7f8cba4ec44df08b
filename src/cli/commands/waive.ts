/**
 * `pengawas waive --check ID [--finding ID] --reason TEXT --approver NAME --risk LEVEL --expires DATE`:
 * records a waiver (risk acceptance). Results recorded while it is in force count as waived, not passed; after
 * it expires they count again. A bare date (YYYY-MM-DD) for --expires means the end of that day, for --from its
 * start, both in the store's time zone.
 */
import { Command } from 'commander';
import { UsageError } from '../../errors';
import { RISKS, waiverStatement, type Risk } from '../../evidence/waivers';
import { signRecord } from './sign-key';
import { addSettings, settingsFrom } from '../options';
import { parseWhen } from '../when';

export function waiveCommand(): Command {
  return addSettings(new Command('waive'))
    .description('accept the risk of a failing finding until a date (approver and expiry required)')
    .requiredOption('--check <id>', 'check id')
    .option('--finding <id>', 'finding id (default: every finding of the check)')
    .requiredOption('--reason <text>', 'why the risk is accepted')
    .requiredOption('--approver <name>', 'who approved it')
    .requiredOption('--risk <level>', `risk level: ${RISKS.join(', ')}`)
    .requiredOption('--expires <date>', 'when it ends: YYYY-MM-DD (end of that day) or ISO-8601 time')
    .option('--from <date>', 'when it starts (default now): YYYY-MM-DD or ISO-8601 time')
    .option(
      '--sign-key <file>',
      'sign the waiver with your Ed25519 private key (PEM; read here, never stored); its public key must be in evidence.operatorKeys',
    )
    .option('--json', 'print the waiver as JSON')
    .action(
      async (
        flags: {
          check: string;
          finding?: string;
          reason: string;
          approver: string;
          risk: string;
          expires: string;
          from?: string;
          signKey?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        if (!(RISKS as readonly string[]).includes(flags.risk))
          throw new UsageError(`--risk must be one of ${RISKS.join(', ')}, got "${flags.risk}"`);
        const settings = settingsFrom(cmd.opts());
        // Opened by this process, beside a running monitor if there is one (src/evidence/access.ts).
        const { obtainEvidence } = await import('../../evidence/access'); // heavy: loaded only when used
        const ev = await obtainEvidence({ dataDir: settings.dataDir });
        try {
          const { timezone } = await ev.call('info', {});
          const expiresAt = parseWhen(flags.expires, timezone, true, '--expires');
          // A signed waiver fixes its start here: the signature covers it.
          const startsAt = flags.from ? parseWhen(flags.from, timezone, false, '--from') : flags.signKey ? new Date() : undefined;
          if (expiresAt.getTime() <= (startsAt ?? new Date()).getTime())
            throw new UsageError(
              `--expires ${expiresAt.toISOString()} must be after the waiver starts (${(startsAt ?? new Date()).toISOString()})`,
            );
          const content = {
            checkId: flags.check,
            findingId: flags.finding ?? null,
            reason: flags.reason,
            approver: flags.approver,
            risk: flags.risk,
            startsAt: startsAt!,
            expiresAt,
          };
          const signature = flags.signKey ? signRecord(flags.signKey, waiverStatement(content), settings) : undefined;
          const w = await ev.call('recordWaiver', {
            checkId: flags.check,
            ...(flags.finding ? { findingId: flags.finding } : {}),
            reason: flags.reason,
            approver: flags.approver,
            risk: flags.risk as Risk,
            expiresAt: expiresAt.toISOString(),
            ...(startsAt ? { startsAt: startsAt.toISOString() } : {}),
            ...(process.env.USER ? { createdBy: process.env.USER } : {}),
            ...(signature ? { signature } : {}),
          });
          if (flags.json) process.stdout.write(`${JSON.stringify(w, null, 2)}\n`);
          else {
            process.stdout.write(
              `waiver ${w.id}: ${w.checkId}${w.findingId ? ` ${w.findingId}` : ' (all findings)'} waived until ${new Date(w.expiresAt).toISOString()}, approved by ${w.approver} (risk ${w.risk})\n`,
            );
            if (w.writtenBy)
              process.stdout.write(`  written by ${w.writtenBy.kind === 'db-role' ? 'database role' : 'OS user'} ${w.writtenBy.name}\n`);
            if (w.signature) process.stdout.write(`  signed by ${w.signature.signer} (key sha256 ${w.signature.keySha256})\n`);
          }
        } finally {
          await ev.release();
        }
      },
    );
}
