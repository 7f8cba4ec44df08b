/** The `options:` block of a `webpage` check. */
import { z } from 'zod';
import { A11Y_RULES } from './a11y';

export const webpageOptions = z
  .object({
    /** The page's <html lang> must be this language (primary subtag match: `id` accepts `id-ID`). */
    expectLang: z
      .string()
      .regex(/^[a-z]{2,3}$/i)
      .optional(),
    /** hreflang alternates the page must link to, e.g. [id, en]. */
    requireAlternates: z.array(z.string().min(2)).default([]),
    /** Fetch each required alternate: it must answer 2xx, declare its own language and link back (a pair). */
    checkAlternates: z.boolean().default(true),
    /** Run the accessibility subset (see a11y.ts). */
    accessibility: z.boolean().default(true),
    /** Rules to skip, by axe-core id. */
    skipRules: z.array(z.enum(A11Y_RULES)).default([]),
    headers: z.record(z.string(), z.string()).default({}),
    caFile: z.string().optional(),
    verifyTls: z.boolean().default(true),
    maxBytes: z
      .number()
      .int()
      .positive()
      .max(16 * 1024 * 1024)
      .default(2 * 1024 * 1024),
  })
  .strict();

export type WebpageOptions = z.infer<typeof webpageOptions>;
