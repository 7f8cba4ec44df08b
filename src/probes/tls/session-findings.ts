/**
 * Session and certificate-transparency findings (`tls.session.*`, `tls.cert.no_sct`, `tls.cert.must_staple_*`) and
 * the `features` measurement behind `pengawas_tls_feature{feature}`. Vulnerabilities among the session checks
 * (client renegotiation, 0-RTT) are `tls.vuln.*` in vuln-findings.ts.
 */
import type { Finding } from '../../results/contract';
import type { ScanFacts } from './facts';

/** Feature ids (a fixed list: bounded metric label values). true on, false off, null undecided. */
export const FEATURE_IDS = [
  'session_resumption_id',
  'session_resumption_ticket',
  'early_data',
  'client_renegotiation',
  'heartbeat',
  'sct',
  'ocsp_must_staple',
] as const;

export function features(f: ScanFacts): Record<(typeof FEATURE_IDS)[number], boolean | null> {
  const s = f.sessions;
  const t = f.transparency;
  const sct = t ? t.embeddedScts + t.stapledScts > 0 || t.tlsExtensionScts === true : null;
  return {
    session_resumption_id: s?.resumptionById ?? null,
    session_resumption_ticket: s?.resumptionByTicket ?? null,
    early_data: s?.earlyData ?? null,
    client_renegotiation: s?.clientRenegotiation ?? null,
    heartbeat: f.vulns?.heartbeatExtension ?? null,
    sct,
    ocsp_must_staple: t ? t.mustStaple : null,
  };
}

export function sessionFindings(f: ScanFacts): Finding[] {
  const out: Finding[] = [];
  const s = f.sessions;
  if (s && s.resumptionById === false && s.resumptionByTicket === false) {
    out.push({
      id: 'tls.session.no_resumption',
      status: 'warn',
      severity: 'low',
      message:
        "the server resumes no session (neither by id nor by ticket): every reconnect costs a full handshake (a performance matter; the operator's own threshold)",
      evidence: { resumptionById: false, resumptionByTicket: false, ticketProtocol: s.ticketProtocol },
    });
  }
  const t = f.transparency;
  if (t && t.mustStaple && !t.mustStapleHonoured) {
    out.push({
      id: 'tls.cert.must_staple_not_stapled',
      status: 'fail',
      severity: 'high',
      message:
        'the certificate demands OCSP stapling (TLS Feature status_request, RFC 7633) but the server stapled no OCSP answer: clients that honour must-staple refuse the connection',
      evidence: { mustStaple: true, ocspStapled: false },
    });
  }
  if (t && t.embeddedScts + t.stapledScts === 0 && t.tlsExtensionScts !== true && t.publiclyTrusted) {
    out.push({
      id: 'tls.cert.no_sct',
      status: 'warn',
      severity: 'low',
      message: `no signed certificate timestamp (embedded, stapled${t.tlsExtensionScts === null ? '' : ' or TLS extension'}): browsers' CT policies (Chrome, Safari) refuse a publicly trusted certificate without them`,
      evidence: { embeddedScts: 0, stapledScts: 0, tlsExtensionScts: t.tlsExtensionScts },
    });
  }
  return out;
}
