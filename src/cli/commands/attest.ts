/**
 * `pengawas attest --check ID --by NAME --evidence FILE|URL --expires DATE [--note TEXT]`: records that a person
 * vouches for something no probe can observe (a drill took place, a partner agreement is in force). The evidence
 * is hashed here (SHA-256); only the hash and its reference are stored. Append-only: a new attestation for the
 * same check supersedes the previous one, nothing is edited. Opens the store itself, beside a running monitor
 * (SQLite in WAL mode) or on the shared PostgreSQL (DATABASE_URL).
 */
import { Command } from 'commander';
import { loadChecks } from '../../config/load';
import { UsageError } from '../../errors';
import { attestationStatement } from '../../evidence/attestations';
import { resolveEvidence } from '../../evidence/evidence-ref';
import { signRecord } from './sign-key';
import { addSettings, settingsFrom } from '../options';
import { parseWhen } from '../when';
import { didYouMean } from '../../util/nearest';

interface AttestFlags {
  check: string;
  by: string;
  evidence: string;
  evidenceSha256?: string;
  expires: string;
  note?: string;
  signKey?: string;
  json?: boolean;
}

/** The id must name a check, or be the target of an `attestation` check (a control id several checks share). */
function assertKnownCheck(checksDir: string, id: string): void {
  const set = loadChecks(checksDir);
  if (set.byId.has(id)) return;
  if (set.checks.some((c) => c.type === 'attestation' && c.target === id)) return;
  const attestable = set.checks.filter((c) => c.type === 'attestation').map((c) => c.target);
  const near = didYouMean(id, [...set.byId.keys(), ...attestable]);
  throw new UsageError(
    `unknown check "${id}" in ${checksDir}${near}${attestable.length ? `; attestation checks expect: ${[...new Set(attestable)].join(', ')}` : ''}`,
  );
}

export function attestCommand(): Command {
  return addSettings(new Command('attest'), { checks: true })
    .description('record a signed-off attestation (who, when, evidence hash, expiry) for a check no probe can observe')
    .requiredOption('--check <id>', 'the attested check (or the target of an attestation check)')
    .requiredOption('--by <name>', 'who attests, as they would sign')
    .requiredOption('--evidence <file|url>', 'the evidence document: a file (hashed here) or an http(s) URL (fetched once and hashed)')
    .option('--evidence-sha256 <hex>', "SHA-256 of the evidence, for a URL that cannot be fetched from here (or to confirm a file's)")
    .requiredOption('--expires <date>', 'until when it counts: YYYY-MM-DD (end of that day, store time zone) or ISO-8601 time')
    .option('--note <text>', 'a short note kept with the attestation (no secrets)')
    .option(
      '--sign-key <file>',
      'sign the attestation with your Ed25519 private key (PEM; read here, never stored); its public key must be in evidence.operatorKeys',
    )
    .option('--json', 'print the attestation as JSON')
    .action(async (flags: AttestFlags, cmd: Command) => {
      const settings = settingsFrom(cmd.opts());
      if (!flags.by.trim()) throw new UsageError('--by must name who attests');
      if (flags.note && flags.note.length > 2000) throw new UsageError('--note is limited to 2000 characters');
      assertKnownCheck(settings.checksDir, flags.check);
      const evidence = await resolveEvidence(flags.evidence, { sha256: flags.evidenceSha256 });
      const { obtainEvidence } = await import('../../evidence/access'); // heavy: loaded only when used
      const ev = await obtainEvidence({ dataDir: settings.dataDir });
      try {
        const { timezone } = await ev.call('info', {});
        const expiresAt = parseWhen(flags.expires, timezone, true, '--expires');
        if (expiresAt.getTime() <= Date.now())
          throw new UsageError(`--expires ${flags.expires} is in the past; an attestation must still be valid when recorded`);
        const previous = await ev.call('latestAttestation', { checkId: flags.check });
        const content = {
          checkId: flags.check,
          by: flags.by.trim(),
          evidenceHash: evidence.evidenceHash,
          evidenceRef: evidence.evidenceRef,
          expiresAt,
          note: flags.note ?? null,
        };
        const signature = flags.signKey ? signRecord(flags.signKey, attestationStatement(content), settings) : undefined;
        const a = await ev.call('recordAttestation', {
          checkId: flags.check,
          by: flags.by.trim(),
          evidenceHash: evidence.evidenceHash,
          evidenceRef: evidence.evidenceRef,
          expiresAt: expiresAt.toISOString(),
          ...(flags.note ? { note: flags.note } : {}),
          ...(signature ? { signature } : {}),
        });
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ attestation: a, supersedes: previous?.id ?? null, via: ev.via, evidence: { kind: evidence.kind, hashedFrom: evidence.hashedFrom, bytes: evidence.bytes ?? null } }, null, 2)}\n`,
          );
          return;
        }
        const lines = [
          `attestation ${a.id}: ${a.checkId} attested by ${a.by}, valid until ${a.expiresAt}`,
          `  evidence sha256 ${a.evidenceHash} (${evidence.hashedFrom === 'given' ? 'hash given' : `${evidence.bytes} bytes`}) ${a.evidenceRef}`,
          ...(a.writtenBy ? [`  written by ${a.writtenBy.kind === 'db-role' ? 'database role' : 'OS user'} ${a.writtenBy.name}`] : []),
          ...(a.signature ? [`  signed by ${a.signature.signer} (key sha256 ${a.signature.keySha256})`] : []),
          ...(previous ? [`  supersedes attestation ${previous.id} (by ${previous.by}, until ${previous.expiresAt ?? 'no expiry'})`] : []),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        await ev.release();
      }
    });
}
