/** The freshness probe's document sources by target kind. Adding one = its kind in ../target.ts, a reader here, one line below. */
import type { ProbeContext } from '../../types';
import type { FreshnessOptions } from '../options';
import type { SourceTarget } from '../target';
import { readFileSource } from './file';
import { readGitSource } from './git';
import { readHttpSource } from './http';
import type { DocumentFacts, DocumentSource } from './types';

type Kind = SourceTarget['kind'];

export const SOURCES: { [K in Kind]: DocumentSource<K> } = {
  file: (t, o, ctx) => readFileSource(t.path, o.maxBytes, ctx.signal),
  git: (t, o, ctx) => readGitSource(t, o.ref, o.maxBytes, ctx.signal, ctx.timeoutMs),
  http: (t, o, ctx) => readHttpSource(t.url, o, ctx.signal, ctx.timeoutMs),
};

/** Reads `target` with the source of its kind. */
export function readSource(target: SourceTarget, o: FreshnessOptions, ctx: ProbeContext): Promise<DocumentFacts> {
  // SOURCES[k] reads targets of kind k; TypeScript does not tie the lookup to the argument of the same kind.
  const source = SOURCES[target.kind] as DocumentSource<Kind>;
  return source(target, o, ctx);
}
