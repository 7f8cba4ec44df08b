/**
 * The fixed set of evidence operations, run against an open store. The same function serves a store opened in
 * this process and a request that came over the channel, so both paths validate and answer alike.
 */
import { latestAttestation, recordAttestation, type Attestation } from '../attestations';
import { compareWithStore, type AnchorVerification } from '../pack/anchor';
import { buildPack, type Manifest } from '../pack/build';
import { checkPackDir, type PackStoreCheck } from '../pack/check-store';
import { listSigners, type ListedSigner } from '../pack/signers';
import type { EvidenceStore } from '../store';
import { verifyStore, type StoreVerification } from '../verify-store';
import { addWaiver, type Waiver } from '../waivers';
import { OPS, type Op, type OpArgs } from './protocol';
import { EvidenceStoreError } from '../../errors';

export interface PackBuilt {
  outDir: string;
  manifestSha256: string;
  durationMs: number;
  manifest: Manifest;
}

export interface OpResults {
  info: { timezone: string; backend: string };
  recordAttestation: Attestation;
  latestAttestation: Attestation | null;
  /** As stored, dates in ISO text. */
  recordWaiver: Omit<Waiver, 'startsAt' | 'expiresAt'> & { startsAt: string; expiresAt: string };
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

export async function runOp<O extends Op>(store: EvidenceStore, op: O, rawArgs: unknown): Promise<OpResults[O]> {
  const run = async (): Promise<unknown> => {
    switch (op) {
      case 'info':
        parseArgs('info', rawArgs);
        return { timezone: store.timezone, backend: store.kind };
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
      case 'buildPack': {
        const b = parseArgs('buildPack', rawArgs);
        const r = await buildPack(store, b);
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
  // Plain JSON (dates as ISO text) whichever way the operation ran, so callers see one shape.
  return JSON.parse(JSON.stringify(await run())) as OpResults[O];
}
