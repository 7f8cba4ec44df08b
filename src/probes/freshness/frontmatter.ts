/**
 * Reads the declared fields of a document: YAML front matter between `---` lines at the top of a Markdown (or
 * any text) file, or the whole file when it is a YAML/JSON record. A document with a broken header is reported
 * as such (the owner must fix it), not silently read as "no fields".
 */
import { parse } from 'yaml';

export interface DeclaredFields {
  /** Where the fields came from; `none` when the document declares nothing. */
  format: 'front-matter' | 'yaml' | 'json' | 'none';
  fields: Record<string, unknown>;
  /** Set when a header exists but cannot be parsed. */
  problem?: string;
}

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function readDeclaredFields(text: string, nameHint = ''): DeclaredFields {
  const fm = FRONT_MATTER.exec(text);
  if (fm) {
    try {
      const rec = asRecord(parse(fm[1]));
      if (rec) return { format: 'front-matter', fields: rec };
      return { format: 'front-matter', fields: {}, problem: 'front matter is not a mapping of fields' };
    } catch (e) {
      return { format: 'front-matter', fields: {}, problem: `front matter is not valid YAML: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  if (/\.json$/i.test(nameHint) || /^\s*\{/.test(text)) {
    try {
      const rec = asRecord(JSON.parse(text));
      if (rec) return { format: 'json', fields: rec };
    } catch {
      // not JSON after all: fall through
    }
  }
  if (/\.ya?ml$/i.test(nameHint)) {
    try {
      const rec = asRecord(parse(text));
      if (rec) return { format: 'yaml', fields: rec };
      return { format: 'yaml', fields: {}, problem: 'the YAML record is not a mapping of fields' };
    } catch (e) {
      return { format: 'yaml', fields: {}, problem: `the YAML record is not valid YAML: ${(e as Error).message.split('\n')[0]}` };
    }
  }
  return { format: 'none', fields: {} };
}
