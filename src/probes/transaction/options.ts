/**
 * The `options:` block of a `transaction` check: a multi-step flow (steps, variables, extractors, assertions),
 * authentication (SNAP BI signing, OAuth2 client credentials, static headers), latency thresholds and SLOs.
 * Secrets (keys, client secrets) are `${env:..}`/`${file:..}` references resolved by the runner, never literals.
 */
import { z } from 'zod';
import { headerAssertion, jsonAssertion } from '../http/options';
import { durationMs, regexText } from '../../util/schema';
import { templateNames, GENERATORS } from './template';

const statusPattern = z.union([
  z.number().int().min(100).max(599),
  z.string().regex(/^[1-5]xx$/, 'expected a status code or a class like 2xx'),
]);

/** Variable and step names end up in templates and metric labels: keep them short and plain. */
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;
const name = z.string().regex(NAME, 'expected a letter, then letters, digits, "_" or "-" (at most 63)');

export const extractor = z.discriminatedUnion('from', [
  z.object({ name, from: z.literal('json'), path: z.string().min(1) }).strict(),
  z.object({ name, from: z.literal('header'), header: z.string().min(1) }).strict(),
  z.object({ name, from: z.literal('body'), regex: regexText, group: z.number().int().min(0).max(20).default(1) }).strict(),
]);

export const expectations = z
  .object({
    status: z.array(statusPattern).min(1).default(['2xx']),
    json: z.array(jsonAssertion).default([]),
    headers: z.array(headerAssertion).default([]),
    bodyMatches: z.array(regexText).default([]),
    bodyNotMatches: z.array(regexText).default([]),
  })
  .strict();

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The first integer a double cannot hold exactly (a 20-digit id parsed from YAML), with its JSONPath. */
function unsafeInteger(v: unknown, path: string): { path: string; value: number } | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && !Number.isSafeInteger(v) ? { path, value: v } : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = unsafeInteger(v[i], `${path}[${i}]`);
      if (r) return r;
    }
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const r = unsafeInteger(x, `${path}.${k}`);
      if (r) return r;
    }
  }
  return undefined;
}

export const stepSchema = z
  .object({
    name,
    method: z.enum(METHODS).default('GET'),
    /** Absolute URL, or a path resolved against the check's target. Templated. */
    url: z.string().min(1),
    headers: z.record(z.string(), z.string()).default({}),
    /** Raw body text (templated as text). */
    body: z.string().optional(),
    /**
     * A JSON body: string values are templated one by one, so a variable can never break the JSON. Its numbers
     * are YAML numbers (10000.00 is sent as 10000): write exact numerals as strings, or use `body:`.
     */
    json: z
      .unknown()
      .optional()
      .superRefine((v, ctx) => {
        const at = unsafeInteger(v, '$');
        if (at)
          ctx.addIssue({
            code: 'custom',
            message: `${at.path} is ${at.value}, beyond 2^53: it cannot be sent as written; quote it or use body:`,
          });
      }),
    /** Apply the flow's auth (SNAP symmetric signature / bearer token) to this step. */
    auth: z.boolean().default(true),
    extract: z.array(extractor).default([]),
    expect: expectations.default({ status: ['2xx'], json: [], headers: [], bodyMatches: [], bodyNotMatches: [] }),
    /** Slower than this → warn; slower than failAfter → fail (Checkly's degradedResponseTime/maxResponseTime). */
    degradedAfter: durationMs.optional(),
    failAfter: durationMs.optional(),
    /** Hard limit for this step (the check's timeout still bounds the whole flow). */
    timeout: durationMs.optional(),
  })
  .strict()
  .refine((s) => !(s.body !== undefined && s.json !== undefined), 'give either body or json, not both');

const snapAuth = z
  .object({
    type: z.literal('snap'),
    /** Access-token endpoint (SNAP: /v1.0/access-token/b2b), absolute or relative to the target. */
    tokenUrl: z.string().min(1).default('/v1.0/access-token/b2b'),
    /** X-CLIENT-KEY; also the default X-PARTNER-ID. */
    clientId: z.string().min(1),
    /** PEM RSA private key for the token request (SHA256withRSA); use ${file:..}. */
    privateKey: z.string().min(1),
    /** HMAC-SHA512 key for transaction requests; use ${env:..} or ${file:..}. */
    clientSecret: z.string().min(1),
    partnerId: z.string().min(1).optional(),
    channelId: z.string().min(1).default('95221'),
    /** Offset written in X-TIMESTAMP (SNAP examples use Jakarta time, +07:00). */
    timestampOffset: z
      .string()
      .regex(/^[+-]\d{2}:\d{2}$/)
      .default('+07:00'),
    /** Where the token sits in the token response. */
    tokenPath: z.string().min(1).default('$.accessToken'),
    /** Sign the path with its query string (the request's relative URL) or the bare path. */
    signQuery: z.boolean().default(true),
    /** Reuse the token until shortly before `expiresIn` instead of fetching one every run. */
    reuseToken: z.boolean().default(false),
  })
  .strict();

const oauth2Auth = z
  .object({
    type: z.literal('oauth2'),
    tokenUrl: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    scope: z.string().optional(),
    audience: z.string().optional(),
    /** RFC 6749 §2.3.1: HTTP Basic is the default; some servers want the credentials in the form body. */
    credentialsIn: z.enum(['basic', 'body']).default('basic'),
    /** Reuse the token until shortly before `expires_in` instead of fetching one every run. */
    reuseToken: z.boolean().default(false),
  })
  .strict();

export const sloSchema = z
  .object({
    name: name.default('flow'),
    /** Share of good flows, e.g. 0.99. */
    objective: z.number().gt(0).lt(1),
    /** A flow slower than this is bad even when it passed. */
    latency: durationMs.optional(),
    window: durationMs.default(30 * 86_400_000),
    /** Count flows the probe could not run (refused, DNS, TLS, timeout) as bad; customers feel them too. */
    countErrors: z.boolean().default(true),
  })
  .strict();

export const transactionOptions = z
  .object({
    /** Variables set before the first step; values are templates, so `{{$uuid}}` gives one value per run. */
    variables: z.record(z.string().regex(NAME), z.string()).default({}),
    /** Headers sent on every step (static API keys go here as ${env:..} references). */
    headers: z.record(z.string(), z.string()).default({}),
    auth: z.discriminatedUnion('type', [snapAuth, oauth2Auth]).optional(),
    steps: z.array(stepSchema).min(1).max(20),
    /** Runs after the steps whatever happened (also after a failed or errored step). */
    cleanup: stepSchema.optional(),
    /** Flow thresholds on the sum of step durations. */
    degradedAfter: durationMs.optional(),
    failAfter: durationMs.optional(),
    /** Reuse one connection across steps (default: a fresh connection per step, so every phase is measured). */
    keepAlive: z.boolean().default(false),
    verifyTls: z.boolean().default(true),
    caFile: z.string().optional(),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .max(16 * 1024 * 1024)
      .default(1024 * 1024),
    slo: z.array(sloSchema).max(5).default([]),
  })
  .strict()
  .superRefine((o, ctx) => {
    const known = new Set(Object.keys(o.variables));
    if (o.auth) known.add('accessToken');
    const seen = new Set<string>();
    const checkStep = (s: z.infer<typeof stepSchema>, path: (string | number)[], vars: Set<string>) => {
      if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: [...path, 'name'], message: `step name "${s.name}" is used twice` });
      seen.add(s.name);
      for (const v of templateNames([s.url, s.body, s.json, s.headers])) {
        if (!vars.has(v) && !GENERATORS.has(v.split(':')[0])) {
          ctx.addIssue({
            code: 'custom',
            path,
            message: `step "${s.name}" uses {{${v}}}, which no earlier step extracts and no variable defines`,
          });
        }
      }
    };
    // Flow-wide headers go on every step, so they may only use what exists before the first one.
    for (const v of templateNames(o.headers)) {
      if (!known.has(v) && !GENERATORS.has(v.split(':')[0]))
        ctx.addIssue({
          code: 'custom',
          path: ['headers'],
          message: `headers use {{${v}}}, which is not a variable defined before the first step`,
        });
    }
    o.steps.forEach((s, i) => {
      checkStep(s, ['steps', i], known);
      for (const e of s.extract) known.add(e.name);
    });
    // Cleanup may use anything a step extracts; at run time it is skipped when a value it needs never came.
    if (o.cleanup) checkStep(o.cleanup, ['cleanup'], known);
    for (const slo of o.slo)
      if (o.slo.filter((x) => x.name === slo.name).length > 1)
        ctx.addIssue({ code: 'custom', path: ['slo'], message: `SLO name "${slo.name}" is used twice` });
  });

export type TransactionOptions = z.infer<typeof transactionOptions>;
export type Step = z.infer<typeof stepSchema>;
export type Extractor = z.infer<typeof extractor>;
export type SnapAuth = z.infer<typeof snapAuth>;
export type OAuth2Auth = z.infer<typeof oauth2Auth>;
export type Slo = z.infer<typeof sloSchema>;
