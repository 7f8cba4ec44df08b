/** What a source tells about a document, before any rule is applied. */
import type { DeclaredFields } from '../frontmatter';

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
