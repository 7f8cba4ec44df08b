/**
 * findings.ocsf.json: one OCSF Compliance Finding (class_uid 2003, category 2 Findings) per (check, finding) of
 * the month. compliance.status_id: 1 Pass, 2 Warning, 3 Fail; the finding's status_id: 1 New (open at the end of
 * the period), 3 Suppressed (every occurrence waived), 4 Resolved. `compliance.standards` lists only the rules
 * src/elements.ts cites for the check's element, or the operator's own policy.
 */
import { ELEMENTS, isElementId } from '../../elements';
import type { FindingSummary } from './summary';

export const OCSF_VERSION = '1.1.0';
const SEVERITY_ID: Record<string, number> = { info: 1, low: 2, medium: 3, high: 4, critical: 5 };

export function ocsfFindings(findings: FindingSummary[], meta: { toolVersion: string; month: string }): object[] {
  return findings
    .filter((f) => f.occurrences > 0)
    .map((f) => {
      const el = isElementId(f.element) ? ELEMENTS[f.element] : undefined;
      const suppressed = f.waived === f.occurrences;
      const statusId = suppressed ? 3 : f.openAtEnd ? 1 : 4;
      return {
        class_uid: 2003,
        class_name: 'Compliance Finding',
        category_uid: 2,
        category_name: 'Findings',
        activity_id: 1,
        activity_name: 'Create',
        type_uid: 200301,
        time: f.lastSeenAt!.getTime(),
        severity_id: SEVERITY_ID[f.severity] ?? 0,
        severity: f.severity,
        status_id: statusId,
        status: { 1: 'New', 3: 'Suppressed', 4: 'Resolved' }[statusId],
        count: f.occurrences,
        message: f.message,
        metadata: { version: OCSF_VERSION, product: { name: 'pengawas', vendor_name: 'pengawas', version: meta.toolVersion }, labels: [`month:${meta.month}`] },
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
          status_id: f.status === 'fail' ? 3 : 2,
          status: f.status === 'fail' ? 'Fail' : 'Warning',
        },
        resources: [{ uid: f.checkId, type: 'pengawas check' }],
        unmapped: { waived_occurrences: f.waived, month_over_month: f.delta },
      };
    });
}
