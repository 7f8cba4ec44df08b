/** The `options:` block of an `openapi` check. */
import { z } from 'zod';
import { regexText } from '../../util/schema';

const operationRef = z
  .string()
  .regex(/^(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH|TRACE) \/\S*$/, 'expected "METHOD /path", e.g. "POST /v1.0/access-token/b2b"');

export const liveCall = z
  .object({
    /** The documented operation, "METHOD /path" as in the document (templates allowed). */
    operation: operationRef,
    /** The concrete path to call when the documented one has {parameters}. */
    path: z.string().startsWith('/').optional(),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
    /** Expect a SNAP body: responseCode = HTTP status (3 digits) + service code (2) + case code (2). */
    snap: z.boolean().default(false),
    /** The SNAP service code this operation must answer with (e.g. 73 for the B2B access token). */
    snapService: z
      .string()
      .regex(/^\d{2}$/)
      .optional(),
  })
  .strict();

export const openapiOptions = z
  .object({
    /** Operations the document must describe. */
    requireOperations: z.array(operationRef).default([]),
    /** Header parameters every operation whose path matches must declare, e.g. the SNAP headers on /v1.0/. */
    requireHeaders: z
      .array(
        z
          .object({
            paths: regexText.pipe(z.string().min(1)),
            /** Paths the rule skips, e.g. the token endpoint (look-ahead is not available on the linear-time engine). */
            exceptPaths: regexText.optional(),
            headers: z.array(z.string().min(1)).min(1),
          })
          .strict(),
      )
      .default([]),
    /** servers[].url must be https (relative URLs are allowed). */
    requireHttpsServers: z.boolean().default(true),
    /** Call these operations on the live API and check the answers are documented. */
    live: z.array(liveCall).default([]),
    /** Base URL for live calls; default: the document's first server. */
    baseUrl: z.url().optional(),
    headers: z.record(z.string(), z.string()).default({}),
    caFile: z.string().optional(),
    verifyTls: z.boolean().default(true),
    maxBytes: z
      .number()
      .int()
      .positive()
      .max(32 * 1024 * 1024)
      .default(4 * 1024 * 1024),
  })
  .strict();

export type OpenapiOptions = z.infer<typeof openapiOptions>;
export type LiveCall = z.infer<typeof liveCall>;
