/** The `options:` block of an `attestation` check. Thresholds are the operator's own policy. */
import { z } from 'zod';
import { durationMs } from '../../util/schema';

export const attestationOptions = z
  .object({
    /** This close to the attestation's expiry → expires soon (warn). */
    warnBefore: durationMs.default(30 * 86_400_000),
    /**
     * Re-attest at least this often, whatever expiry was given (e.g. 365d for an annual drill): an attestation
     * recorded longer ago than this fails as stale.
     */
    maxAge: durationMs.optional(),
    /** An attestation without an expiry date fails (default true: "forever" is not a review cycle). */
    requireExpiry: z.boolean().default(true),
    /**
     * Re-hash the evidence file when it is readable from the worker: a document edited after it was attested
     * fails (`attestation.evidence_changed`). URL evidence is not refetched.
     */
    verifyEvidence: z.boolean().default(false),
  })
  .strict();

export type AttestationOptions = z.infer<typeof attestationOptions>;
