/**
 * findings.ocsf.json: one OCSF 1.1.0 Compliance Finding (class_uid 2003, category 2 Findings) per (check, finding)
 * of the month, valid against the JSON Schema generated from ocsf/ocsf-schema v1.1.0 (test/e2e/conformance/ocsf/).
 * The finding's status_id: 1 New (open at the end of the period), 3 Suppressed (every occurrence waived),
 * 4 Resolved. compliance.status_id: 3 Fail for a `fail` finding. A `warn` finding is 99 Other with status "Warn":
 * OCSF's 2 "Warning" means "the compliance check did not yield a result due to missing information", which is
 * pengawas's `error`, while `warn` is a decided result (degraded, no rule broken yet). `compliance.standards`
 * lists only the rules src/elements.ts cites for the check's element, or the operator's own policy.
 */
import { ELEMENTS, isElementId } from '../../elements';
import type { FindingSummary } from './summary';

export const OCSF_VERSION = '1.1.0';
/** severity_id and its caption (dictionary.json severity_id enum); `severity` must be the caption. */
const SEVERITY: Record<string, [number, string]> = {
  info: [1, 'Informational'],
  low: [2, 'Low'],
  medium: [3, 'Medium'],
  high: [4, 'High'],
  critical: [5, 'Critical'],
};
const WARN_DETAIL = 'pengawas warn: a degraded condition was found (e.g. a limit approaching); no rule is broken yet';

export function ocsfFindings(findings: FindingSummary[], meta: { toolVersion: string; month: string }): object[] {
  return findings
    .filter((f) => f.occurrences > 0)
    .map((f) => {
      const el = isElementId(f.element) ? ELEMENTS[f.element] : undefined;
      const suppressed = f.waived === f.occurrences;
      const statusId = suppressed ? 3 : f.openAtEnd ? 1 : 4;
      const [severityId, severity] = SEVERITY[f.severity] ?? [0, 'Unknown'];
      return {
        class_uid: 2003,
        class_name: 'Compliance Finding',
        category_uid: 2,
        category_name: 'Findings',
        activity_id: 1,
        activity_name: 'Create',
        type_uid: 200301,
        time: f.lastSeenAt!.getTime(),
        severity_id: severityId,
        severity,
        status_id: statusId,
        status: { 1: 'New', 3: 'Suppressed', 4: 'Resolved' }[statusId],
        count: f.occurrences,
        message: f.message,
        metadata: {
          version: OCSF_VERSION,
          product: { name: 'pengawas', vendor_name: 'pengawas', version: meta.toolVersion },
          labels: [`month:${meta.month}`],
        },
        finding_info: {
          uid: `${f.checkId}/${f.findingId}/${meta.month}`,
          title: f.findingId,
          desc: f.message,
          first_seen_time: f.firstSeenAt!.getTime(),
          last_seen_time: f.lastSeenAt!.getTime(),
          types: [f.element],
        },
        compliance: {
          control: f.findingId,
          standards: el && el.rules.length ? el.rules.map((r) => r.ref) : ["Operator's own policy"],
          requirements: [`pengawas element: ${f.element}`],
          ...(f.status === 'fail' ? { status_id: 3, status: 'Fail' } : { status_id: 99, status: 'Warn', status_detail: WARN_DETAIL }),
        },
        resource: { uid: f.checkId, type: 'pengawas check' },
        unmapped: { waived_occurrences: f.waived, month_over_month: f.delta },
      };
    });
}
