/**
 * The fixed set of evidence operations the commands and `attestation` checks run against an open store, with
 * their arguments validated in one place (a bad value is named before anything is written). Every operation
 * runs in the calling process, on a store that process opened itself: packs are written where the operator
 * running the command can write, and access to the store is the file system's or the database's.
 */
import path from 'node:path';
import { z } from 'zod';
import { EvidenceStoreError } from '../errors';
import { latestAttestation, recordAttestation, type Attestation } from './attestations';
import { compareWithStore, type AnchorVerification } from './pack/anchor';
import { buildPack, type Manifest, type PackProgress } from './pack/build';
import { checkPackDir, type PackStoreCheck } from './pack/check-store';
import { listSigners, type ListedSigner } from './pack/signers';
import type { EvidenceStore } from './store';
import { verifyStore, type StoreVerification } from './verify-store';
import { addWaiver, RISKS, type Waiver } from './waivers';
import { addMaintenance, endMaintenance, listMaintenance, SCOPE_KINDS, scopeCovers, type MaintenanceWindow } from './maintenance';
import { recordSilence, SILENCE_ACTIONS, silencesOf } from './maintenance-silences';
import { checksInForce } from './record-checks';
import type { Queryable } from './db/types';

/** The most stream heads one pack can anchor for `evidence verify DIR --store` (one stream per check, plus a few). */
export const MAX_ANCHORED_HEADS = 10_000;

const text = (max: number) => z.string().trim().min(1).max(max);
const isoTime = z.iso.datetime({ offset: true });
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
/** A chain stream: a check id, or an internal stream such as #config; ASCII, so its size is bounded. */
const streamName = z.string().regex(/^#?[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'must be a check id or an internal stream name');
const absolutePath = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => path.isAbsolute(p) && !p.includes('\0'), 'must be an absolute path');

/** An operator's signature over a waiver or attestation (src/evidence/record-checks.ts); checked by the store. */
const operatorSignature = z
  .object({
    algorithm: z.literal('ed25519'),
    keySha256: hex64,
    publicKey: z.string().min(1).max(1000),
    value: z.string().min(1).max(200),
    signer: text(200),
  })
  .strict();

/** Each operation's arguments. */
export const OPS = {
  info: z.object({}).strict(),
  recordAttestation: z
    .object({
      checkId: text(200),
      by: text(200),
      evidenceHash: hex64,
      evidenceRef: text(2000),
      expiresAt: isoTime.nullable(),
      note: z.string().max(2000).optional(),
      signature: operatorSignature.optional(),
    })
    .strict(),
  latestAttestation: z.object({ checkId: text(200) }).strict(),
  recordWaiver: z
    .object({
      checkId: text(200),
      findingId: text(200).optional(),
      reason: text(2000),
      approver: text(200),
      risk: z.enum(RISKS),
      expiresAt: isoTime,
      startsAt: isoTime.optional(),
      createdBy: text(200).optional(),
      signature: operatorSignature.optional(),
    })
    .strict(),
  recordMaintenance: z
    .object({
      scope: z.object({ kind: z.enum(SCOPE_KINDS), value: text(300).nullable() }).strict(),
      startsAt: isoTime,
      endsAt: isoTime,
      reason: text(2000),
      by: text(200),
      createdBy: text(200).optional(),
      signature: operatorSignature.optional(),
    })
    .strict(),
  endMaintenance: z
    .object({ windowId: z.number().int().positive(), by: text(200), at: isoTime.optional(), signature: operatorSignature.optional() })
    .strict(),
  listMaintenance: z.object({ activeAt: isoTime.optional(), limit: z.number().int().positive().max(10_000).optional() }).strict(),
  /** The Alertmanager silence made (or expired) for a window: `maintenance add|end` with maintenance.alertmanager. */
  recordMaintenanceSilence: z
    .object({
      windowId: z.number().int().positive(),
      action: z.enum(SILENCE_ACTIONS),
      silenceId: z.string().min(1).max(100),
      alertmanager: z.string().min(1).max(2000),
      matchers: z
        .array(z.object({ name: text(200), value: z.string().max(20_000), isRegex: z.boolean(), isEqual: z.boolean() }).strict())
        .max(50)
        .optional(),
    })
    .strict(),
  /** The checks of the configuration in force a window scope covers (null: no configuration recorded yet). */
  coveredChecks: z.object({ scope: z.object({ kind: z.enum(SCOPE_KINDS), value: text(300).nullable() }).strict() }).strict(),
  buildPack: z
    .object({
      month: z.string().regex(/^\d{4}-\d{2}$/),
      outDir: absolutePath,
      lang: z.enum(['en', 'id']),
      keyFile: absolutePath.optional(),
      overwrite: z.boolean().optional(),
      pdf: z.boolean().optional(),
      docsRoot: absolutePath.optional(),
    })
    .strict(),
  /** `evidence verify --store`: every chain recomputed, in the store's own timezone. */
  verifyStore: z.object({}).strict(),
  /** `evidence verify DIR --store`: the heads the pack anchored (chains.json), compared with the store. */
  compareAnchors: z
    .object({
      heads: z.array(z.object({ stream: streamName, seq: z.number().int().nonnegative(), hash: hex64 }).strict()).max(MAX_ANCHORED_HEADS),
    })
    .strict(),
  /** `evidence verify DIR --store`: anchors, signer and recounted figures of the pack in DIR (pack/check-store.ts). */
  checkPack: z.object({ dir: absolutePath }).strict(),
  /** `evidence signers`: every key the store recorded as a pack signer. */
  listSigners: z.object({}).strict(),
} as const;

export type Op = keyof typeof OPS;
export type OpArgs<O extends Op> = z.infer<(typeof OPS)[O]>;

export interface PackBuilt {
  outDir: string;
  manifestSha256: string;
  durationMs: number;
  manifest: Manifest;
}

export interface OpResults {
  /** `recorderSeen`: a recorder has written this store (its configuration is recorded), so "nothing here" means something. */
  info: { timezone: string; backend: string; recorderSeen: boolean };
  recordAttestation: Attestation;
  latestAttestation: Attestation | null;
  /** As stored, dates in ISO text. */
  recordWaiver: Omit<Waiver, 'startsAt' | 'expiresAt'> & { startsAt: string; expiresAt: string };
  recordMaintenance: MaintenanceWindow;
  endMaintenance: MaintenanceWindow;
  listMaintenance: MaintenanceWindow[];
  recordMaintenanceSilence: MaintenanceWindow;
  coveredChecks: Array<{ id: string; element: string }> | null;
  buildPack: PackBuilt;
  verifyStore: StoreVerification;
  compareAnchors: AnchorVerification;
  checkPack: PackStoreCheck;
  listSigners: ListedSigner[];
}

/** Validates `args` for `op` (throws EvidenceStoreError naming the bad fields) and returns them typed. */
export function parseArgs<O extends Op>(op: O, args: unknown): OpArgs<O> {
  const parsed = OPS[op].safeParse(args);
  if (!parsed.success) {
    const what = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
    throw new EvidenceStoreError(`invalid ${op} request: ${what}`);
  }
  return parsed.data as OpArgs<O>;
}

/** The windows with their Alertmanager silences attached, where one was made. */
async function withSilences(db: Queryable, windows: MaintenanceWindow[]): Promise<MaintenanceWindow[]> {
  const silences = await silencesOf(
    db,
    windows.map((w) => w.id),
  );
  return windows.map((w) => (silences.has(w.id) ? { ...w, silence: silences.get(w.id) } : w));
}

/** What a caller in this process may follow while an operation runs (functions: never part of the validated args). */
export interface OpHooks {
  /** `buildPack`: each stage of the build (the CLI draws it on a terminal). */
  onProgress?: (p: PackProgress) => void;
}

export async function runOp<O extends Op>(store: EvidenceStore, op: O, rawArgs: unknown, hooks: OpHooks = {}): Promise<OpResults[O]> {
  const run = async (): Promise<unknown> => {
    switch (op) {
      case 'info':
        parseArgs('info', rawArgs);
        return {
          timezone: store.timezone,
          backend: store.kind,
          recorderSeen: (await store.db.query(`SELECT 1 AS x FROM evidence_chain_heads WHERE stream = '#config'`)).length > 0,
        };
      case 'recordAttestation': {
        const a = parseArgs('recordAttestation', rawArgs);
        return recordAttestation(store, { ...a, expiresAt: a.expiresAt ? new Date(a.expiresAt) : null });
      }
      case 'latestAttestation':
        return (await latestAttestation(store, parseArgs('latestAttestation', rawArgs).checkId)) ?? null;
      case 'recordWaiver': {
        const w = parseArgs('recordWaiver', rawArgs);
        return addWaiver(store, { ...w, expiresAt: new Date(w.expiresAt), startsAt: w.startsAt ? new Date(w.startsAt) : undefined });
      }
      case 'recordMaintenance': {
        const m = parseArgs('recordMaintenance', rawArgs);
        return addMaintenance(store, { ...m, startsAt: new Date(m.startsAt), endsAt: new Date(m.endsAt) });
      }
      case 'endMaintenance': {
        const m = parseArgs('endMaintenance', rawArgs);
        return (await withSilences(store.db, [await endMaintenance(store, { ...m, at: m.at ? new Date(m.at) : undefined })]))[0];
      }
      case 'listMaintenance': {
        const m = parseArgs('listMaintenance', rawArgs);
        return withSilences(
          store.db,
          await listMaintenance(store.db, { activeAt: m.activeAt ? new Date(m.activeAt) : undefined, limit: m.limit }),
        );
      }
      case 'recordMaintenanceSilence': {
        const m = parseArgs('recordMaintenanceSilence', rawArgs);
        await recordSilence(store, m);
        const [w] = (await listMaintenance(store.db, { limit: 10_000 })).filter((x) => x.id === m.windowId);
        return (await withSilences(store.db, [w]))[0];
      }
      case 'coveredChecks': {
        const { scope } = parseArgs('coveredChecks', rawArgs);
        const checks = await checksInForce(store.db);
        return checks ? checks.filter((c) => scopeCovers(scope, c)).map((c) => ({ id: c.id, element: c.element })) : null;
      }
      case 'buildPack': {
        const r = await buildPack(store, { ...parseArgs('buildPack', rawArgs), onProgress: hooks.onProgress });
        return { outDir: r.outDir, manifestSha256: r.manifestSha256, durationMs: r.durationMs, manifest: r.manifest };
      }
      case 'verifyStore':
        parseArgs('verifyStore', rawArgs);
        return verifyStore(store.db, store.timezone);
      case 'listSigners':
        parseArgs('listSigners', rawArgs);
        return listSigners(store.db);
      case 'checkPack':
        return checkPackDir(store.db, parseArgs('checkPack', rawArgs).dir, store.timezone);
      case 'compareAnchors':
        return compareWithStore(store.db, parseArgs('compareAnchors', rawArgs).heads, store.timezone);
      default:
        throw new EvidenceStoreError(`unknown evidence operation "${String(op)}"`);
    }
  };
  // Plain JSON (dates as ISO text), one shape for every caller.
  return JSON.parse(JSON.stringify(await run())) as OpResults[O];
}
