/** The `options:` block of a `securitytxt` check. */
import { z } from 'zod';
import { durationMs } from '../../util/schema';

export const securityTxtOptions = z
  .object({
    /** RFC 9116 §3: the file MUST be served over HTTPS. Turn off only for a plain-HTTP test site. */
    requireHttps: z.boolean().default(true),
    /** Expires this close → warn. */
    warnBefore: durationMs.default(30 * 86_400_000),
    /** Expires further ahead than this → warn (RFC 9116 recommends less than a year). */
    maxValidity: durationMs.default(366 * 86_400_000),
    /** Optional fields the operator's policy requires, e.g. [Policy, Preferred-Languages, Encryption]. */
    requireFields: z.array(z.string().regex(/^[A-Za-z-]+$/)).default([]),
    /** Languages that Preferred-Languages must list, e.g. [id, en]. */
    requireLanguages: z.array(z.string().min(2)).default([]),
    headers: z.record(z.string(), z.string()).default({}),
    caFile: z.string().optional(),
    verifyTls: z.boolean().default(true),
    maxBytes: z
      .number()
      .int()
      .positive()
      .max(1024 * 1024)
      .default(64 * 1024),
  })
  .strict();

export type SecurityTxtOptions = z.infer<typeof securityTxtOptions>;
