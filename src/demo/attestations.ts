/**
 * `pengawas demo` seeds the attestations of checks/demo/attestations.yaml so the demo shows a valid one (drill),
 * an expired one (training) and one about to expire (partner agreement). Only attestation targets that have none
 * yet are seeded, so attestations the user records during the demo are never overridden on the next start.
 */
import path from 'node:path';
import { obtainEvidence } from '../evidence/access';
import { resolveEvidence } from '../evidence/evidence-ref';
import { logger } from '../util/logger';

const DAY = 86_400_000;

interface Seed {
  target: string;
  by: string;
  file: string;
  /** Expiry relative to the first demo start, in days (negative: already expired). */
  expiresInDays: number;
  note: string;
}

export const DEMO_ATTESTATIONS: Seed[] = [
  { target: 'demo-tabletop-drill', by: 'Demo CISO', file: 'tabletop-drill-report.md', expiresInDays: 300, note: 'demo seed: valid' },
  {
    target: 'demo-training-completed',
    by: 'Demo Head of HR',
    file: 'security-training-completion.md',
    expiresInDays: -10,
    note: 'demo seed: expired',
  },
  {
    target: 'demo-partner-agreement',
    by: 'Demo General Counsel',
    file: 'partner-cooperation-agreement.md',
    expiresInDays: 20,
    note: 'demo seed: expires soon',
  },
];

/** Returns how many were seeded. Runs before the monitor opens the store; a failure only costs the seed. */
export async function seedDemoAttestations(dataDir: string, checksDir: string, now = new Date()): Promise<number> {
  const evidenceDir = path.resolve(checksDir, 'attestation-evidence');
  let seeded = 0;
  try {
    const ev = await obtainEvidence({ dataDir });
    try {
      for (const s of DEMO_ATTESTATIONS) {
        if (await ev.call('latestAttestation', { checkId: s.target })) continue;
        const e = await resolveEvidence(path.join(evidenceDir, s.file));
        await ev.call('recordAttestation', {
          checkId: s.target,
          by: s.by,
          evidenceHash: e.evidenceHash,
          evidenceRef: e.evidenceRef,
          expiresAt: new Date(now.getTime() + s.expiresInDays * DAY).toISOString(),
          note: s.note,
        });
        seeded++;
      }
    } finally {
      await ev.release();
    }
  } catch (err) {
    logger().warn({ err: (err as Error).message }, 'demo: could not seed the demo attestations');
  }
  return seeded;
}
