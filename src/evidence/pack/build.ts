/**
 * `pengawas evidence build --month YYYY-MM`: writes report.html, results.csv, findings.csv, incidents.csv, coverage.csv,
 * findings.ocsf.json, chains.json (every stream's chain head), public-key.pem, manifest.json and manifest.sig
 * into a fresh folder, assembled next to the destination and renamed into place so a crash never leaves a
 * half-written pack that looks complete.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { EvidencePackError } from '../../errors';
import { sha256Hex } from '../hash';
import type { EvidenceStore } from '../store';
import { parseMonth, previousMonth, startOfDay } from '../tz';
import { coverageCsv, findingsCsv, incidentsCsv, resultsCsv } from './csv';
import { chainsFile, CHAINS_FILE } from './anchor';
import { inSnapshot, loadMonth } from './data';
import { renderReport } from './html';
import type { Lang } from './i18n';
import { ocsfFindings } from './ocsf';
import { loadSigningKey, signBytes } from './sign';
import { recordSigner } from './signers';
import { verifyChains } from '../verify-store';
import { elementTotals } from './numbers';
import type { Manifest } from './manifest';
import { summarise } from './summary';
import { asObject, textOf } from '../../util/narrow';

export type { Manifest, ManifestFile } from './manifest';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const packageJson: unknown = require('../../../package.json');
export const TOOL_VERSION = textOf(asObject(packageJson).version);
export const PACK_FORMAT = 'pengawas-evidence-pack/1';

export interface BuildOptions {
  month: string;
  outDir: string;
  lang?: Lang;
  /** The operator's private key (PEM); default: the key generated under `<dataDir>/keys`. */
  keyFile?: string;
  /** Replace an existing pack in outDir (the monthly job rebuilds in place). */
  overwrite?: boolean;
  /**
   * Also print report.pdf (A4) with headless Chromium, when it is installed; without Chromium the report says there is
   * no PDF and why. The CLI asks for it unless `--no-pdf`.
   */
  pdf?: boolean;
  /** The Chromium binary (default /usr/bin/chromium). */
  chromium?: string;
  /** Folder the report shows file paths relative to (default: the working directory, where check targets resolve). */
  docsRoot?: string;
  now?: Date;
  /** Called as the build moves through its stages (the CLI draws it on a terminal); never affects the pack. */
  onProgress?: (p: PackProgress) => void;
}

/** The stages of a build, in order; `pdf` only when report.pdf is printed. */
export const PACK_STAGES = ['rollups', 'reading', 'coverage', 'report', 'pdf', 'signing'] as const;
export type PackStage = (typeof PACK_STAGES)[number];

/** Where a build is: stage `step` of `steps`, with what it counted so far. */
export interface PackProgress {
  stage: PackStage;
  step: number;
  steps: number;
  /** Days, records, checks or files done of `total` in this stage. */
  done?: number;
  total?: number;
  /** What the counts are of, and what else is known: `days`, `2232 runs of 3 checks`. */
  what: string;
}

export interface BuildResult {
  outDir: string;
  manifest: Manifest;
  manifestSha256: string;
  durationMs: number;
}

export const CHROMIUM = '/usr/bin/chromium';

async function printPdf(chromium: string, html: string, pdf: string): Promise<void> {
  const profile = `${pdf}.chromium-profile`;
  try {
    await promisify(execFile)(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        '--no-pdf-header-footer',
        `--print-to-pdf=${pdf}`,
        `file://${html}`,
      ],
      { timeout: 120_000 },
    );
  } catch (e) {
    throw new EvidencePackError(
      `printing report.pdf with ${chromium} failed: ${(e as Error).message.split('\n')[0]}; build without the PDF with --no-pdf`,
      { cause: e },
    );
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * Overwriting deletes the folder first, so it may replace only an earlier evidence pack: a mistyped --out cannot
 * point it at any other folder this process can write.
 */
function assertReplaceable(outDir: string): void {
  let format: unknown;
  try {
    format = (JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8')) as { format?: unknown }).format;
  } catch {
    format = undefined;
  }
  if (format !== PACK_FORMAT)
    throw new EvidencePackError(`${outDir} is not empty and holds no evidence pack; pengawas replaces only an earlier pack`);
}

export async function buildPack(store: EvidenceStore, opts: BuildOptions): Promise<BuildResult> {
  const t0 = Date.now();
  const month = parseMonth(opts.month);
  if (!month) throw new EvidencePackError(`--month must be YYYY-MM, got "${opts.month}"`);
  const now = opts.now ?? new Date();
  if (startOfDay(month.firstDay, store.timezone).getTime() > now.getTime())
    throw new EvidencePackError(`month ${opts.month} has not started yet`);
  const lang = opts.lang ?? 'en';
  const key = loadSigningKey({ keyFile: opts.keyFile, dataDir: store.dataDir });
  const chromium = opts.chromium ?? CHROMIUM;
  const pdf = opts.pdf ? (existsSync(chromium) ? 'printed' : 'missing') : undefined;
  const stages = PACK_STAGES.filter((st) => st !== 'pdf' || pdf === 'printed');
  const progress = (stage: PackStage, what: string, done?: number, total?: number) =>
    opts.onProgress?.({ stage, step: stages.indexOf(stage) + 1, steps: stages.length, what, done, total });
  const prev = parseMonth(previousMonth(opts.month))!;
  await store.refreshRollups([...prev.days, ...month.days], now, (done, total) => progress('rollups', 'days to roll up', done, total));
  // Listed before the snapshot, so the pack's own chains.json anchors the key that signs it.
  await store.db.transaction((tx) => recordSigner(tx, key, opts.month, now));
  // The chains are verified in the very snapshot the pack is read from: a signature never covers numbers read
  // from a store whose history does not verify (a row edited with SQL, a record deleted).
  progress('reading', "verifying the store's hash chains");
  const data = await inSnapshot(store.db, async (tx) => {
    const chains = await verifyChains(tx, store.timezone);
    progress('reading', `${chains.records} records in ${chains.streams} chains verified; reading the month`);
    if (chains.problems.length) {
      const list = chains.problems
        .slice(0, 5)
        .map((p) => `${p.where}: ${p.problem}`)
        .join('; ');
      const more = chains.problems.length > 5 ? ` (and ${chains.problems.length - 5} more)` : '';
      throw new EvidencePackError(
        `refusing to sign the ${opts.month} pack: the store's hash chains do not verify: ${list}${more}. Run \`pengawas evidence verify --store\` and investigate before building.`,
      );
    }
    return loadMonth(tx, opts.month, store.timezone, store.kind, now);
  });
  const checkCount = new Set(data.rollups.map((r) => r.check_id)).size;
  progress('coverage', `${data.rollups.length} check-days of ${checkCount} checks, ${data.incidents.length} incidents`);
  const summary = summarise(data);
  const configHash = data.configs.length ? data.configs[data.configs.length - 1].configHash : null;

  const outDir = path.resolve(opts.outDir);
  if (existsSync(outDir) && readdirSync(outDir).length) {
    if (!opts.overwrite) throw new EvidencePackError(`${outDir} exists and is not empty; choose another --out or pass --force`);
    assertReplaceable(outDir);
  }
  mkdirSync(path.dirname(outDir), { recursive: true });
  const tmp = `${outDir}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  mkdirSync(tmp);
  const pathRoots = [path.resolve(opts.docsRoot ?? process.cwd()), outDir];
  try {
    progress('report', `rendering report.html and the CSV files of ${summary.checks.length} checks`);
    const files: Record<string, string | Buffer> = {
      'report.html': renderReport(data, summary, lang, { toolVersion: TOOL_VERSION, configHash, pathRoots, pdf }),
      'results.csv': resultsCsv(data.rollups),
      'findings.csv': findingsCsv(summary.findings),
      'incidents.csv': incidentsCsv(data.incidents),
      'coverage.csv': coverageCsv(summary),
      'findings.ocsf.json': `${JSON.stringify(ocsfFindings(summary.findings, { toolVersion: TOOL_VERSION, month: opts.month }), null, 1)}\n`,
      'public-key.pem': key.publicPem,
      [CHAINS_FILE]: chainsFile(data.chain),
    };
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(tmp, name), content);
    if (pdf === 'printed') {
      progress('pdf', 'printing report.pdf (A4, headless Chromium)');
      await printPdf(chromium, path.join(tmp, 'report.html'), path.join(tmp, 'report.pdf'));
      files['report.pdf'] = readFileSync(path.join(tmp, 'report.pdf'));
    }
    const manifest: Manifest = {
      format: PACK_FORMAT,
      month: opts.month,
      period: { from: data.from.toISOString(), to: data.to.toISOString(), timezone: data.timezone, complete: data.complete },
      scope: {
        checks: summary.checks.length,
        elements: [...new Set(summary.checks.map((c) => c.element))].sort(),
        checkIds: summary.checks.map((c) => c.checkId),
      },
      empty: summary.empty,
      tool: { name: 'pengawas', version: TOOL_VERSION },
      generatedAt: now.toISOString(),
      store: { backend: store.kind },
      checkDefinitions: { sha256: configHash, applied: data.configs.map((c) => ({ sha256: c.configHash, appliedAt: c.appliedAt })) },
      // Each stream's head is in chains.json (listed below, so signed); the manifest keeps the combined value.
      chain: { head: data.chain.head, streams: data.chain.streams },
      totals: summary.totals,
      elements: elementTotals(summary),
      files: Object.keys(files)
        .sort()
        .map((name) => {
          const file = files[name];
          const buf = Buffer.isBuffer(file) ? file : Buffer.from(file);
          return { path: name, sha256: sha256Hex(buf), bytes: buf.length };
        }),
      signature: { algorithm: key.algorithm, publicKeyFile: 'public-key.pem', publicKeySha256: key.fingerprint },
    };
    progress('signing', `signing the manifest of ${manifest.files.length} files`);
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(path.join(tmp, 'manifest.json'), manifestBytes);
    writeFileSync(path.join(tmp, 'manifest.sig'), `${signBytes(key, manifestBytes).toString('base64')}\n`);
    if (existsSync(outDir)) rmSync(outDir, { recursive: true, force: true });
    renameSync(tmp, outDir);
    const manifestSha256 = sha256Hex(manifestBytes);
    await store.db.run(
      `INSERT INTO evidence_pack_builds (month, built_at, out_dir, manifest_sha256, chain_head) VALUES ($1, $2, $3, $4, $5)`,
      [opts.month, now, outDir, manifestSha256, data.chain.head],
    );
    return { outDir, manifest, manifestSha256, durationMs: Date.now() - t0 };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof EvidencePackError) throw e;
    throw new EvidencePackError(`cannot write the evidence pack: ${(e as Error).message}`, { cause: e });
  }
}
