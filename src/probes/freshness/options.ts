/** The `options:` block of a `freshness` check. */
import { z } from 'zod';
import { durationMs } from '../../util/schema';

const fieldName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'expected a field name like owner or last_reviewed');

export const freshnessOptions = z
  .object({
    /** Older than this (from the review date) → stale (fail). Unset: only `next_review` (if declared) decides. */
    maxAge: durationMs.optional(),
    /** This close to the due date → due soon (warn). */
    warnBefore: durationMs.default(30 * 86_400_000),
    /** Fields the document must declare, e.g. [owner, approver]. */
    requireFields: z.array(fieldName).default([]),
    /** The field holding the last review (or last test/drill) date. */
    dateField: fieldName.default('last_reviewed'),
    /** The field holding the next planned review date; the earlier of it and review date + maxAge is the due date. */
    nextReviewField: fieldName.default('next_review'),
    /**
     * Where the review date comes from. `auto`: the declared field if present, else the source's own date
     * (file mtime, HTTP Last-Modified); for git sources always the last commit. `field`: only the declared
     * field (absent = missing field). `source`: only the source's own date.
     */
    dateFrom: z.enum(['auto', 'field', 'source']).default('auto'),
    /** When only the file's mtime is known: `warn` (weaker evidence, the default), `accept`, or `reject` (fail). */
    mtimeEvidence: z.enum(['warn', 'accept', 'reject']).default('warn'),
    /** HTTP JSON sources: JSONPath of the review date, e.g. `$.version.when` (Confluence page API). */
    jsonPath: z.string().min(1).optional(),
    /** HTTP JSON sources: JSONPath per required/known field, e.g. {owner: '$.history.createdBy.displayName'}. */
    fieldPaths: z.record(z.string(), z.string().min(1)).default({}),
    /** Git sources: the revision to read (default HEAD). */
    ref: z
      .string()
      .regex(/^[^-\s][^\s]*$/, 'a git revision (branch, tag or commit), not an option')
      .default('HEAD'),
    /** HTTP sources: request headers (values may be ${env:..} references, e.g. an API token). */
    headers: z.record(z.string(), z.string()).default({}),
    caFile: z.string().optional(),
    verifyTls: z.boolean().default(true),
    /** Read at most this much of the document (front matter sits at the top; JSON must fit whole). */
    maxBytes: z
      .number()
      .int()
      .positive()
      .max(16 * 1024 * 1024)
      .default(1024 * 1024),
  })
  .strict();

export type FreshnessOptions = z.infer<typeof freshnessOptions>;
