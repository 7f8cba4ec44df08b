/**
 * What a step's response must look like (status, JSON path, headers, body regex), reusing the http probe's
 * checks, and the degraded/failed latency thresholds for a step and for the whole flow.
 */
import type { TimedResponse } from '../../net/timed-request';
import type { Finding } from '../../results/contract';
import { checkBody, checkHeaders, checkJson, statusMatches } from '../http/assertions';
import type { Step } from './options';

function forStep(step: string, f: Finding): Finding {
  return { ...f, message: `step "${step}": ${f.message}`, evidence: { step, ...f.evidence } };
}

/** Correctness of one response; every finding names the step. Empty = the step did what it should. */
export function checkResponse(step: string, expect: Step['expect'], res: TimedResponse, bodyText: string, maxBodyBytes: number): Finding[] {
  const out: Finding[] = [];
  if (!statusMatches(res.status, expect.status)) {
    out.push({
      id: 'transaction.status.unexpected',
      severity: 'high',
      status: 'fail',
      message: `status ${res.status}, expected ${expect.status.join(' or ')}`,
      evidence: { status: res.status, expected: expect.status },
    });
  }
  if (res.bodyTruncated) {
    out.push({
      id: 'transaction.body.too_large',
      severity: 'medium',
      status: 'fail',
      message: `response body exceeds ${maxBodyBytes} bytes; reading stopped there`,
      evidence: { maxBodyBytes },
    });
  } else {
    out.push(...checkJson('transaction', bodyText, expect.json));
  }
  out.push(...checkBody('transaction', bodyText, expect.bodyMatches, expect.bodyNotMatches));
  out.push(...checkHeaders('transaction', res.headers, expect.headers));
  return out.map((f) => forStep(step, f));
}

/** Slow → warn, too slow → fail (Checkly's degradedResponseTime / maxResponseTime), for a step or the flow. */
export function latencyFinding(scope: { step?: string }, ms: number, degradedAfter?: number, failAfter?: number): Finding | undefined {
  const what = scope.step ? `step "${scope.step}"` : 'the flow';
  const kind = scope.step ? 'step' : 'flow';
  const evidence = { ...(scope.step ? { step: scope.step } : {}), ms: Math.round(ms * 1000) / 1000 };
  if (failAfter !== undefined && ms > failAfter) {
    return {
      id: `transaction.${kind}.too_slow`,
      severity: 'high',
      status: 'fail',
      message: `${what} took ${ms.toFixed(1)} ms, limit ${failAfter} ms`,
      evidence: { ...evidence, failAfter },
    };
  }
  if (degradedAfter !== undefined && ms > degradedAfter) {
    return {
      id: `transaction.${kind}.degraded`,
      severity: 'low',
      status: 'warn',
      message: `${what} took ${ms.toFixed(1)} ms, degraded above ${degradedAfter} ms`,
      evidence: { ...evidence, degradedAfter },
    };
  }
  return undefined;
}
