/**
 * Probe type `http`: one HTTP(S) request (following redirects), with status, body, JSON-path and header
 * assertions, TLS on/off, a response-time budget, a body cap, and dns/connect/tls/ttfb/transfer timings.
 */
import { TlsHandshakeError } from '../../errors';
import { requestFollowing } from '../../net/follow-redirects';
import { parseWebUrl, readCa, checkWebTarget } from '../../net/target';
import type { PhaseTimings } from '../../net/timed-request';
import type { Finding } from '../../results/contract';
import { defineProbe, type NoMeasurements } from '../types';
import { checkBody, checkHeaders, checkJson, statusMatches } from './assertions';
import { httpOptions } from './options';

/** What one request measured; a certificate rejected before any response measures nothing. */
export interface HttpResponseMeasurements {
  status: number;
  httpVersion: string;
  finalUrl: string;
  redirects: number;
  /** Header names only: which credentials were withheld from another origin on the way. */
  headersStrippedOnRedirect?: string[];
  bodyBytes: number;
  phasesMs: PhaseTimings;
  tls: { protocol: string | null; cipher: string | null } | null;
}
export type HttpMeasurements = HttpResponseMeasurements | NoMeasurements;

const CERT_CODES = /^(CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_TLS_CERT|HOSTNAME_MISMATCH)/;

export const httpProbe = defineProbe<typeof httpOptions, HttpMeasurements>({
  type: 'http',
  summary: 'HTTP(S) endpoint: status, body/JSON/header assertions, redirects, TLS, timing phases',
  defaultElement: 'sustainability',
  timesHttp: true,
  targetHelp: 'URL (http:// or https://)',
  checkTarget: checkWebTarget,
  options: httpOptions,
  async run(target, o, ctx) {
    const url = parseWebUrl(target);
    const ca = o.caFile ? await readCa(o.caFile) : undefined;
    const findings: Finding[] = [];
    let fetched;
    try {
      fetched = await requestFollowing(url, {
        method: o.method,
        headers: o.headers,
        body: o.body,
        timeoutMs: ctx.timeoutMs,
        signal: ctx.signal,
        maxBodyBytes: o.maxBodyBytes,
        ca,
        verifyTls: o.verifyTls,
        follow: o.followRedirects,
        maxRedirects: o.maxRedirects,
      });
    } catch (err) {
      const code = (err as { tlsCode?: string }).tlsCode ?? '';
      if (err instanceof TlsHandshakeError && CERT_CODES.test(code)) {
        // The target presented a certificate we must not trust: a rule broken, not a probe failure.
        return {
          target: url.href,
          findings: [
            {
              id: 'http.tls.certificate_invalid',
              severity: 'critical',
              status: 'fail',
              message: `certificate rejected: ${code}`,
              evidence: { code },
            },
          ],
          measurements: {},
        };
      }
      throw err;
    }
    const { res, hops, finalUrl } = fetched;
    const bodyText = res.body.toString('utf8');

    if (fetched.tooMany) {
      findings.push({
        id: 'http.redirect.too_many',
        severity: 'medium',
        status: 'fail',
        message: `more than ${o.maxRedirects} redirects`,
        evidence: { hops },
      });
    } else if (!statusMatches(res.status, o.expectStatus)) {
      findings.push({
        id: 'http.status.unexpected',
        severity: 'high',
        status: 'fail',
        message: `status ${res.status}, expected ${o.expectStatus.join(' or ')}`,
        evidence: { status: res.status, expected: o.expectStatus },
      });
    }
    const usesTls = finalUrl.protocol === 'https:';
    if (o.expectTls !== undefined && usesTls !== o.expectTls) {
      findings.push({
        id: o.expectTls ? 'http.tls.not_used' : 'http.tls.unexpected',
        severity: o.expectTls ? 'high' : 'low',
        status: 'fail',
        message: o.expectTls
          ? `final URL ${finalUrl.origin} is not encrypted`
          : `final URL ${finalUrl.origin} uses TLS, expected plain HTTP`,
      });
    }
    if (res.bodyTruncated) {
      findings.push({
        id: 'http.body.too_large',
        severity: 'medium',
        status: 'fail',
        message: `response body exceeds ${o.maxBodyBytes} bytes; reading stopped there`,
        evidence: { maxBodyBytes: o.maxBodyBytes },
      });
    }
    findings.push(...checkBody('http', bodyText, o.bodyMatches, o.bodyNotMatches));
    if (!res.bodyTruncated) findings.push(...checkJson('http', bodyText, o.json));
    findings.push(...checkHeaders('http', res.headers, o.requireHeaders));

    const totalMs = res.timings.total;
    if (o.failAfter !== undefined && totalMs > o.failAfter) {
      findings.push({
        id: 'http.latency.too_slow',
        severity: 'high',
        status: 'fail',
        message: `response took ${totalMs.toFixed(1)} ms, limit ${o.failAfter} ms`,
        evidence: { ms: totalMs },
      });
    } else if (o.degradedAfter !== undefined && totalMs > o.degradedAfter) {
      findings.push({
        id: 'http.latency.degraded',
        severity: 'low',
        status: 'warn',
        message: `response took ${totalMs.toFixed(1)} ms, degraded above ${o.degradedAfter} ms`,
        evidence: { ms: totalMs },
      });
    }

    return {
      target: url.href,
      findings,
      measurements: {
        status: res.status,
        httpVersion: res.httpVersion,
        finalUrl: finalUrl.href,
        redirects: hops.length,
        // Header names only: which credentials were withheld from another origin on the way.
        ...(fetched.stripped.length ? { headersStrippedOnRedirect: fetched.stripped } : {}),
        bodyBytes: res.bodyBytes,
        phasesMs: res.timings,
        tls: res.tls ? { protocol: res.tls.protocol, cipher: res.tls.cipher } : null,
      },
    };
  },
});
