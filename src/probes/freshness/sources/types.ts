/** What a document source is (the interface of registry.ts) and what it tells about a document, before any rule is applied. */
import type { ProbeContext } from '../../types';
import type { DeclaredFields } from '../frontmatter';
import type { FreshnessOptions } from '../options';
import type { SourceTarget } from '../target';

/** Reads the document a target of kind K names (registry.ts has one per kind). */
export type DocumentSource<K extends SourceTarget['kind']> = (
  target: Extract<SourceTarget, { kind: K }>,
  o: FreshnessOptions,
  ctx: ProbeContext,
) => Promise<DocumentFacts>;

export type SourceEvidence = 'mtime' | 'git-commit' | 'http-last-modified';

export interface DocumentFacts {
  kind: 'file' | 'git' | 'http';
  /** The fields the document declares (front matter, YAML/JSON record). */
  declared: DeclaredFields;
  /** The parsed JSON body of an HTTP source, for jsonPath/fieldPaths lookups. */
  json?: unknown;
  /** The source's own date (file mtime, last commit, Last-Modified), when it has one. */
  sourceDate?: { at: Date; evidence: SourceEvidence };
  /** Source-specific evidence for the result (commit id, author, HTTP status...). */
  details: Record<string, unknown>;
}
