/**
 * Probe type `attestation`: for what no probe can observe (a drill took place, a partner agreement is in force,
 * staff completed training). Passes while the latest attestation recorded with `pengawas attest` for the target
 * is valid, warns within `warnBefore` of its expiry, fails when it expired or none exists. An evidence store it
 * cannot read is an `error`. The store is reached through src/evidence/access.ts: the recorder's store in this
 * process, else opened directly (SQLite beside the recorder, or PostgreSQL).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AttestationStoreUnreachableError, UsageError } from '../../errors';
import type { Attestation } from '../../evidence/attestations';
import { defineProbe } from '../types';
import { attestationOptions } from './options';
import { evaluate, type AttestationMeasurements, type EvidenceCheck } from './rules';

export const TARGET = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,199}$/;
/** Evidence files larger than this are not re-hashed by a check (a worker is no place for a 1 GB read). */
const MAX_REHASH_BYTES = 64 * 1024 * 1024;

/**
 * A worker that does not see the recorder's store (split roles on other hosts without DATABASE_URL) would find no
 * attestation in a store nobody writes and fail the check: a false verdict. It cannot decide, so it is an error.
 */
function notTheRecordersStore(where: string): AttestationStoreUnreachableError {
  return new AttestationStoreUnreachableError(
    `no recorder has written the evidence store ${where}, so this process cannot tell whether an attestation exists; run attestation checks where the recorder's store is (the recorder's host, or a PostgreSQL store shared through DATABASE_URL)`,
  );
}

async function latest(dataDir: string, checkId: string): Promise<Attestation | undefined> {
  let ev;
  try {
    // Loaded on first use: the store's database drivers are heavy, and every CLI start loads the probe registry.
    const { obtainEvidence, hasEvidenceStore } = await import('../../evidence/access');
    if (!hasEvidenceStore({ dataDir })) throw notTheRecordersStore(`under ${dataDir} (there is none, and DATABASE_URL is not set)`);
    ev = await obtainEvidence({ dataDir, keepOpen: true });
    const found = (await ev.call('latestAttestation', { checkId })) ?? undefined;
    if (!found && ev.via === 'direct' && !(await ev.call('info', {})).recorderSeen) throw notTheRecordersStore(`under ${dataDir}`);
    return found;
  } catch (e) {
    if (e instanceof AttestationStoreUnreachableError) throw e;
    throw new AttestationStoreUnreachableError(`cannot read attestations: ${(e as Error).message}`, { cause: e });
  } finally {
    await ev?.release().catch(() => undefined);
  }
}

async function rehash(ref: string, signal: AbortSignal): Promise<EvidenceCheck | undefined> {
  if (!path.isAbsolute(ref)) return undefined; // a URL: not refetched
  try {
    const buf = await readFile(ref, { signal });
    if (buf.length > MAX_REHASH_BYTES) return undefined;
    return { currentHash: createHash('sha256').update(buf).digest('hex') };
  } catch {
    return { currentHash: null };
  }
}

function checkTarget(target: string): void {
  if (!TARGET.test(target.trim()))
    throw new UsageError(`target "${target}" is not a check or control id (letters, digits, "_", ".", ":", "/", "-"; at most 200)`);
}

export const attestationProbe = defineProbe<typeof attestationOptions, AttestationMeasurements>({
  type: 'attestation',
  summary: 'Attestation: a valid, unexpired sign-off (who, when, evidence hash) recorded with `pengawas attest`',
  defaultElement: 'cooperation',
  targetHelp: 'the attested check or control id (as given to `pengawas attest --check`)',
  checkTarget,
  options: attestationOptions,
  async run(target, o, ctx) {
    const id = target.trim();
    checkTarget(id);
    const a = await latest(ctx.dataDir, id);
    const evidence = a && o.verifyEvidence ? await rehash(a.evidenceRef, ctx.signal) : undefined;
    const { findings, measurements } = evaluate(id, a, o, new Date(), evidence);
    return { target: id, findings, measurements };
  },
});
