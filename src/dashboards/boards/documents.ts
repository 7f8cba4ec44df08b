/** Documents & attestations: governing documents' age and review dates, security.txt, the monthly evidence pack. */
import { SEL, type BoardSpec } from '../types';

export const documents: BoardSpec = {
  uid: 'pengawas-documents',
  title: 'pengawas / Documents & attestations',
  description: 'Governing documents (policies, plans, reports) and published notices: how old, when due; the evidence pack.',
  tags: ['documents', 'compliance'],
  rows: [
    {
      title: 'Governing documents',
      panels: [
        {
          title: 'Share of the allowed age used',
          type: 'bargauge',
          w: 12,
          h: 10,
          unit: 'percentunit',
          min: 0,
          max: 1,
          description: 'Age since the last review divided by the maximum age the check allows; 100 % = stale.',
          queries: [
            {
              expr: `sort_desc(max by (check) (pengawas_document_age_seconds{${SEL}}) / max by (check) (pengawas_document_max_age_seconds{${SEL}}))`,
              legend: '{{check}}',
              instant: true,
            },
          ],
          baseColor: 'green',
          thresholds: [
            ['yellow', 0.8],
            ['red', 1],
          ],
        },
        {
          title: 'Days until the next review is due',
          type: 'table',
          w: 12,
          h: 10,
          unit: 'd',
          decimals: 0,
          queries: [{ expr: `sort((max by (check, element) (pengawas_document_review_due_timestamp_seconds{${SEL}}) - time()) / 86400)` }],
          baseColor: 'red',
          thresholds: [
            ['yellow', 0],
            ['green', 30],
          ],
        },
        {
          title: 'Document age (days)',
          type: 'table',
          w: 12,
          h: 8,
          unit: 'd',
          decimals: 0,
          queries: [{ expr: `max by (check, element) (pengawas_document_age_seconds{${SEL}}) / 86400` }],
        },
        {
          title: 'Document and attestation checks by last status',
          type: 'table',
          w: 12,
          h: 8,
          description: 'freshness checks (document review dates) and attestation checks (facts vouched for by a person).',
          queries: [{ expr: `max by (check, element, type, status) (pengawas_check_result{type=~"freshness|attestation", ${SEL}}) == 1` }],
          hide: ['Value'],
        },
      ],
    },
    {
      title: 'Attestations',
      panels: [
        {
          title: 'Attestation expires in (days)',
          type: 'bargauge',
          w: 12,
          h: 8,
          unit: 'd',
          description: 'Facts no probe can observe (drills, training, agreements), vouched for with `pengawas attest`. Negative: expired.',
          queries: [
            {
              expr: `sort((max by (check) (pengawas_attestation_expiry_timestamp_seconds{${SEL}}) - time()) / 86400)`,
              legend: '{{check}}',
              instant: true,
            },
          ],
          baseColor: 'red',
          thresholds: [
            ['yellow', 0],
            ['green', 30],
          ],
        },
        {
          title: 'Attested (1) and age in days',
          type: 'table',
          w: 12,
          h: 8,
          queries: [
            { expr: `max by (check, element) (pengawas_attestation_present{${SEL}})` },
            { expr: `max by (check, element) (pengawas_attestation_age_seconds{${SEL}}) / 86400` },
          ],
        },
      ],
    },
    {
      title: 'Published notices and evidence',
      panels: [
        {
          title: 'security.txt expires in (days)',
          type: 'stat',
          w: 8,
          h: 5,
          unit: 'd',
          queries: [
            {
              expr: `(max by (check) (pengawas_securitytxt_expires_timestamp_seconds{${SEL}}) - time()) / 86400`,
              legend: '{{check}}',
              instant: true,
            },
          ],
          baseColor: 'red',
          thresholds: [
            ['yellow', 14],
            ['green', 30],
          ],
        },
        {
          title: 'Last monthly evidence pack',
          type: 'stat',
          w: 8,
          h: 5,
          unit: 'dateTimeAsIso',
          description: 'When the last evidence pack was built (1970 = none built since pengawas started).',
          queries: [{ expr: 'max(pengawas_evidence_last_build_timestamp_seconds) * 1000', instant: true }],
          baseColor: 'blue',
        },
        {
          title: 'Findings of document, attestation and security.txt checks',
          type: 'table',
          w: 8,
          h: 5,
          queries: [
            {
              expr: `max by (check, finding, severity, status) (pengawas_check_failing_finding_info{type=~"freshness|attestation|securitytxt", ${SEL}})`,
            },
          ],
          hide: ['Value'],
        },
      ],
    },
  ],
};
