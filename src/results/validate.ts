/** Shape check of a result read off the stream, after its MAC verified: what metrics and evidence rely on. */
import { ELEMENT_IDS } from '../elements';
import { SEVERITIES, STATUSES, type ProbeResult } from './contract';

const isStr = (v: unknown): v is string => typeof v === 'string';

export function validResult(v: unknown): v is ProbeResult {
  if (!v || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return (
    isStr(r.id) &&
    isStr(r.checkId) &&
    isStr(r.type) &&
    isStr(r.target) &&
    isStr(r.scheduledAt) &&
    isStr(r.startedAt) &&
    // The id is derived from the check and the slot; the recorder's markers rely on it.
    r.id === `${r.checkId}@${r.scheduledAt}` &&
    (ELEMENT_IDS as readonly unknown[]).includes(r.element) &&
    (STATUSES as readonly unknown[]).includes(r.status) &&
    Number.isFinite(Date.parse(r.scheduledAt)) &&
    Number.isFinite(Date.parse(r.startedAt)) &&
    typeof r.durationMs === 'number' &&
    Number.isFinite(r.durationMs) &&
    typeof r.attempt === 'number' &&
    Array.isArray(r.findings) &&
    r.findings.every(validFinding) &&
    !!r.measurements &&
    typeof r.measurements === 'object'
  );
}

function validFinding(v: unknown): boolean {
  if (!v || typeof v !== 'object') return false;
  const f = v as Record<string, unknown>;
  return (
    isStr(f.id) &&
    isStr(f.message) &&
    (SEVERITIES as readonly unknown[]).includes(f.severity) &&
    (STATUSES as readonly unknown[]).includes(f.status)
  );
}
