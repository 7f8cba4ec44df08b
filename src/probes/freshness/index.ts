/**
 * Probe type `freshness`: is a governing document or record current? Reads a file (front matter), a git clone
 * (last commit touching a path) or a URL (Last-Modified or a JSON field) and applies maxAge / warnBefore /
 * required fields. A stale document is a `fail`; a source that cannot be read is an `error`.
 */
import { defineProbe } from '../types';
import { freshnessOptions } from './options';
import { evaluate, type FreshnessMeasurements } from './rules';
import { readFileSource } from './sources/file';
import { readGitSource } from './sources/git';
import { readHttpSource } from './sources/http';
import type { DocumentFacts } from './sources/types';
import { describeTarget, FRESHNESS_TARGET_HELP, parseSourceTarget } from './target';

export const freshnessProbe = defineProbe<typeof freshnessOptions, FreshnessMeasurements>({
  type: 'freshness',
  summary: 'Document freshness: review date, next review and required fields of a file, git path or URL',
  defaultElement: 'capability',
  targetHelp: FRESHNESS_TARGET_HELP,
  options: freshnessOptions,
  async run(target, o, ctx) {
    const source = parseSourceTarget(target);
    let facts: DocumentFacts;
    if (source.kind === 'file') facts = await readFileSource(source.path, o.maxBytes, ctx.signal);
    else if (source.kind === 'git') facts = await readGitSource(source, o.ref, o.maxBytes, ctx.signal, ctx.timeoutMs);
    else facts = await readHttpSource(source.url, o, ctx.signal, ctx.timeoutMs);
    const { findings, measurements } = evaluate(facts, o, new Date());
    return { target: describeTarget(source), findings, measurements };
  },
});
