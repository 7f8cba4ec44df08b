/**
 * `pengawas evidence build --month YYYY-MM [--out DIR] [--lang en|id] [--key FILE]` writes the monthly pack;
 * `pengawas evidence verify DIR` checks a pack (exit 1 and the file named on any mismatch, 3 when intact but no key
 * from outside the pack vouches for its signer: evidence-verify.ts);
 * `pengawas evidence verify --store` recomputes the store's hash chains (exit 1 and the first broken link named);
 * `pengawas evidence verify DIR --store` checks the pack, then that the store still holds the chains it anchored,
 * lists its signer, and gives the same figures when recounted;
 * `pengawas evidence migrate --from DIR` copies a PGlite store of an earlier version into the configured store.
 * The store is PostgreSQL when DATABASE_URL is set, else SQLite under <dataDir>/evidence; this process opens it
 * itself, beside a running monitor if there is one (src/evidence/access.ts), and writes the pack itself.
 */
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../errors';
import { addSettings, settingsFrom } from '../options';
import { EXIT } from '../output';
import type { EvidenceHandle } from '../../evidence/access';
import { verifyDir } from './evidence-verify';
import { parseMonthFlag } from '../when';
import { withProgress, withProgressLine } from '../progress';
import type { PackProgress } from '../../evidence/pack/build';

/** `[2/6] reading: 2232 records in 4 chains verified; reading the month`, `[1/6] rollups: 12/61 days rolled up`. */
export function packProgressText(p: PackProgress): string {
  const count = p.total !== undefined ? `${p.done ?? 0}/${p.total} ` : '';
  return `[${p.step}/${p.steps}] ${p.stage}: ${count}${p.what}`;
}

interface BuildFlags {
  month: string;
  out?: string;
  lang: string;
  key?: string;
  force?: boolean;
  pdf?: boolean;
  docsRoot?: string;
  json?: boolean;
}

function buildCommand(): Command {
  return addSettings(new Command('build'))
    .description('build the evidence pack of one month: report.html, CSV, OCSF, signed manifest')
    .requiredOption('--month <YYYY-MM>', 'the month to report, e.g. 2026-10')
    .option('--out <dir>', 'output folder (default ./pengawas-evidence-<month>)')
    .option('--lang <en|id>', 'language of the report: en (English) or id (Bahasa Indonesia)', 'en')
    .option(
      '--key <file>',
      'PEM private key (RSA, ECDSA or Ed25519) to sign the manifest; default: a key generated once under <dataDir>/keys',
    )
    .option('--force', 'replace an existing pack in the output folder')
    .option('--no-pdf', 'do not print report.pdf (by default printed on A4 with headless Chromium when it is installed)')
    .option('--docs-root <dir>', 'folder the report shows file paths relative to (default: the working directory)')
    .option('--json', 'print the manifest as JSON')
    .action(async (flags: BuildFlags, cmd: Command) => {
      parseMonthFlag(flags.month);
      if (flags.lang !== 'en' && flags.lang !== 'id') throw new UsageError(`--lang must be en or id, got "${flags.lang}"`);
      const settings = settingsFrom(cmd.opts());
      // Heavy modules (database drivers, queue) load inside the action, so `--help` and other commands start fast.
      const { obtainEvidence } = await import('../../evidence/access');
      const ev = await obtainEvidence({ dataDir: settings.dataDir });
      try {
        const outDir = path.resolve(flags.out ?? `pengawas-evidence-${flags.month}`);
        const lang: 'en' | 'id' = flags.lang; // checked above
        const args = {
          month: flags.month,
          outDir,
          lang,
          ...(flags.key ? { keyFile: path.resolve(flags.key) } : {}),
          overwrite: Boolean(flags.force),
          pdf: flags.pdf !== false,
          ...(flags.docsRoot ? { docsRoot: path.resolve(flags.docsRoot) } : {}),
        };
        // The stages on a terminal (stderr), never with --json: that output is for programs.
        const r = flags.json
          ? await ev.call('buildPack', args)
          : await withProgressLine(`building the ${flags.month} evidence pack`, (line) =>
              ev.call('buildPack', args, { onProgress: (p) => line.set(packProgressText(p)) }),
            );
        if (flags.json)
          process.stdout.write(
            `${JSON.stringify({ outDir: r.outDir, manifestSha256: r.manifestSha256, durationMs: r.durationMs, manifest: r.manifest }, null, 2)}\n`,
          );
        else {
          const t = r.manifest.totals;
          process.stdout.write(`evidence pack ${flags.month} written to ${r.outDir} in ${r.durationMs} ms\n`);
          process.stdout.write(
            r.manifest.empty
              ? '  no results recorded for this period\n'
              : `  ${t.checks} checks, ${t.runs} runs, pass rate ${t.passRate === null ? '-' : (t.passRate * 100).toFixed(2)}%\n`,
          );
          const printed = r.manifest.files.some((f) => f.path === 'report.pdf');
          if (printed) process.stdout.write('  report.pdf printed (A4, headless Chromium) and signed with the manifest\n');
          else if (flags.pdf !== false)
            process.stdout.write('  no report.pdf: Chromium is not installed (/usr/bin/chromium); the report says so\n');
          process.stdout.write(
            `  manifest sha256 ${r.manifestSha256}, signed ${r.manifest.signature.algorithm} by key sha256 ${r.manifest.signature.publicKeySha256} (give verifiers this fingerprint or the public key: docs/security.md)\n`,
          );
        }
      } finally {
        await ev.release();
      }
    });
}

type VerifyFlags = { store?: boolean; pubkey?: string; json?: boolean };

/** The store as `evidence verify --store` reaches it: opened by this process, like `build`. */
async function withVerifier<T>(cmd: Command, fn: (ev: EvidenceHandle, backend: string) => Promise<T>): Promise<T> {
  const settings = settingsFrom(cmd.opts());
  const { obtainEvidence } = await import('../../evidence/access');
  const ev = await obtainEvidence({ dataDir: settings.dataDir });
  try {
    return await fn(ev, (await ev.call('info', {})).backend);
  } finally {
    await ev.release();
  }
}

function verifyCommand(): Command {
  return addSettings(new Command('verify'))
    .description(
      'verify an evidence pack folder, with --store the hash chains of the evidence store, or with both that the store still holds the history the pack anchored',
    )
    .argument('[dir]', 'evidence pack folder')
    .option('--store', "verify the evidence store (with DIR: compare the pack's chain heads with the store)")
    .option(
      '--pubkey <file>',
      "the operator's public key (PEM) the pack must be signed with (else: evidence.trustedPackKeys in --config, or the store with --store)",
    )
    .option('--json', 'print the verification as JSON')
    .action(async (dir: string | undefined, flags: VerifyFlags, cmd: Command) => {
      if (!dir && !flags.store) throw new UsageError('give a pack folder, --store, or both');
      if (dir) return verifyDir(dir, flags, settingsFrom(cmd.opts()), (fn) => withVerifier(cmd, fn));
      await withVerifier(cmd, async (ev, backend) => {
        const v = await withProgress(`verifying the hash chains of the evidence store (${backend})`, () => ev.call('verifyStore', {}));
        if (flags.json) process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
        else if (v.ok)
          process.stdout.write(`ok: ${v.streams} chains, ${v.records} records, ${v.rollups} sealed rollups verified (${backend})\n`);
        else for (const p of v.problems) process.stdout.write(`FAIL ${p.table} ${p.where}: ${p.problem}\n`);
        process.exitCode = v.ok ? EXIT.ok : EXIT.failed;
      });
    });
}

function signersCommand(): Command {
  return addSettings(new Command('signers'))
    .description("list every key the evidence store recorded as a pack signer (the store's #signers stream), oldest first")
    .option('--json', 'print the keys as JSON')
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      await withVerifier(cmd, async (ev) => {
        const keys = await ev.call('listSigners', {});
        if (flags.json) process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
        else if (!keys.length) process.stdout.write('no pack has been signed from this store yet\n');
        else
          for (const k of keys)
            process.stdout.write(
              `sha256 ${k.fingerprint} ${k.algorithm}, first used ${k.firstUsedAt} for the ${k.firstMonth} pack (seq ${k.seq})\n`,
            );
      });
    });
}

function migrateCommand(): Command {
  return addSettings(new Command('migrate'))
    .description(
      'copy an evidence store kept by an earlier pengawas (PGlite folder) into the configured store, verifying every hash chain before and after',
    )
    .requiredOption('--from <dir>', 'the PGlite store folder (an earlier <dataDir>/evidence)')
    .option('--json', 'print the migration report as JSON')
    .action(async (flags: { from: string; json?: boolean }, cmd: Command) => {
      const settings = settingsFrom(cmd.opts());
      const { migrateFromPglite } = await import('../../evidence/migrate-pglite');
      const { EvidenceStore, storeOptionsFromEnv } = await import('../../evidence/store');
      const r = await migrateFromPglite(flags.from, (timezone) =>
        EvidenceStore.open({ ...storeOptionsFromEnv(settings.dataDir), timezone, besidePglite: true }),
      );
      if (flags.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else if (r.alreadyMigrated)
        process.stdout.write(`ok: ${r.to} already holds the ${r.streams} chains of ${r.from} (head ${r.chainHead}); nothing copied\n`);
      else {
        const rows = Object.entries(r.rows)
          .map(([t, n]) => `${t.replace(/^evidence_/, '')} ${n}`)
          .join(', ');
        process.stdout.write(
          `ok: migrated ${r.from} into ${r.to}: ${r.streams} chains, ${r.records} records verified before and after (head ${r.chainHead})\n  rows: ${rows}\n`,
        );
      }
    });
}

export function evidenceCommand(): Command {
  return new Command('evidence')
    .description('monthly evidence packs and the integrity of the evidence store')
    .addCommand(buildCommand().exitOverride())
    .addCommand(verifyCommand().exitOverride())
    .addCommand(signersCommand().exitOverride())
    .addCommand(migrateCommand().exitOverride());
}
