/** The schema of one check in `checks/*.yaml`; the type-specific `options:` block is validated by its probe type. */
import { z } from 'zod';
import { ELEMENT_IDS } from '../elements';
import { SEVERITIES } from '../results/contract';
import { parseDuration } from '../util/duration';
import { durationMs } from '../util/schema';
import { labelsSchema } from './labels';
import { didYouMean } from './messages';
import { validateCron } from './schedule';

/** Check ids become label values, BullMQ job ids and result ids: no `:`, `@`, spaces. */
export const CHECK_ID = /^[a-z0-9][a-z0-9._-]{0,99}$/;

const SCHEDULE_HELP =
  'expected a cron expression like "*/5 * * * *", { every: <duration like 30s or 5m> } or { cron: "...", timezone: "Asia/Jakarta" }';

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * One schema with one message per mistake, naming the value: a union would answer "Invalid input" for all of
 * them. Time zones are checked here because node-cron only rejects a bad one when the schedule starts.
 */
const scheduleSchema = z.unknown().transform((v, ctx): string | { every: number } | { cron: string; timezone?: string } => {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  const cronProblem = (expr: string) => validateCron(expr);
  if (typeof v === 'string') {
    const problem = cronProblem(v);
    if (!problem) return v;
    const hint = /^\s*(every\s+)?\d+\s*[a-z]*\s*$/i.test(v)
      ? `; for an interval write { every: ${/\d+\s*[a-z]+/i.test(v) ? v.replace(/^\s*every\s+/i, '').trim() : `${v.replace(/\D/g, '')}s`} }`
      : '';
    return fail(`schedule ${JSON.stringify(v)} is not a valid cron expression (${problem}); ${SCHEDULE_HELP}${hint}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v))
    return fail(`schedule ${v === null ? 'null' : Array.isArray(v) ? 'is a list' : JSON.stringify(v)} — ${SCHEDULE_HELP}`);
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  const extra = keys.filter((k) => !['every', 'cron', 'timezone'].includes(k));
  if (extra.length)
    return fail(
      `unknown schedule field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}${didYouMean(extra[0], ['every', 'cron', 'timezone'])} — ${SCHEDULE_HELP}`,
    );
  if ('every' in o) {
    if (keys.length > 1)
      return fail(
        `schedule has "every" together with ${keys.filter((k) => k !== 'every').join(', ')}; use either { every } or { cron, timezone }`,
      );
    const ms = typeof o.every === 'string' || typeof o.every === 'number' ? parseDuration(o.every) : undefined;
    if (ms === undefined) return fail(`schedule every ${JSON.stringify(o.every)} — expected a duration like 30s, 5m or 1h`);
    if (ms < 1000) return fail(`schedule every ${JSON.stringify(o.every)} is shorter than the minimum of 1s`);
    return { every: ms };
  }
  if (typeof o.cron !== 'string')
    return fail(`schedule ${'cron' in o ? `cron ${JSON.stringify(o.cron)}` : 'has neither every nor cron'} — ${SCHEDULE_HELP}`);
  const problem = cronProblem(o.cron);
  if (problem) return fail(`schedule cron ${JSON.stringify(o.cron)} is not a valid cron expression (${problem})`);
  if (o.timezone !== undefined && (typeof o.timezone !== 'string' || !validTimeZone(o.timezone))) {
    const zones = Intl.supportedValuesOf('timeZone');
    return fail(
      `schedule timezone ${JSON.stringify(o.timezone)} is not an IANA time zone${typeof o.timezone === 'string' ? didYouMean(o.timezone, zones) : ''} (e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura, UTC)`,
    );
  }
  return { cron: o.cron, ...(o.timezone !== undefined ? { timezone: o.timezone } : {}) };
});

/** One or two sentences of plain text: no control characters, no markup, bounded for the report's table cells. */
const descriptionText = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(300, 'must be at most 300 characters (one or two sentences; the report shows it in a table cell)')
  .refine((t) => !/[\u0000-\u001f\u007f<>]/.test(t), 'must be plain text on one line, without < or >');

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
    /** What the check proves, for the evidence report: English, and Bahasa Indonesia in `description_id`. */
    description: descriptionText.optional(),
    description_id: descriptionText.optional(),
    /** An http(s) URL, or a path inside the repository such as docs/runbooks/x.md. */
    runbook: z
      .union([
        z.url({ protocol: /^https?$/ }),
        z.string().regex(/^[\w./-]+\.md(#[\w-]+)?$/, 'expected an http(s) URL or a relative path to a .md file'),
      ])
      .optional(),
    labels: labelsSchema,
    /** How many times an `error` result is retried (a `fail` never is). */
    retries: z.number().int().min(0).max(10).default(2),
    enabled: z.boolean().default(true),
  })
  .strict();

export type RawCheck = z.infer<typeof checkSchema>;

export const checksFileSchema = z.object({ checks: z.array(z.unknown()) }).strict();
