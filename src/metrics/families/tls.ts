/**
 * `pengawas_tls_*`: the last scan of each tls check — certificate expiry (as blackbox_exporter's
 * probe_ssl_earliest_cert_expiry), protocols enabled, suite counts by strength, findings by severity,
 * profile compliance, handshake and scan time. Label values are bounded (fixed protocol/strength/severity sets).
 */
import { Gauge } from 'prom-client';
import type { MetricFamily } from './index';
import { SEVERITIES } from '../../results/contract';

const PROTOCOLS = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const STRENGTHS = ['insecure', 'weak', 'recommended'] as const;

interface TlsMeasurements {
  protocols?: Record<string, boolean>;
  testedProtocols?: string[];
  certificateDetails?: { chain: Array<{ notAfter: string }>; revocation?: { chain?: Array<{ status: string }> } | null } | null;
  certificate?: { notAfter: string; daysLeft: number; revoked: boolean | null } | null;
  /** Every certificate the server presents (dual RSA/ECDSA): expiry gauges take the one that expires first. */
  certificates?: Array<{ notAfter: string; daysLeft: number }>;
  hsts?: { present: boolean; maxAge: number | null } | null;
  strengthCounts?: Record<(typeof STRENGTHS)[number], number>;
  profile?: { name: string; compliant: boolean } | null;
  negotiated?: { handshakeMs: number } | null;
  handshakes?: number;
  scanMs?: number;
  /** Vulnerability id → true/false, null when undecided (vuln-findings.ts). */
  vulnerabilities?: Record<string, boolean | null> | null;
  /** Session/transparency feature id → true/false, null when undecided (session-findings.ts FEATURE_IDS). */
  features?: Record<string, boolean | null> | null;
}

export const tlsFamily: MetricFamily = {
  type: 'tls',
  create(registry) {
    const labels = ['check', 'element'] as const;
    const g = (name: string, help: string, extra: string[] = []) => new Gauge({ name, help, labelNames: [...labels, ...extra], registers: [registry] });
    const expiry = g('pengawas_tls_cert_expiry_timestamp_seconds', 'notAfter of the leaf certificate (unix seconds); with several leaves (RSA and ECDSA), the earliest');
    const chainExpiry = g('pengawas_tls_chain_earliest_expiry_timestamp_seconds', 'Earliest notAfter of any certificate the server sent (unix seconds), like probe_ssl_earliest_cert_expiry');
    const daysLeft = g('pengawas_tls_cert_days_left', 'Whole days until the leaf certificate expires (negative once expired); with several leaves, the fewest');
    const revoked = g('pengawas_tls_cert_revoked', '1 if the leaf certificate or any intermediate the server sent is revoked, 0 if the leaf is good and no intermediate is known to be revoked (absent when the leaf is unknown and no intermediate is revoked)');
    const protocol = g('pengawas_tls_protocol_enabled', 'Whether the server accepts the protocol version (1/0)', ['protocol']);
    const suites = g('pengawas_tls_cipher_suites', 'Accepted cipher suites (all protocols) by strength: insecure, weak, recommended', ['strength']);
    const findings = g('pengawas_tls_findings', 'Findings of the last scan that did not pass, by severity', ['severity']);
    const compliant = g('pengawas_tls_profile_compliant', '1 if the last scan met every rule of the policy profile, else 0', ['profile']);
    const handshake = g('pengawas_tls_handshake_duration_seconds', 'Time of one full TLS handshake (as a client sees it)');
    const scan = g('pengawas_tls_scan_duration_seconds', 'Wall time of the whole scan (enumeration, certificate, revocation, HSTS)');
    const handshakes = g('pengawas_tls_scan_handshakes', 'Connections (handshake attempts) the last scan used');
    const hsts = g('pengawas_tls_hsts_max_age_seconds', 'HSTS max-age of the HTTPS response (0 when the header is absent)');
    const vulnerable = g('pengawas_tls_vulnerable', '1 if the last scan judged the server vulnerable (tls.vuln.<vuln> findings), 0 if not; absent when undecided', ['vuln']);
    const feature = g('pengawas_tls_feature', '1 if the server has the session/transparency feature (session_resumption_id, session_resumption_ticket, early_data, client_renegotiation, heartbeat, sct, ocsp_must_staple), 0 if not; absent when undecided', ['feature']);
    const seen = new Map<string, { element: string; profile?: string; vulns?: string[]; features?: string[] }>();
    const plain = [expiry, chainExpiry, daysLeft, revoked, handshake, scan, handshakes, hsts];

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
      for (const v of s.features ?? []) feature.remove({ ...l, feature: v });
      seen.delete(checkId);
    }

    return {
      observe(r) {
        if (r.type !== 'tls') return;
        const l = { check: r.checkId, element: r.element };
        const m = r.measurements as TlsMeasurements;
        if (r.status === 'error' && !m.protocols) return; // the monitor could not decide: keep the last facts
        forget(r.checkId);
        const decided = Object.entries(m.vulnerabilities ?? {}).filter(([, v]) => v !== null);
        const featured = Object.entries(m.features ?? {}).filter(([, v]) => v !== null);
        seen.set(r.checkId, { element: r.element, profile: m.profile?.name, vulns: decided.map(([k]) => k), features: featured.map(([k]) => k) });
        for (const [k, v] of featured) feature.set({ ...l, feature: k }, v ? 1 : 0);
        // Ids come from a fixed list in the probe (vuln-findings.ts VULN_IDS): bounded label values.
        for (const [k, v] of decided) vulnerable.set({ ...l, vuln: k }, v ? 1 : 0);
        // Versions the check did not test (options.protocols) get no series rather than a misleading 0.
        for (const p of PROTOCOLS) if (m.protocols && (m.testedProtocols ?? PROTOCOLS).includes(p)) protocol.set({ ...l, protocol: p }, m.protocols[p] ? 1 : 0);
        if (m.certificate) {
          // An ECDSA leaf expiring beside a fresh RSA one must still raise the expiry alert.
          const leaves = m.certificates?.length ? m.certificates : [m.certificate];
          expiry.set(l, Math.min(...leaves.map((c) => Date.parse(c.notAfter))) / 1000);
          daysLeft.set(l, Math.min(...leaves.map((c) => c.daysLeft)));
          const chain = m.certificateDetails?.chain ?? [];
          if (chain.length) chainExpiry.set(l, Math.min(...chain.map((c) => Date.parse(c.notAfter))) / 1000);
          const intermediateRevoked = (m.certificateDetails?.revocation?.chain ?? []).some((c) => c.status === 'revoked');
          if (intermediateRevoked) revoked.set(l, 1);
          else if (m.certificate.revoked !== null) revoked.set(l, m.certificate.revoked ? 1 : 0);
        }
        if (m.strengthCounts) for (const st of STRENGTHS) suites.set({ ...l, strength: st }, m.strengthCounts[st] ?? 0);
        for (const sev of SEVERITIES) findings.set({ ...l, severity: sev }, r.findings.filter((f) => f.status !== 'pass' && f.severity === sev).length);
        if (m.profile) compliant.set({ ...l, profile: m.profile.name }, m.profile.compliant ? 1 : 0);
        if (m.negotiated) handshake.set(l, m.negotiated.handshakeMs / 1000);
        if (m.scanMs !== undefined) scan.set(l, m.scanMs / 1000);
        if (m.handshakes !== undefined) handshakes.set(l, m.handshakes);
        if (m.hsts) hsts.set(l, m.hsts.maxAge ?? 0);
      },
      forget,
    };
  },
};
