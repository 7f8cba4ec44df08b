/** The `options:` block of an `http` check. */
import { z } from 'zod';
import { durationMs, regexText } from '../../util/schema';

const statusPattern = z.union([
  z.number().int().min(100).max(599),
  z.string().regex(/^[1-5]xx$/, 'expected a status code or a class like 2xx'),
]);

export const jsonAssertion = z
  .object({
    path: z.string().min(1),
    equals: z.unknown().optional(),
    matches: regexText.optional(),
    type: z.enum(['string', 'number', 'boolean', 'object', 'array', 'null']).optional(),
    exists: z.boolean().optional(),
  })
  .strict();

export const headerAssertion = z
  .object({ name: z.string().min(1), matches: regexText.optional(), absent: z.boolean().optional() })
  .strict();

export const httpOptions = z
  .object({
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
    expectStatus: z.array(statusPattern).min(1).default(['2xx']),
    followRedirects: z.boolean().default(true),
    maxRedirects: z.number().int().min(0).max(20).default(5),
    /** Require the final URL to be https (true), plain http (false), or either (unset). */
    expectTls: z.boolean().optional(),
    verifyTls: z.boolean().default(true),
    /** PEM file with extra CA certificates to trust (private PKI). */
    caFile: z.string().optional(),
    bodyMatches: z.array(regexText).default([]),
    bodyNotMatches: z.array(regexText).default([]),
    json: z.array(jsonAssertion).default([]),
    /** Response headers that must be present (and match), e.g. security headers; or be absent. */
    requireHeaders: z.array(headerAssertion).default([]),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    /** Slower than this → warn (like Checkly's degradedResponseTime). */
    degradedAfter: durationMs.optional(),
    /** Slower than this → fail (like Checkly's maxResponseTime). */
    failAfter: durationMs.optional(),
  })
  .strict();

export type HttpOptions = z.infer<typeof httpOptions>;
export type JsonAssertion = z.infer<typeof jsonAssertion>;
export type HeaderAssertion = z.infer<typeof headerAssertion>;
