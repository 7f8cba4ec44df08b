/**
 * Live conformance: calls documented operations on the running API and checks that the status it answers is
 * one the document declares for that operation, and, for SNAP operations, that the body's responseCode has the
 * SNAP shape — HTTP status (3 digits) + service code (2) + case code (2) — and agrees with the HTTP status.
 */
import { performance } from 'node:perf_hooks';
import { timedRequest } from '../../net/timed-request';
import type { Finding } from '../../results/contract';
import { asObject } from '../../util/narrow';
import type { LiveCall } from './options';
import type { Operation } from './validate';

export interface LiveContext {
  base: URL;
  ca?: string;
  verifyTls: boolean;
  signal: AbortSignal;
  deadline: number;
}

function documented(op: Operation, status: number): boolean {
  const responses = (op.op.responses ?? {}) as Record<string, unknown>;
  return String(status) in responses || `${String(status)[0]}XX` in responses || 'default' in responses;
}

/** One live call as measured: `called: false` when the operation is not in the document. */
export type LiveMeasurement =
  | { operation: string; called: false }
  | {
      operation: string;
      url: string;
      status: number;
      ms: number;
      /** SNAP calls only: the body's responseCode as the API answered it (null when absent or unreadable). */
      responseCode?: unknown;
    };

export async function callLive(
  call: LiveCall,
  ops: Operation[],
  lc: LiveContext,
): Promise<{ findings: Finding[]; measurement: LiveMeasurement }> {
  const [method, path] = call.operation.split(' ');
  const op = ops.find((o) => o.method === method && o.path === path);
  const findings: Finding[] = [];
  if (!op) {
    findings.push({
      id: 'openapi.live.not_documented',
      severity: 'medium',
      status: 'fail',
      message: `${call.operation} is not in the document, so its answers cannot be checked`,
      evidence: { operation: call.operation },
    });
    return { findings, measurement: { operation: call.operation, called: false } };
  }
  const url = new URL(`${lc.base.pathname.replace(/\/$/, '')}${call.path ?? path}`, lc.base);
  const res = await timedRequest({
    url,
    method,
    headers: { accept: 'application/json', ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}), ...call.headers },
    body: call.body,
    timeoutMs: Math.max(1, lc.deadline - performance.now()),
    signal: lc.signal,
    maxBodyBytes: 256 * 1024,
    ca: lc.ca,
    verifyTls: lc.verifyTls,
  });
  const measurement: LiveMeasurement = {
    operation: call.operation,
    url: url.href,
    status: res.status,
    ms: Math.round(res.timings.total * 10) / 10,
  };
  if (!documented(op, res.status)) {
    findings.push({
      id: 'openapi.live.undocumented_status',
      severity: 'medium',
      status: 'fail',
      message: `${call.operation} answered HTTP ${res.status}, which the document does not declare (${Object.keys(op.op.responses ?? {}).join(', ')})`,
      evidence: measurement,
    });
  }
  if (call.snap) {
    let code: unknown;
    try {
      code = asObject(JSON.parse(res.body.toString('utf8'))).responseCode;
    } catch {
      code = undefined;
    }
    measurement.responseCode = code ?? null;
    if (typeof code !== 'string' || !/^\d{7}$/.test(code)) {
      findings.push({
        id: 'openapi.live.snap_response_code',
        severity: 'medium',
        status: 'fail',
        message: `${call.operation} answered without a 7-digit SNAP responseCode (got ${JSON.stringify(code ?? null)})`,
        evidence: measurement,
      });
    } else if (code.slice(0, 3) !== String(res.status)) {
      findings.push({
        id: 'openapi.live.snap_response_code',
        severity: 'medium',
        status: 'fail',
        message: `responseCode ${code} does not start with the HTTP status ${res.status}`,
        evidence: measurement,
      });
    } else if (call.snapService && code.slice(3, 5) !== call.snapService) {
      findings.push({
        id: 'openapi.live.snap_response_code',
        severity: 'low',
        status: 'fail',
        message: `responseCode ${code} carries service code ${code.slice(3, 5)}, expected ${call.snapService}`,
        evidence: measurement,
      });
    }
  }
  return { findings, measurement };
}
