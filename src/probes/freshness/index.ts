/**
 * Probe type `freshness`: is a governing document or record current? Reads a file (front matter), a git clone
 * (last commit touching a path) or a URL (Last-Modified or a JSON field) and applies maxAge / warnBefore /
 * required fields. A stale document is a `fail`; a source that cannot be read is an `error`.
 */
import { defineProbe } from '../types';
import { freshnessOptions } from './options';
import { evaluate, type FreshnessMeasurements } from './rules';
import { readSource } from './sources/registry';
import { describeTarget, FRESHNESS_TARGET_HELP, parseSourceTarget } from './target';

export const freshnessProbe = defineProbe<typeof freshnessOptions, FreshnessMeasurements>({
  type: 'freshness',
  summary: 'Document freshness: review date, next review and required fields of a file, git path or URL',
  defaultElement: 'capability',
  targetHelp: FRESHNESS_TARGET_HELP,
  checkTarget: (t) => void parseSourceTarget(t),
  options: freshnessOptions,
  async run(target, o, ctx) {
    const source = parseSourceTarget(target);
    const facts = await readSource(source, o, ctx);
    const { findings, measurements } = evaluate(facts, o, new Date());
    return { target: describeTarget(source), findings, measurements };
  },
});
