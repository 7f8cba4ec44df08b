/**
 * Probe type `openapi`: the public API description partners build on — reachable, a valid OpenAPI 3 document,
 * describing the operations and (SNAP) headers the operator promises, on https servers — and, optionally, the
 * live API answering only with documented statuses and SNAP-shaped response codes.
 */
import { performance } from 'node:perf_hooks';
import { parse as parseYaml } from 'yaml';
import { TargetUnreachableError, UsageError } from '../../errors';
import { fetchText } from '../../net/fetch-text';
import { parseWebUrl, readCa, checkWebTarget } from '../../net/target';
import type { Finding } from '../../results/contract';
import { compilePattern } from '../../util/pattern';
import { asObject, textOf } from '../../util/narrow';
import { defineProbe } from '../types';
import { callLive, type LiveMeasurement } from './live';
import { openapiOptions } from './options';
import { schemaProblems } from './schema';
import { operations, validateOpenApi, type Problem } from './validate';

function grouped(problems: Problem[]): Finding[] {
  const byRule = new Map<string, Problem[]>();
  for (const p of problems) byRule.set(p.rule, [...(byRule.get(p.rule) ?? []), p]);
  return [...byRule].map(([rule, ps]) => ({
    id: `openapi.document.${rule}`,
    severity: 'medium' as const,
    status: 'fail' as const,
    message: `${ps.length} problem(s): ${ps[0].where}: ${ps[0].message}${ps.length > 1 ? ' …' : ''}`,
    evidence: { problems: ps.slice(0, 10) },
  }));
}

/** What an openapi check measured; only `status` when the document could not be read (HTTP error, too large, unparsable). */
export interface OpenapiMeasurements {
  /** HTTP status of the document's URL. */
  status: number;
  /** The document's `openapi` (or Swagger's `swagger`) version as written. */
  openapi?: string | number | null;
  title?: string | null;
  /** `info.version`: the API's own version. */
  apiVersion?: string | number | null;
  /** Operations (method and path) the document declares. */
  operations?: number;
  servers?: string[];
  live?: LiveMeasurement[];
}

/** A scalar as the document wrote it; anything else as null. */
const scalar = (v: unknown): string | number | null => (typeof v === 'string' || typeof v === 'number' ? v : null);

export const openapiProbe = defineProbe<typeof openapiOptions, OpenapiMeasurements>({
  type: 'openapi',
  summary: 'OpenAPI document: reachable, valid 3.x, required operations and SNAP headers declared; live answers documented',
  defaultElement: 'competition',
  targetHelp: 'URL of the OpenAPI document (JSON or YAML)',
  checkTarget: checkWebTarget,
  options: openapiOptions,
  async run(target, o, ctx) {
    const url = parseWebUrl(target);
    const t0 = performance.now();
    const res = await fetchText(url, {
      headers: o.headers,
      caFile: o.caFile,
      verifyTls: o.verifyTls,
      maxBytes: o.maxBytes,
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
    });
    const findings: Finding[] = [];
    if (res.status >= 500) throw new TargetUnreachableError(`${url.href} answered HTTP ${res.status}`);
    if (res.status < 200 || res.status >= 300) {
      findings.push({
        id: 'openapi.document.unavailable',
        severity: 'high',
        status: 'fail',
        message: `the API description at ${url.href} answers HTTP ${res.status}`,
        evidence: { status: res.status },
      });
      return { target: url.href, findings, measurements: { status: res.status } };
    }
    if (res.truncated) {
      findings.push({
        id: 'openapi.document.too_large',
        severity: 'medium',
        status: 'fail',
        message: `the document exceeds ${o.maxBytes} bytes`,
      });
      return { target: url.href, findings, measurements: { status: res.status } };
    }
    let doc: unknown;
    try {
      doc = /^\s*[{[]/.test(res.text) ? JSON.parse(res.text) : parseYaml(res.text);
    } catch (e) {
      findings.push({
        id: 'openapi.document.unparsable',
        severity: 'high',
        status: 'fail',
        message: `the document is neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}`,
      });
      return { target: url.href, findings, measurements: { status: res.status } };
    }
    // swagger-parser's schema check speaks only where pengawas's structural rules found nothing: its ajv messages
    // restate the same problems less clearly, and it is wrong about some documents the specification allows.
    const structural = validateOpenApi(doc);
    findings.push(...grouped(structural.length ? structural : await schemaProblems(doc as Record<string, unknown>)));
    const d = (doc ?? {}) as Record<string, unknown>;
    const ops = operations(d);
    const have = new Set(ops.map((op) => `${op.method} ${op.path}`));
    for (const req of o.requireOperations) {
      if (!have.has(req))
        findings.push({
          id: 'openapi.operation.missing',
          severity: 'medium',
          status: 'fail',
          message: `${req} is not documented`,
          evidence: { operation: req },
        });
    }
    for (const rule of o.requireHeaders) {
      const re = compilePattern(rule.paths);
      const except = rule.exceptPaths === undefined ? undefined : compilePattern(rule.exceptPaths);
      for (const op of ops.filter((x) => re.test(x.path) && !except?.test(x.path))) {
        const declared = new Set(op.parameters.filter((p) => p.in === 'header').map((p) => String(p.name).toLowerCase()));
        const missing = rule.headers.filter((h) => !declared.has(h.toLowerCase()));
        if (missing.length)
          findings.push({
            id: 'openapi.headers.missing',
            severity: 'medium',
            status: 'fail',
            message: `${op.method} ${op.path} does not declare header(s) ${missing.join(', ')}`,
            evidence: { operation: `${op.method} ${op.path}`, missing },
          });
      }
    }
    const servers = Array.isArray(d.servers) ? d.servers.map((s: unknown) => textOf(asObject(s).url ?? '')) : [];
    if (o.requireHttpsServers) {
      for (const s of servers.filter((s) => /^http:\/\//i.test(s)))
        findings.push({
          id: 'openapi.server.insecure',
          severity: 'high',
          status: 'fail',
          message: `server ${s} is plain HTTP`,
          evidence: { server: s },
        });
    }
    const live: LiveMeasurement[] = [];
    if (o.live.length) {
      let base: URL;
      try {
        base = new URL(o.baseUrl ?? servers[0] ?? '/', res.finalUrl);
      } catch {
        throw new UsageError(`the document's first server "${servers[0]}" is not a usable URL for live calls; set baseUrl`);
      }
      const ca = o.caFile ? await readCa(o.caFile) : undefined;
      for (const call of o.live) {
        const r = await callLive(call, ops, { base, ca, verifyTls: o.verifyTls, signal: ctx.signal, deadline: t0 + ctx.timeoutMs });
        findings.push(...r.findings);
        live.push(r.measurement);
      }
    }
    if (!findings.some((f) => f.status !== 'pass')) {
      findings.push({
        id: 'openapi.valid',
        severity: 'info',
        status: 'pass',
        message: `valid OpenAPI ${String(d.openapi)}: ${ops.length} operation(s)${live.length ? `, ${live.length} live call(s) answered as documented` : ''}`,
      });
    }
    const info = asObject(d.info);
    return {
      target: url.href,
      findings,
      measurements: {
        status: res.status,
        openapi: scalar(d.openapi ?? d.swagger),
        title: typeof info.title === 'string' ? info.title : null,
        apiVersion: scalar(info.version),
        operations: ops.length,
        servers,
        live,
      },
    };
  },
});
