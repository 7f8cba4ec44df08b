/**
 * `pengawas evidence verify DIR --store`, the store's side, in one snapshot of the store:
 *   1. the chains the pack anchored are still the store's history (anchor.ts);
 *   2. the key that signed the pack is one the store recorded in its `#signers` stream (signers.ts);
 *   3. the pack's figures equal the figures recounted from that anchored history (recount.ts, numbers.ts).
 * The pack itself must have passed verifyPack first (its files match its signed manifest).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { StreamHead } from '../chain';
import { sha256Hex } from '../hash';
import { CONFIG_STREAM, type ConfigRecord } from '../config-log';
import type { EvidenceDb, Queryable } from '../db/types';
import type { StoredBody } from '../results';
import { parseMonth } from '../tz';
import { tableOf } from '../verify-store';
import { EvidencePackError } from '../../errors';
import { compareAnchors, readAnchors, type AnchorVerification } from './anchor';
import { verifyPack } from './verify';
import type { Manifest } from './manifest';
import { inSnapshot } from './data';
import { compareNumbers, type NumbersCheck } from './numbers';
import { Recount } from './recount';
import { listSigners, SIGNER_STREAM } from './signers';

export interface SignerCheck {
  fingerprint: string;
  /** The store lists this key among its pack signers. */
  listed: boolean;
  /**
   * A pack built before the store kept `#signers` (it anchors no such stream) is accepted when the store's log
   * of builds holds its manifest's SHA-256; a re-signed manifest has another digest.
   */
  legacyBuild?: boolean;
  firstMonth?: string;
  /** Every key the store lists, oldest first. */
  known: Array<{ fingerprint: string; algorithm: string; firstMonth: string; firstUsedAt: string }>;
}

export interface PackStoreCheck {
  ok: boolean;
  anchor: AnchorVerification;
  signer: SignerCheck;
  /** Absent when the anchored history does not verify (nothing trustworthy to recount from). */
  numbers?: NumbersCheck;
}

/** The configuration records of the period (configsForPeriod's rule) among those through the anchored link. */
async function anchoredConfigs(tx: Queryable, anchors: StreamHead[], from: Date, to: Date): Promise<ConfigRecord[]> {
  const cfg = anchors.find((a) => a.stream === CONFIG_STREAM);
  if (!cfg) return [];
  const rows = await tx.query<{ body: string }>(`SELECT body FROM evidence_configs WHERE stream = $1 AND seq <= $2 ORDER BY seq`, [
    CONFIG_STREAM,
    cfg.seq,
  ]);
  const all = rows.map((r) => JSON.parse(r.body) as ConfigRecord);
  const t = (c: ConfigRecord) => new Date(c.appliedAt).getTime();
  const before = all.filter((c) => t(c) < from.getTime());
  return [...before.slice(-1), ...all.filter((c) => t(c) >= from.getTime() && t(c) < to.getTime())];
}

export function checkPackWithStore(
  db: EvidenceDb,
  manifest: Manifest,
  dir: string,
  anchors: StreamHead[],
  tz: string,
): Promise<PackStoreCheck> {
  return inSnapshot(db, async (tx) => {
    const from = new Date(manifest.period.from);
    const to = new Date(manifest.period.to);
    const recount = new Recount(manifest.month, from, to);
    const anchor = await compareAnchors(tx, anchors, tz, {
      record(stream, row) {
        if (tableOf(stream) === 'evidence_results') recount.visit(stream, JSON.parse(row.body as string) as StoredBody, String(row.day));
      },
      pruned(stream) {
        if (tableOf(stream) === 'evidence_results') recount.markPartial(stream);
      },
    });
    const signers = await listSigners(tx);
    const fingerprint = manifest.signature.publicKeySha256;
    const mine = signers.find((s) => s.fingerprint === fingerprint);
    const signer: SignerCheck = {
      fingerprint,
      listed: Boolean(mine),
      ...(mine ? { firstMonth: mine.firstMonth } : {}),
      known: signers.map((s) => ({
        fingerprint: s.fingerprint,
        algorithm: s.algorithm,
        firstMonth: s.firstMonth,
        firstUsedAt: s.firstUsedAt,
      })),
    };
    if (!mine && !anchors.some((a) => a.stream === SIGNER_STREAM)) {
      const digest = sha256Hex(readFileSync(path.join(dir, 'manifest.json')));
      signer.legacyBuild = (await tx.query(`SELECT 1 FROM evidence_pack_builds WHERE manifest_sha256 = $1`, [digest])).length > 0;
    }
    const numbers = anchor.ok
      ? compareNumbers(dir, manifest, recount.result(), await anchoredConfigs(tx, anchors, from, to), parseMonth(manifest.month)!)
      : undefined;
    return { ok: anchor.ok && (signer.listed || Boolean(signer.legacyBuild)) && (numbers?.ok ?? false), anchor, signer, numbers };
  });
}

/** The store's side of `verify DIR --store` for a pack folder that verifyPack has passed and that anchors its chains. */
export function checkPackDir(db: EvidenceDb, dir: string, tz: string): Promise<PackStoreCheck> {
  const v = verifyPack(dir);
  if (!v.ok || !v.manifest)
    throw new EvidencePackError(`${dir} does not verify (${v.problems.map((p) => `${p.file}: ${p.problem}`).join('; ')})`);
  const anchors = readAnchors(dir, v.manifest);
  if (anchors.kind !== 'anchored')
    throw new EvidencePackError(
      `${dir} anchors no chain heads (${anchors.kind === 'invalid' ? anchors.problem : 'it predates chains.json'})`,
    );
  return checkPackWithStore(db, v.manifest, dir, anchors.heads, tz);
}
