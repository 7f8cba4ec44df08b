/**
 * `pengawas evidence verify DIR [--pubkey FILE] [--store]`: the pack's integrity (files against the signed
 * manifest), its origin (the signing key vouched for by --pubkey, the settings' trusted pack keys, or the store's
 * `#signers` stream), and with --store that the store still holds the anchored history and that the pack's
 * figures equal the figures recounted from it. Exit codes: 0 verified, 1 a check failed, 2 usage or settings
 * error, 3 intact but the signer is unverified (only the key shipped inside the pack vouches for it).
 */
import path from 'node:path';
import type { Settings } from '../../config/settings';
import type { EvidenceHandle } from '../../evidence/access';
import type { PackTrust } from '../../evidence/pack/verify';
import { EXIT } from '../output';

export interface VerifyDirFlags {
  store?: boolean;
  pubkey?: string;
  json?: boolean;
}

type WithStore = <T>(fn: (ev: EvidenceHandle, backend: string) => Promise<T>) => Promise<T>;

function trustLine(t: PackTrust | undefined): string | undefined {
  if (!t) return undefined;
  if (t.status === 'unverified')
    return `UNVERIFIED: ${t.reason}. Give --pubkey FILE, list the key in the settings (evidence.trustedPackKeys), or check it against the store with --store.`;
  const from =
    t.source === 'pubkey'
      ? `--pubkey ${t.by}`
      : t.source === 'settings'
        ? `trusted pack key "${t.by}" in the settings`
        : "the store's #signers stream";
  return `ok: signed by key sha256 ${t.fingerprint}, vouched for by ${from}`;
}

export async function verifyDir(dir: string, flags: VerifyDirFlags, settings: Settings, withStore: WithStore): Promise<void> {
  const { verifyPack } = await import('../../evidence/pack/verify');
  const { resolveKeys } = await import('../../evidence/pack/trust');
  const trusted = resolveKeys(settings.evidence.trustedPackKeys, 'evidence.trustedPackKeys', { fingerprintOnly: true });
  const v = verifyPack(dir, { publicKeyFile: flags.pubkey, trusted });
  const lines: string[] = [];
  const json: Record<string, unknown> = { ok: v.ok, files: v.filesChecked, problems: v.problems, trust: v.trust ?? null };
  const finish = (code: number) => {
    if (flags.json) process.stdout.write(`${JSON.stringify({ ...json, ok: code === EXIT.ok, exitCode: code }, null, 2)}\n`);
    else process.stdout.write(`${lines.join('\n')}\n`);
    process.exitCode = code;
  };
  if (!v.ok) {
    for (const p of v.problems) lines.push(`FAIL ${p.file}: ${p.problem}`);
    return finish(EXIT.failed);
  }
  lines.push(`ok: ${dir}: signature valid, ${v.filesChecked} files match manifest.json`);
  let trust = v.trust;
  if (!flags.store) {
    lines.push(trustLine(trust)!);
    return finish(trust?.status === 'trusted' ? EXIT.ok : EXIT.unverified);
  }
  const { describeProblem, readAnchors, CHAINS_FILE } = await import('../../evidence/pack/anchor');
  const anchors = readAnchors(dir, v.manifest!);
  json.anchor = anchors;
  if (anchors.kind === 'invalid') {
    lines.splice(0, lines.length, `FAIL ${anchors.file}: ${anchors.problem}`);
    return finish(EXIT.failed);
  }
  if (anchors.kind === 'predates') {
    lines.push(
      `note: this pack predates chain anchoring (no ${CHAINS_FILE}): only its combined chain head ${anchors.head} (${anchors.streams} streams) is recorded, and it is not compared with the store`,
    );
    lines.push(trustLine(trust)!);
    return finish(trust?.status === 'trusted' ? EXIT.ok : EXIT.unverified);
  }
  const { describeDiff } = await import('../../evidence/pack/numbers');
  const { r, backend } = await withStore(async (ev, b) => ({ r: await ev.call('checkPack', { dir: path.resolve(dir) }), backend: b }));
  Object.assign(json, { anchor: { ...r.anchor, backend }, signer: r.signer, numbers: r.numbers ?? null });
  // On any failure only the FAIL lines are printed, as for a pack whose files do not match.
  const fails: string[] = [];
  const fail = (line: string) => fails.push(`FAIL ${line}`);
  const a = r.anchor;
  if (!a.ok) for (const p of a.problems) fail(describeProblem(p));
  else {
    for (const n of a.pruned) lines.push(`note stream ${n.stream} seq ${n.seq}: ${n.note}`);
    const extra = [
      a.pruned.length ? `${a.pruned.length} pruned (cannot confirm)` : '',
      a.newStreams ? `${a.newStreams} new stream${a.newStreams === 1 ? '' : 's'} since the pack` : '',
    ].filter(Boolean);
    if (anchors.source !== CHAINS_FILE) extra.push(`heads read from ${anchors.source}, as packs built before ${CHAINS_FILE} list them`);
    lines.push(
      `ok: the store (${backend}) holds the history this pack anchored: ${a.confirmed} of ${a.streams} chains confirmed through their anchored link (${a.records} records recomputed)${extra.length ? `; ${extra.join(', ')}` : ''}`,
    );
  }
  const s = r.signer;
  if (s.listed)
    lines.push(
      `ok: the store lists the signing key sha256 ${s.fingerprint} among its pack signers (first used for the ${s.firstMonth} pack)`,
    );
  else if (s.legacyBuild)
    lines.push(
      `note: the pack predates the store's #signers stream; the store's build log holds its manifest digest, so the store built it`,
    );
  else
    fail(
      `signer: the pack was signed by key sha256 ${s.fingerprint}, which the store never recorded as a pack signer (it lists ${s.known.length ? s.known.map((k) => `${k.fingerprint} from ${k.firstMonth}`).join(', ') : 'none'})`,
    );
  if ((s.listed || s.legacyBuild) && trust?.status !== 'trusted')
    trust = { status: 'trusted', fingerprint: s.fingerprint, by: 'the evidence store', source: 'store' };
  json.trust = trust ?? null;
  if (r.numbers) {
    for (const d of r.numbers.differences) fail(describeDiff(d));
    for (const n of r.numbers.notes) lines.push(`note: ${n}`);
    if (r.numbers.ok && r.numbers.compared > 0)
      lines.push(
        `ok: ${r.numbers.compared} figures of results.csv, findings.csv, incidents.csv and the manifest's totals equal the recount from the chained history`,
      );
  }
  if (fails.length) lines.splice(0, lines.length, ...fails);
  else lines.push(trustLine(trust)!);
  finish(fails.length ? EXIT.failed : trust?.status === 'trusted' ? EXIT.ok : EXIT.unverified);
}
