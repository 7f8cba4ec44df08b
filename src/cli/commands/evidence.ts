/**
 * `pengawas evidence build --month YYYY-MM [--out DIR] [--lang en|id] [--key FILE]` writes the monthly pack;
 * `pengawas evidence verify DIR` checks a pack (exit 1 and the file named on any mismatch);
 * `pengawas evidence verify --store` recomputes the store's hash chains (exit 1 and the first broken link named);
 * `pengawas evidence verify DIR --store` checks the pack, then that the store still holds the chains it anchored;
 * `pengawas evidence migrate --from DIR` copies a PGlite store of an earlier version into the configured store.
 * The store is PostgreSQL when DATABASE_URL is set, else SQLite under <dataDir>/evidence; this process opens it
 * itself, beside a running monitor if there is one (src/evidence/access.ts), and writes the pack itself.
 */
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../errors';
import { addCommon, settingsFrom } from '../options';
import { EXIT } from '../output';
import type { EvidenceHandle } from '../../evidence/access';

interface BuildFlags {
  month: string;
  out?: string;
  lang: string;
  key?: string;
  force?: boolean;
  pdf?: boolean;
  json?: boolean;
}

function buildCommand(): Command {
  return addCommon(new Command('build'))
    .description('build the evidence pack of one month: report.html, CSV, OCSF, signed manifest')
    .requiredOption('--month <YYYY-MM>', 'the month to report, e.g. 2026-10')
    .option('--out <dir>', 'output folder (default ./pengawas-evidence-<month>)')
    .option('--lang <en|id>', 'language shown first in the report (both are always present)', 'en')
    .option('--key <file>', 'PEM private key (RSA, ECDSA or Ed25519) to sign the manifest; default: a key generated once under <dataDir>/keys')
    .option('--force', 'replace an existing pack in the output folder')
    .option('--pdf', 'also print report.pdf with headless Chromium, when installed')
    .option('--json', 'print the manifest as JSON')
    .action(async (flags: BuildFlags, cmd: Command) => {
      if (flags.lang !== 'en' && flags.lang !== 'id') throw new UsageError(`--lang must be en or id, got "${flags.lang}"`);
      const settings = settingsFrom(cmd.opts());
      // Heavy modules (database drivers, queue) load inside the action, so `--help` and other commands start fast.
      const { obtainEvidence } = await import('../../evidence/access');
      const ev = await obtainEvidence({ dataDir: settings.dataDir });
      try {
        const outDir = path.resolve(flags.out ?? `pengawas-evidence-${flags.month}`);
        const r = await ev.call('buildPack', { month: flags.month, outDir, lang: flags.lang, ...(flags.key ? { keyFile: path.resolve(flags.key) } : {}), overwrite: Boolean(flags.force), pdf: Boolean(flags.pdf) });
        if (flags.json) process.stdout.write(`${JSON.stringify({ outDir: r.outDir, manifestSha256: r.manifestSha256, durationMs: r.durationMs, manifest: r.manifest }, null, 2)}\n`);
        else {
          const t = r.manifest.totals;
          process.stdout.write(`evidence pack ${flags.month} written to ${r.outDir} in ${r.durationMs} ms\n`);
          process.stdout.write(r.manifest.empty ? '  no results recorded for this period\n' : `  ${t.checks} checks, ${t.runs} runs, pass rate ${t.passRate === null ? '-' : (t.passRate * 100).toFixed(2)}%\n`);
          process.stdout.write(`  manifest sha256 ${r.manifestSha256}, signed ${r.manifest.signature.algorithm} key ${r.manifest.signature.publicKeySha256.slice(0, 16)}\n`);
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

/** `verify DIR` and, with --store, the pack's anchored chain heads against the store. */
async function verifyDir(dir: string, flags: VerifyFlags, cmd: Command): Promise<void> {
  const { verifyPack } = await import('../../evidence/pack/verify');
  const v = verifyPack(dir, { publicKeyFile: flags.pubkey });
  const packJson = { ok: v.ok, files: v.filesChecked, problems: v.problems };
  if (!flags.store || !v.ok) {
    if (flags.json) process.stdout.write(`${JSON.stringify(packJson, null, 2)}\n`);
    else if (v.ok) process.stdout.write(`ok: ${dir}: signature valid, ${v.filesChecked} files match manifest.json\n`);
    else for (const p of v.problems) process.stdout.write(`FAIL ${p.file}: ${p.problem}\n`);
    process.exitCode = v.ok ? EXIT.ok : EXIT.failed;
    return;
  }
  const { describeProblem, readAnchors, CHAINS_FILE } = await import('../../evidence/pack/anchor');
  const anchors = readAnchors(dir, v.manifest!);
  const lines = [`ok: ${dir}: signature valid, ${v.filesChecked} files match manifest.json`];
  if (anchors.kind !== 'anchored') {
    const ok = anchors.kind === 'predates';
    if (flags.json) process.stdout.write(`${JSON.stringify({ ...packJson, ok, anchor: anchors }, null, 2)}\n`);
    else if (ok) {
      lines.push(`note: this pack predates chain anchoring (no ${CHAINS_FILE}): only its combined chain head ${anchors.head} (${anchors.streams} streams) is recorded, and it is not compared with the store`);
      process.stdout.write(`${lines.join('\n')}\n`);
    } else process.stdout.write(`FAIL ${anchors.file}: ${anchors.problem}\n`);
    process.exitCode = ok ? EXIT.ok : EXIT.failed;
    return;
  }
  // Checked before the store is opened, so a malformed chains.json fails with the reason.
  const { parseArgs } = await import('../../evidence/operations');
  const { heads } = parseArgs('compareAnchors', { heads: anchors.heads.map((h) => ({ stream: h.stream, seq: h.seq, hash: h.hash })) });
  const a = await withVerifier(cmd, async (ev, backend) => ({ ...(await ev.call('compareAnchors', { heads })), backend }));
  if (flags.json) process.stdout.write(`${JSON.stringify({ ...packJson, ok: a.ok, anchor: a }, null, 2)}\n`);
  else if (!a.ok) process.stdout.write(a.problems.map((p) => `FAIL ${describeProblem(p)}\n`).join(''));
  else {
    for (const n of a.pruned) lines.push(`note stream ${n.stream} seq ${n.seq}: ${n.note}`);
    const extra = [a.pruned.length ? `${a.pruned.length} pruned (cannot confirm)` : '', a.newStreams ? `${a.newStreams} new stream${a.newStreams === 1 ? '' : 's'} since the pack` : ''].filter(Boolean);
    if (anchors.source !== CHAINS_FILE) extra.push(`heads read from ${anchors.source}, as packs built before ${CHAINS_FILE} list them`);
    lines.push(`ok: the store (${a.backend}) holds the history this pack anchored: ${a.confirmed} of ${a.streams} chains confirmed through their anchored link (${a.records} records recomputed)${extra.length ? `; ${extra.join(', ')}` : ''}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  process.exitCode = a.ok ? EXIT.ok : EXIT.failed;
}

function verifyCommand(): Command {
  return addCommon(new Command('verify'))
    .description('verify an evidence pack folder, with --store the hash chains of the evidence store, or with both that the store still holds the history the pack anchored')
    .argument('[dir]', 'evidence pack folder')
    .option('--store', 'verify the evidence store (with DIR: compare the pack\'s chain heads with the store)')
    .option('--pubkey <file>', "the operator's public key (PEM) the pack must be signed with")
    .option('--json', 'print the verification as JSON')
    .action(async (dir: string | undefined, flags: VerifyFlags, cmd: Command) => {
      if (!dir && !flags.store) throw new UsageError('give a pack folder, --store, or both');
      if (dir) return verifyDir(dir, flags, cmd);
      await withVerifier(cmd, async (ev, backend) => {
        const v = await ev.call('verifyStore', {});
        if (flags.json) process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
        else if (v.ok) process.stdout.write(`ok: ${v.streams} chains, ${v.records} records, ${v.rollups} sealed rollups verified (${backend})\n`);
        else for (const p of v.problems) process.stdout.write(`FAIL ${p.table} ${p.where}: ${p.problem}\n`);
        process.exitCode = v.ok ? EXIT.ok : EXIT.failed;
      });
    });
}

function migrateCommand(): Command {
  return addCommon(new Command('migrate'))
    .description('copy an evidence store kept by an earlier pengawas (PGlite folder) into the configured store, verifying every hash chain before and after')
    .requiredOption('--from <dir>', 'the PGlite store folder (an earlier <dataDir>/evidence)')
    .option('--json', 'print the migration report as JSON')
    .action(async (flags: { from: string; json?: boolean }, cmd: Command) => {
      const settings = settingsFrom(cmd.opts());
      const { migrateFromPglite } = await import('../../evidence/migrate-pglite');
      const { EvidenceStore, storeOptionsFromEnv } = await import('../../evidence/store');
      const r = await migrateFromPglite(flags.from, (timezone) => EvidenceStore.open({ ...storeOptionsFromEnv(settings.dataDir), timezone, besidePglite: true }));
      if (flags.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else if (r.alreadyMigrated) process.stdout.write(`ok: ${r.to} already holds the ${r.streams} chains of ${r.from} (head ${r.chainHead}); nothing copied\n`);
      else {
        const rows = Object.entries(r.rows).map(([t, n]) => `${t.replace(/^evidence_/, '')} ${n}`).join(', ');
        process.stdout.write(`ok: migrated ${r.from} into ${r.to}: ${r.streams} chains, ${r.records} records verified before and after (head ${r.chainHead})\n  rows: ${rows}\n`);
      }
    });
}

export function evidenceCommand(): Command {
  return new Command('evidence')
    .description('monthly evidence packs and the integrity of the evidence store')
    .addCommand(buildCommand().exitOverride())
    .addCommand(verifyCommand().exitOverride())
    .addCommand(migrateCommand().exitOverride());
}
