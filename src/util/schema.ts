/** Small zod helpers shared by the check schema and probe option schemas. */
import { z } from 'zod';
import { parseDuration } from './duration';
import { patternProblem } from './pattern';

/** A duration written as text (`30s`) or milliseconds; parsed to milliseconds. */
export const durationMs = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected a duration like 500ms, 30s, 5m, 1h or 365d, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return ms;
});

/**
 * A regular expression given as text, for the linear-time engine (util/pattern.ts); compiled here so a pattern it
 * cannot run (back-reference, look-around, bad syntax) is a config error naming the construct, not a probe error.
 */
export const regexText = z.string().superRefine((v, ctx) => {
  const problem = patternProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
