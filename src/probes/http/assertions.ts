/** Response assertions shared by the http probe (and reusable by multi-step probes). Each returns findings. */
import { JSONPath } from 'jsonpath-plus';
import type { IncomingHttpHeaders } from 'node:http';
import type { Finding } from '../../results/contract';
import { compilePattern } from '../../util/pattern';
import { scrubText } from '../../util/secret-scope';
import type { HeaderAssertion, JsonAssertion } from './options';

export function statusMatches(status: number, patterns: Array<number | string>): boolean {
  return patterns.some((p) => (typeof p === 'number' ? p === status : Math.floor(status / 100) === Number(p[0])));
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** Evaluates JSON-path assertions; a body that is not JSON fails every assertion with one finding. */
export function checkJson(prefix: string, bodyText: string, assertions: JsonAssertion[]): Finding[] {
  if (assertions.length === 0) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(bodyText);
  } catch (e) {
    return [
      { id: `${prefix}.json.invalid`, severity: 'high', status: 'fail', message: `response body is not JSON: ${(e as Error).message}` },
    ];
  }
  const findings: Finding[] = [];
  for (const a of assertions) {
    const values = JSONPath<unknown[]>({ path: a.path, json: doc as object, wrap: true, eval: false });
    const present = values.length > 0;
    const value = values[0];
    const fail = (message: string) =>
      findings.push({
        id: `${prefix}.json.assertion_failed`,
        severity: 'high',
        status: 'fail',
        message,
        evidence: { path: a.path, actual: clip(value) },
      });
    if (a.exists === false) {
      if (present) fail(`${a.path} should be absent but is ${JSON.stringify(clip(value))}`);
      continue;
    }
    if (!present) {
      fail(`${a.path} is missing from the response`);
      continue;
    }
    if (a.type && typeOf(value) !== a.type) fail(`${a.path} is ${typeOf(value)}, expected ${a.type}`);
    if (a.equals !== undefined && JSON.stringify(value) !== JSON.stringify(a.equals)) {
      fail(`${a.path} is ${JSON.stringify(clip(value))}, expected ${JSON.stringify(a.equals)}`);
    }
    if (a.matches !== undefined && !compilePattern(a.matches).test(String(value))) {
      fail(`${a.path} is ${JSON.stringify(clip(value))}, expected to match /${a.matches}/`);
    }
  }
  return findings;
}

export function checkHeaders(prefix: string, headers: IncomingHttpHeaders, assertions: HeaderAssertion[]): Finding[] {
  const findings: Finding[] = [];
  for (const a of assertions) {
    const raw = headers[a.name.toLowerCase()];
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (a.absent) {
      if (value !== undefined) {
        findings.push({
          id: `${prefix}.header.present`,
          severity: 'medium',
          status: 'fail',
          message: `header ${a.name} should be absent but is "${clip(value)}"`,
          evidence: { header: a.name },
        });
      }
      continue;
    }
    if (value === undefined) {
      findings.push({
        id: `${prefix}.header.missing`,
        severity: 'medium',
        status: 'fail',
        message: `required header ${a.name} is missing`,
        evidence: { header: a.name },
      });
    } else if (a.matches !== undefined && !compilePattern(a.matches, { ignoreCase: true }).test(value)) {
      findings.push({
        id: `${prefix}.header.mismatch`,
        severity: 'medium',
        status: 'fail',
        message: `header ${a.name} is "${clip(value)}", expected to match /${a.matches}/`,
        evidence: { header: a.name, actual: clip(value) },
      });
    }
  }
  return findings;
}

export function checkBody(prefix: string, bodyText: string, mustMatch: string[], mustNotMatch: string[]): Finding[] {
  const findings: Finding[] = [];
  for (const re of mustMatch) {
    if (!compilePattern(re).test(bodyText)) {
      findings.push({
        id: `${prefix}.body.regex_missing`,
        severity: 'high',
        status: 'fail',
        message: `response body does not match /${re}/`,
        evidence: { pattern: re },
      });
    }
  }
  for (const re of mustNotMatch) {
    const m = compilePattern(re).exec(bodyText);
    if (m) {
      findings.push({
        id: `${prefix}.body.regex_forbidden`,
        severity: 'high',
        status: 'fail',
        message: `response body matches forbidden /${re}/`,
        evidence: { pattern: re, match: clip(m[0] ?? '') },
      });
    }
  }
  return findings;
}

/**
 * Keeps evidence small: long strings and big values are cut. Scrubs the running check's secrets first: a cut
 * through an echoed token would leave a piece too short to recognise afterwards.
 */
export function clip(v: string, max?: number): string;
export function clip(v: unknown, max?: number): unknown;
export function clip(v: unknown, max = 200): unknown {
  if (typeof v === 'string') {
    const s = scrubText(v);
    return s.length > max ? `${s.slice(0, max)}…` : s;
  }
  if (v !== null && typeof v === 'object') {
    const s = scrubText(JSON.stringify(v));
    return s.length > max ? `${s.slice(0, max)}…` : v;
  }
  return v;
}
