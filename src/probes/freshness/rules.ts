/**
 * Applies the freshness rules to what a source told: which date counts as the last review, when the next review
 * is due (the earlier of review date + maxAge and a declared next_review), and which required fields are missing.
 * Pure: `now` is a parameter, so the rules are tested without waiting for documents to age.
 */
import { JSONPath } from 'jsonpath-plus';
import type { Finding } from '../../results/contract';
import { formatDuration } from '../../util/duration';
import { clip } from '../http/assertions';
import { parseDate } from './dates';
import type { FreshnessOptions } from './options';
import type { DocumentFacts } from './sources/types';

const DAY = 86_400_000;
/** A review date this far in the future is a typo or a clock problem, not a review. */
const FUTURE_TOLERANCE_MS = DAY;
/** Fields worth showing in evidence even when not required. */
const SHOWN_FIELDS = ['owner', 'approver', 'version', 'title'];

/** What a freshness check measured about its document (ages in seconds, dates ISO-8601, due as unix seconds). */
export interface FreshnessMeasurements {
  source: DocumentFacts['kind'];
  format: DocumentFacts['declared']['format'];
  /** Where the review date came from: `field:<name>`, `json:<path>`, or the source's own date (a SourceEvidence). */
  evidence: string | null;
  reviewedAt: string | null;
  ageSeconds: number | null;
  maxAgeSeconds: number | null;
  nextReview: string | null;
  reviewDueAt: string | null;
  reviewDueTimestamp: number | null;
  fields: Record<string, unknown>;
  /** The source's own evidence, under its kind. */
  file?: Record<string, unknown>;
  git?: Record<string, unknown>;
  http?: Record<string, unknown>;
}

export interface Evaluation {
  findings: Finding[];
  measurements: FreshnessMeasurements;
}

function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function ago(ms: number): string {
  const days = Math.floor(Math.abs(ms) / DAY);
  return ms >= 0 ? `${days} day(s) ago` : `in ${days} day(s)`;
}

export function evaluate(facts: DocumentFacts, o: FreshnessOptions, now: Date): Evaluation {
  const findings: Finding[] = [];
  const fail = (id: string, severity: Finding['severity'], message: string, evidence?: Record<string, unknown>) =>
    findings.push({ id, severity, status: 'fail', message, evidence });

  const field = (name: string): unknown => {
    const p = o.fieldPaths[name];
    if (p && facts.json !== undefined) {
      const found = JSONPath<unknown[]>({ path: p, json: facts.json as object, wrap: true, eval: false });
      return found[0];
    }
    return facts.declared.fields[name];
  };

  if (facts.declared.problem) fail('freshness.document.malformed', 'medium', facts.declared.problem, { format: facts.declared.format });

  // 1. The review date and what backs it.
  let reviewedAt: Date | undefined;
  let evidence: string | undefined;
  const useField = o.dateFrom === 'field' || (o.dateFrom === 'auto' && facts.kind !== 'git');
  if (useField) {
    const where = o.jsonPath ?? o.fieldPaths[o.dateField] ?? o.dateField;
    const raw =
      o.jsonPath && facts.json !== undefined
        ? JSONPath<unknown[]>({ path: o.jsonPath, json: facts.json as object, wrap: true, eval: false })[0]
        : field(o.dateField);
    if (!isBlank(raw)) {
      reviewedAt = parseDate(raw);
      if (reviewedAt) evidence = o.jsonPath ? `json:${o.jsonPath}` : `field:${o.dateField}`;
      else
        fail('freshness.field.invalid_date', 'medium', `${where} is ${JSON.stringify(clip(raw))}, not a date (expected e.g. 2026-03-01)`, {
          field: where,
          value: clip(raw),
        });
    } else if (o.dateFrom === 'field') {
      fail('freshness.field.missing', 'medium', `the document declares no ${where} (review date)`, { field: where });
    }
  }
  const triedField = useField && (reviewedAt !== undefined || findings.some((f) => f.id === 'freshness.field.invalid_date'));
  if (!reviewedAt && !triedField && o.dateFrom !== 'field') {
    if (facts.sourceDate) {
      reviewedAt = facts.sourceDate.at;
      evidence = facts.sourceDate.evidence;
      if (evidence === 'mtime' && o.mtimeEvidence !== 'accept') {
        const msg = `no ${o.dateField} field: the file's modification time (${day(reviewedAt)}) is the only evidence, and copying or touching the file changes it`;
        if (o.mtimeEvidence === 'reject') fail('freshness.evidence.mtime_only', 'medium', msg, { field: o.dateField });
        else
          findings.push({
            id: 'freshness.evidence.mtime_only',
            severity: 'low',
            status: 'warn',
            message: msg,
            evidence: { field: o.dateField },
          });
      }
    } else {
      fail(
        'freshness.date.unknown',
        'medium',
        `no review date: no ${o.jsonPath ?? o.dateField} field and the source has no date of its own (e.g. Last-Modified)`,
      );
    }
  }

  // 2. The declared next review.
  let nextReview: Date | undefined;
  const rawNext = field(o.nextReviewField);
  if (!isBlank(rawNext)) {
    nextReview = parseDate(rawNext);
    if (!nextReview)
      fail('freshness.field.invalid_date', 'medium', `${o.nextReviewField} is ${JSON.stringify(clip(rawNext))}, not a date`, {
        field: o.nextReviewField,
        value: clip(rawNext),
      });
  }

  // 3. Due date and age.
  const byMaxAge = reviewedAt && o.maxAge !== undefined ? new Date(reviewedAt.getTime() + o.maxAge) : undefined;
  const candidates = [byMaxAge, nextReview].filter((d): d is Date => d !== undefined);
  const dueAt = candidates.length ? new Date(Math.min(...candidates.map((d) => d.getTime()))) : undefined;
  const dueBy =
    dueAt && nextReview && dueAt.getTime() === nextReview.getTime()
      ? o.nextReviewField
      : o.maxAge !== undefined
        ? `maxAge ${formatDuration(o.maxAge)}`
        : undefined;
  const ageMs = reviewedAt ? now.getTime() - reviewedAt.getTime() : undefined;
  const base = { reviewedAt: reviewedAt?.toISOString(), evidence, dueAt: dueAt?.toISOString() };

  if (reviewedAt && ageMs !== undefined && ageMs < -FUTURE_TOLERANCE_MS) {
    findings.push({
      id: 'freshness.date.future',
      severity: 'low',
      status: 'warn',
      message: `the review date ${day(reviewedAt)} is in the future; a typo or a wrong clock`,
      evidence: base,
    });
  }
  if (dueAt) {
    const left = dueAt.getTime() - now.getTime();
    const last = reviewedAt ? `last reviewed ${day(reviewedAt)} (${ago(ageMs!)})` : 'review date unknown';
    if (left <= 0) {
      fail(
        'freshness.review.overdue',
        'high',
        `stale: ${last}; the next review was due ${day(dueAt)} (${dueBy}), ${Math.floor(-left / DAY)} day(s) ago`,
        base,
      );
    } else if (left <= o.warnBefore) {
      findings.push({
        id: 'freshness.review.due_soon',
        severity: 'low',
        status: 'warn',
        message: `review due soon: ${day(dueAt)} (${dueBy}), in ${Math.ceil(left / DAY)} day(s); ${last}`,
        evidence: base,
      });
    } else {
      findings.push({
        id: 'freshness.review.current',
        severity: 'info',
        status: 'pass',
        message: `current: ${last}; next review due ${day(dueAt)} (${dueBy})`,
        evidence: base,
      });
    }
  } else if (reviewedAt) {
    findings.push({
      id: 'freshness.review.no_deadline',
      severity: 'info',
      status: 'pass',
      message: `last reviewed ${day(reviewedAt)} (${ago(ageMs!)}); no maxAge and no ${o.nextReviewField}, so only the age is reported`,
      evidence: base,
    });
  }

  // 4. Required fields.
  for (const name of o.requireFields) {
    if (isBlank(field(name)))
      fail('freshness.field.missing', 'medium', `required field ${name} is missing or empty`, { field: name, path: o.fieldPaths[name] });
  }

  const fields: Record<string, unknown> = {};
  for (const name of new Set([...SHOWN_FIELDS, ...o.requireFields, o.dateField, o.nextReviewField])) {
    const v = field(name);
    if (!isBlank(v)) fields[name] = clip(v instanceof Date ? v.toISOString() : v, 120);
  }
  return {
    findings,
    measurements: {
      source: facts.kind,
      format: facts.declared.format,
      evidence: evidence ?? null,
      reviewedAt: reviewedAt?.toISOString() ?? null,
      ageSeconds: ageMs !== undefined ? Math.round(ageMs / 1000) : null,
      maxAgeSeconds: o.maxAge !== undefined ? o.maxAge / 1000 : null,
      nextReview: nextReview?.toISOString() ?? null,
      reviewDueAt: dueAt?.toISOString() ?? null,
      reviewDueTimestamp: dueAt ? dueAt.getTime() / 1000 : null,
      fields,
      [facts.kind]: facts.details,
    },
  };
}
