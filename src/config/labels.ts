/**
 * A check's own `labels:`, exported on `pengawas_check_info`: names in the Prometheus label grammar, none reserved
 * (`__*`, the labels pengawas and Prometheus set themselves), bounded in count and length so a configuration
 * cannot blow up series size.
 */
import { z } from 'zod';

export const MAX_LABELS = 16;
export const MAX_LABEL_NAME = 64;
export const MAX_LABEL_VALUE = 256;

/** Labels pengawas puts on its own series, and those Prometheus attaches at scrape time (job, instance). */
export const RESERVED_LABELS: ReadonlySet<string> = new Set([
  'check',
  'element',
  'type',
  'target',
  'severity',
  'owner',
  'status',
  'result',
  'finding',
  'phase',
  'step',
  'slo',
  'scope',
  'protocol',
  'strength',
  'vuln',
  'profile',
  'stat',
  'reason',
  'state',
  'outcome',
  'backend',
  'fingerprint_sha256',
  'subject',
  'issuer',
  'serial',
  'not_after',
  'job',
  'instance',
  'le',
  'quantile',
  'alertname',
]);

/** What is wrong with a label name, or undefined when Prometheus and pengawas accept it. */
export function labelNameProblem(name: string): string | undefined {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name))
    return `label name "${name.slice(0, 80)}" is not a Prometheus label name (letters, digits and "_", not starting with a digit)`;
  if (name.startsWith('__')) return `label name "${name}" starts with "__", which Prometheus reserves for internal use`;
  if (name.length > MAX_LABEL_NAME) return `label name "${name.slice(0, 20)}…" is longer than ${MAX_LABEL_NAME} characters`;
  if (RESERVED_LABELS.has(name)) return `label name "${name}" is reserved: pengawas or Prometheus sets it on its own series`;
  return undefined;
}

export const labelsSchema = z
  .record(
    z.string(),
    z
      .string()
      .min(1, 'label values must not be empty (Prometheus treats an empty value as no label)')
      .max(MAX_LABEL_VALUE, `label values are at most ${MAX_LABEL_VALUE} characters`),
  )
  .superRefine((labels, ctx) => {
    const names = Object.keys(labels);
    if (names.length > MAX_LABELS)
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_LABELS} labels per check (found ${names.length})` });
    for (const name of names) {
      const problem = labelNameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
    }
  })
  .default({});
