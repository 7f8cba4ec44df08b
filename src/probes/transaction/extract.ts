/** Pulls variables out of a step's response (JSON path, header, body regex) for the steps after it. */
import type { IncomingHttpHeaders } from 'node:http';
import { JSONPath } from 'jsonpath-plus';
import type { Finding } from '../../results/contract';
import { compilePattern } from '../../util/pattern';
import type { Extractor } from './options';

export interface Extracted {
  values: Map<string, string>;
  findings: Finding[];
}

function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function extract(step: string, extractors: Extractor[], body: string, headers: IncomingHttpHeaders): Extracted {
  const values = new Map<string, string>();
  const findings: Finding[] = [];
  let doc: unknown;
  let docError: string | undefined;
  const missing = (e: Extractor, why: string) =>
    findings.push({
      id: 'transaction.extract.missing',
      severity: 'high',
      status: 'fail',
      message: `step "${step}": cannot extract ${e.name}: ${why}`,
      evidence: { step, variable: e.name, from: e.from },
    });
  for (const e of extractors) {
    if (e.from === 'json') {
      if (doc === undefined && docError === undefined) {
        try {
          doc = JSON.parse(body);
        } catch (err) {
          docError = (err as Error).message;
        }
      }
      if (docError !== undefined) {
        missing(e, `response body is not JSON (${docError})`);
        continue;
      }
      const found = JSONPath<unknown[]>({ path: e.path, json: doc as object, wrap: true, eval: false });
      if (found.length === 0 || found[0] === null || found[0] === undefined) missing(e, `${e.path} is not in the response`);
      else values.set(e.name, asText(found[0]));
    } else if (e.from === 'header') {
      const raw = headers[e.header.toLowerCase()];
      const v = Array.isArray(raw) ? raw[0] : raw;
      if (v === undefined) missing(e, `header ${e.header} is missing`);
      else values.set(e.name, v);
    } else {
      const v = compilePattern(e.regex).exec(body)?.[e.group];
      if (v === undefined) missing(e, `body does not match /${e.regex}/ (group ${e.group})`);
      else values.set(e.name, v);
    }
  }
  return { values, findings };
}
