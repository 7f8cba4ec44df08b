/** TLS & certificates: expiry, protocols, suites, profile compliance and scan cost of every `tls` check. */
import { SEL, type BoardSpec } from '../types';

export const tls: BoardSpec = {
  uid: 'pengawas-tls',
  title: 'pengawas / TLS & certificates',
  description: 'Certificate expiry and revocation, protocol versions, cipher suites and policy profile compliance.',
  tags: ['tls', 'security'],
  rows: [
    {
      title: 'Certificates',
      panels: [
        {
          title: 'Days until certificate expiry',
          type: 'bargauge',
          w: 12,
          h: 9,
          unit: 'd',
          queries: [
            {
              expr: `sort((min by (check) (pengawas_tls_cert_expiry_timestamp_seconds{${SEL}}) - time()) / 86400)`,
              legend: '{{check}}',
              instant: true,
            },
          ],
          baseColor: 'red',
          thresholds: [
            ['orange', 7],
            ['yellow', 14],
            ['green', 30],
          ],
        },
        {
          title: 'Revocation (1 = revoked)',
          type: 'table',
          w: 6,
          h: 9,
          queries: [{ expr: `max by (check) (pengawas_tls_cert_revoked{${SEL}})` }],
        },
        {
          title: 'HSTS max-age',
          type: 'table',
          w: 6,
          h: 9,
          unit: 's',
          queries: [{ expr: `max by (check) (pengawas_tls_hsts_max_age_seconds{${SEL}})` }],
        },
        {
          title: 'Certificates presented',
          type: 'table',
          w: 24,
          h: 7,
          description:
            'The leaf certificates of the last scan (as blackbox_exporter probe_ssl_last_chain_info): a changed fingerprint or issuer shows a renewal or a swapped certificate.',
          queries: [{ expr: `max by (check, subject, issuer, serial, not_after, fingerprint_sha256) (pengawas_tls_cert_info{${SEL}})` }],
          hide: ['Value'],
        },
      ],
    },
    {
      title: 'Protocols and suites',
      panels: [
        {
          title: 'Protocol versions accepted',
          type: 'table',
          w: 12,
          h: 9,
          description: 'SSLv3, TLS 1.0 and 1.1 should be 0 (RFC 7568, RFC 8996).',
          queries: [{ expr: `max by (check, protocol) (pengawas_tls_protocol_enabled{${SEL}})` }],
        },
        {
          title: 'Cipher suites by strength',
          type: 'table',
          w: 12,
          h: 9,
          queries: [{ expr: `max by (check, strength) (pengawas_tls_cipher_suites{${SEL}})` }],
        },
        {
          title: 'Profile compliance',
          type: 'table',
          w: 12,
          h: 8,
          queries: [{ expr: `max by (check, profile) (pengawas_tls_profile_compliant{${SEL}})` }],
        },
        {
          title: 'Findings by severity',
          type: 'bargauge',
          w: 12,
          h: 8,
          queries: [
            { expr: `sum by (severity) (max by (check, severity) (pengawas_tls_findings{${SEL}}))`, legend: '{{severity}}', instant: true },
          ],
          baseColor: 'green',
          thresholds: [['red', 1]],
        },
      ],
    },
    {
      title: 'Vulnerabilities and sessions',
      panels: [
        {
          title: 'Vulnerable (1) per check and vulnerability (absent: undecided)',
          type: 'table',
          w: 12,
          h: 9,
          queries: [{ expr: `max by (check, vuln) (pengawas_tls_vulnerable{${SEL}}) == 1` }],
        },
        {
          title: 'Session and transparency features (resumption, 0-RTT, client renegotiation, heartbeat, SCT, must-staple)',
          type: 'table',
          w: 12,
          h: 9,
          queries: [{ expr: `max by (check, feature) (pengawas_tls_feature{${SEL}})` }],
        },
      ],
    },
    {
      title: 'Scan cost',
      panels: [
        {
          title: 'Handshake time',
          type: 'timeseries',
          w: 8,
          h: 8,
          unit: 's',
          queries: [{ expr: `max by (check) (pengawas_tls_handshake_duration_seconds{${SEL}})`, legend: '{{check}}' }],
        },
        {
          title: 'Scan duration',
          type: 'timeseries',
          w: 8,
          h: 8,
          unit: 's',
          queries: [{ expr: `max by (check) (pengawas_tls_scan_duration_seconds{${SEL}})`, legend: '{{check}}' }],
        },
        {
          title: 'Handshakes per scan',
          type: 'timeseries',
          w: 8,
          h: 8,
          queries: [{ expr: `max by (check) (pengawas_tls_scan_handshakes{${SEL}})`, legend: '{{check}}' }],
        },
      ],
    },
  ],
};
