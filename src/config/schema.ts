/** The schema of one check in `checks/*.yaml`; the type-specific `options:` block is validated by its probe type. */
import { z } from 'zod';
import { ELEMENT_IDS } from '../elements';
import { SEVERITIES } from '../results/contract';
import { durationMs } from '../util/schema';
import { validateCron } from './schedule';

/** Check ids become label values, BullMQ job ids and result ids: no `:`, `@`, spaces. */
export const CHECK_ID = /^[a-z0-9][a-z0-9._-]{0,99}$/;

const scheduleSchema = z.union([
  z.string().superRefine((expr, ctx) => {
    const problem = validateCron(expr);
    if (problem) ctx.addIssue({ code: 'custom', message: `invalid cron expression "${expr}": ${problem}` });
  }),
  z
    .object({
      every: durationMs.refine((ms) => ms >= 1000, 'every must be at least 1s'),
    })
    .strict(),
  z.object({ cron: z.string(), timezone: z.string().optional() }).strict(),
]);

export const checkSchema = z
  .object({
    id: z.string().regex(CHECK_ID, 'expected lower-case letters, digits, ".", "_" or "-" (at most 100), starting with a letter or digit'),
    name: z.string().min(1).optional(),
    type: z.string().min(1),
    element: z.enum(ELEMENT_IDS),
    schedule: scheduleSchema,
    timeout: durationMs.refine((ms) => ms >= 100 && ms <= 600_000, 'timeout must be between 100ms and 10m').default(10_000),
    target: z.string().min(1),
    options: z.record(z.string(), z.unknown()).default({}),
    severity: z.enum(SEVERITIES as [string, ...string[]]).default('medium'),
    owner: z.string().min(1).optional(),
    /** An http(s) URL, or a path inside the repository such as docs/runbooks/x.md. */
    runbook: z.union([z.url({ protocol: /^https?$/ }), z.string().regex(/^[\w./-]+\.md(#[\w-]+)?$/, 'expected an http(s) URL or a relative path to a .md file')]).optional(),
    labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names must be Prometheus-style'), z.string()).default({}),
    /** How many times an `error` result is retried (a `fail` never is). */
    retries: z.number().int().min(0).max(10).default(2),
    enabled: z.boolean().default(true),
  })
  .strict();

export type RawCheck = z.infer<typeof checkSchema>;

export const checksFileSchema = z.object({ checks: z.array(z.unknown()) }).strict();
