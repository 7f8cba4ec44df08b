/**
 * `pengawas_tls_*`: the last scan of each tls check — certificate identity (as blackbox_exporter's
 * probe_ssl_last_chain_info) and expiry (as probe_ssl_earliest_cert_expiry; seconds left at scrape time), protocols enabled, suite counts by strength, findings by severity,
 * profile compliance, handshake and scan time. Label values are bounded (fixed protocol/strength/severity sets).
 */
import { Gauge } from 'prom-client';
import { SEVERITIES } from '../../results/contract';
import type { MetricFamily } from '../types';
import type { TlsMeasurements } from './index';

const PROTOCOLS = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const STRENGTHS = ['insecure', 'weak', 'recommended'] as const;
/** Longest subject or issuer kept in a label (a DN is rarely over 200 characters; a hostile one could be huge). */
const MAX_DN = 256;

/** blackbox_exporter's label spellings for a certificate: fingerprint and serial as lower-case hex without colons. */
function certLabels(c: {
  fingerprint256: string;
  subject: string;
  issuer: string;
  serial: string;
  notAfter: string;
}): Record<string, string> {
  const clip = (v: string) => (v.length > MAX_DN ? `${v.slice(0, MAX_DN - 1)}…` : v);
  return {
    fingerprint_sha256: c.fingerprint256.replace(/:/g, '').toLowerCase(),
    subject: clip(c.subject),
    issuer: clip(c.issuer),
    serial: c.serial.replace(/:/g, '').toLowerCase(),
    not_after: Number.isNaN(Date.parse(c.notAfter)) ? c.notAfter : new Date(c.notAfter).toISOString(),
  };
}

export const tlsMetrics: MetricFamily<TlsMeasurements> = {
  create(registry) {
    const labels = ['check', 'element'] as const;
    const g = (name: string, help: string, extra: string[] = []) =>
      new Gauge({ name, help, labelNames: [...labels, ...extra], registers: [registry] });
    const expiry = g(
      'pengawas_tls_cert_expiry_timestamp_seconds',
      'notAfter of the leaf certificate (unix seconds); with several leaves (RSA and ECDSA), the earliest',
    );
    const chainExpiry = g(
      'pengawas_tls_chain_earliest_expiry_timestamp_seconds',
      'Earliest notAfter of any certificate the server sent (unix seconds), like probe_ssl_earliest_cert_expiry',
    );
    // Seconds left are computed when Prometheus scrapes, from the notAfter of the last scan: never a stale count.
    const notAfter = new Map<string, { element: string; at: number }>();
    // Registered with `registry`; its values come from collect() at scrape time, so nothing else holds it.
    new Gauge({
      name: 'pengawas_tls_cert_expiry_seconds',
      help: 'Seconds until the leaf certificate expires, at scrape time (negative once expired); with several leaves, the earliest',
      labelNames: labels,
      registers: [registry],
      collect() {
        this.reset();
        const now = Date.now() / 1000;
        for (const [check, e] of notAfter) this.set({ check, element: e.element }, Math.round(e.at - now));
      },
    });
    const certInfo = g(
      'pengawas_tls_cert_info',
      'A leaf certificate the server presented in the last scan (always 1; two with RSA and ECDSA leaves): SHA-256 fingerprint (lower-case hex), subject, issuer, serial (lower-case hex), notAfter (ISO-8601)',
      ['fingerprint_sha256', 'subject', 'issuer', 'serial', 'not_after'],
    );
    const revoked = g(
      'pengawas_tls_cert_revoked',
      '1 if the leaf certificate or any intermediate the server sent is revoked, 0 if the leaf is good and no intermediate is known to be revoked (absent when the leaf is unknown and no intermediate is revoked)',
    );
    const protocol = g('pengawas_tls_protocol_enabled', 'Whether the server accepts the protocol version (1/0)', ['protocol']);
    const suites = g('pengawas_tls_cipher_suites', 'Accepted cipher suites (all protocols) by strength: insecure, weak, recommended', [
      'strength',
    ]);
    const findings = g('pengawas_tls_findings', 'Findings of the last scan that did not pass, by severity', ['severity']);
    const compliant = g('pengawas_tls_profile_compliant', '1 if the last scan met every rule of the policy profile, else 0', ['profile']);
    const handshake = g('pengawas_tls_handshake_duration_seconds', 'Time of one full TLS handshake (as a client sees it)');
    const scan = g('pengawas_tls_scan_duration_seconds', 'Wall time of the whole scan (enumeration, certificate, revocation, HSTS)');
    const handshakes = g('pengawas_tls_scan_handshakes', 'Connections (handshake attempts) the last scan used');
    const hsts = g('pengawas_tls_hsts_max_age_seconds', 'HSTS max-age of the HTTPS response (0 when the header is absent)');
    const vulnerable = g(
      'pengawas_tls_vulnerable',
      '1 if the last scan judged the server vulnerable (tls.vuln.<vuln> findings), 0 if not; absent when undecided',
      ['vuln'],
    );
    const feature = g(
      'pengawas_tls_feature',
      '1 if the server has the session/transparency feature (session_resumption_id, session_resumption_ticket, early_data, client_renegotiation, heartbeat, sct, ocsp_must_staple), 0 if not; absent when undecided',
      ['feature'],
    );
    const seen = new Map<
      string,
      { element: string; profile?: string; vulns?: string[]; features?: string[]; certs?: Array<Record<string, string>> }
    >();
    const plain = [expiry, chainExpiry, revoked, handshake, scan, handshakes, hsts];

    function forget(checkId: string) {
      const s = seen.get(checkId);
      if (!s) return;
      const l = { check: checkId, element: s.element };
      for (const m of plain) m.remove(l);
      for (const p of PROTOCOLS) protocol.remove({ ...l, protocol: p });
      for (const st of STRENGTHS) suites.remove({ ...l, strength: st });
      for (const sev of SEVERITIES) findings.remove({ ...l, severity: sev });
      if (s.profile) compliant.remove({ ...l, profile: s.profile });
      for (const v of s.vulns ?? []) vulnerable.remove({ ...l, vuln: v });
      for (const c of s.certs ?? []) certInfo.remove(c);
      notAfter.delete(checkId);
      for (const v of s.features ?? []) feature.remove({ ...l, feature: v });
      seen.delete(checkId);
    }

    return {
      observe(r) {
        if (r.status === 'error') return; // the monitor could not decide: keep the last facts
        const l = { check: r.checkId, element: r.element };
        const m = r.measurements;
        forget(r.checkId);
        const decided = Object.entries(m.vulnerabilities ?? {}).filter(([, v]) => v !== null);
        const certs = (m.certificates ?? []).map((c) => ({ ...l, ...certLabels(c) }));
        const featured = Object.entries(m.features ?? {}).filter(([, v]) => v !== null);
        seen.set(r.checkId, {
          element: r.element,
          profile: m.profile?.name,
          vulns: decided.map(([k]) => k),
          features: featured.map(([k]) => k),
          certs,
        });
        for (const c of certs) certInfo.set(c, 1);
        for (const [k, v] of featured) feature.set({ ...l, feature: k }, v ? 1 : 0);
        // Ids come from a fixed list in the probe (vuln-findings.ts VULN_IDS): bounded label values.
        for (const [k, v] of decided) vulnerable.set({ ...l, vuln: k }, v ? 1 : 0);
        // Versions the check did not test (options.protocols) or could not decide get no series, not a misleading 0.
        for (const p of PROTOCOLS)
          if (m.protocols && m.protocols[p] !== null && (m.testedProtocols ?? PROTOCOLS).includes(p))
            protocol.set({ ...l, protocol: p }, m.protocols[p] ? 1 : 0);
        if (m.certificate) {
          // An ECDSA leaf expiring beside a fresh RSA one must still raise the expiry alert.
          const leaves = m.certificates?.length ? m.certificates : [m.certificate];
          expiry.set(l, Math.min(...leaves.map((c) => Date.parse(c.notAfter))) / 1000);
          notAfter.set(r.checkId, { element: r.element, at: Math.min(...leaves.map((c) => Date.parse(c.notAfter))) / 1000 });
          const chain = m.certificateDetails?.chain ?? [];
          if (chain.length) chainExpiry.set(l, Math.min(...chain.map((c) => Date.parse(c.notAfter))) / 1000);
          const intermediateRevoked = (m.certificateDetails?.revocation?.chain ?? []).some((c) => c.status === 'revoked');
          if (intermediateRevoked) revoked.set(l, 1);
          else if (m.certificate.revoked !== null) revoked.set(l, m.certificate.revoked ? 1 : 0);
        }
        if (m.strengthCounts) for (const st of STRENGTHS) suites.set({ ...l, strength: st }, m.strengthCounts[st] ?? 0);
        for (const sev of SEVERITIES)
          findings.set({ ...l, severity: sev }, r.findings.filter((f) => f.status !== 'pass' && f.severity === sev).length);
        if (m.profile && m.profile.compliant !== null) compliant.set({ ...l, profile: m.profile.name }, m.profile.compliant ? 1 : 0);
        if (m.negotiated) handshake.set(l, m.negotiated.handshakeMs / 1000);
        if (m.scanMs !== undefined) scan.set(l, m.scanMs / 1000);
        if (m.handshakes !== undefined) handshakes.set(l, m.handshakes);
        if (m.hsts) hsts.set(l, m.hsts.maxAge ?? 0);
      },
      forget,
    };
  },
};
