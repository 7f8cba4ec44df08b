/**
 * Maintenance windows: `pengawas maintenance add|list|end`. A window covers one check, an element, the checks
 * carrying a label (`key=value` of the check's `labels:`) or all checks, from `startsAt` to `endsAt` (or to the
 * moment someone ends it early). Results whose run started inside a window are recorded with effective status
 * `maintenance` (their raw status kept): they count neither as passes nor as failures, a failure inside a window
 * opens no incident, and the check's alerts are silenced through `pengawas_check_in_maintenance`. Append-only,
 * chained in `#maintenance` ("add" and "end" records), written like waivers (record-checks.ts: who wrote it, and
 * optionally an operator's Ed25519 signature). A window cannot start in the past: it cannot excuse results that
 * were already recorded. At most MAX_WINDOW_MS long (pengawas's own limit, not a regulation).
 */
import { appendRecord } from './chain';
import type { BackendKind, EvidenceDb, Queryable } from './db/types';
import { canonicalJson } from './hash';
import { ELEMENT_IDS } from '../elements';
import { EvidenceStoreError } from '../errors';
import { asObject, hasOptionalStrings, hasStrings, parseObject, type JsonObject } from '../util/narrow';
import type { WindowSilence } from './maintenance-silences';
import {
  checksInForce,
  dateProblems,
  invalid,
  signatureProblem,
  textProblems,
  unknownCheckProblem,
  isSignature,
  isWrittenBy,
  writerOf,
  type OperatorSignature,
  type WrittenBy,
} from './record-checks';

export const MAINTENANCE_STREAM = '#maintenance';
export const SCOPE_KINDS = ['check', 'element', 'label', 'all'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];
/** pengawas's own bound on one window: longer work is several windows, each one recorded with its reason. */
export const MAX_WINDOW_MS = 7 * 24 * 3600 * 1000;
/** How far in the past a window may start (clock skew between the operator's machine and the store). */
export const PAST_TOLERANCE_MS = 5 * 60 * 1000;
const LABEL = /^([A-Za-z_][A-Za-z0-9_]{0,99})=(.{1,200})$/s;

export interface Scope {
  kind: ScopeKind;
  /** Check id, element id, `key=value`, or null for all. */
  value: string | null;
}

export interface MaintenanceInput {
  scope: Scope;
  startsAt: Date;
  endsAt: Date;
  reason: string;
  /** Who carries out the maintenance (required). */
  by: string;
  createdBy?: string;
  signature?: OperatorSignature;
}

export interface MaintenanceWindow {
  id: number;
  scope: Scope;
  startsAt: string;
  /** Planned end. */
  endsAt: string;
  reason: string;
  by: string;
  createdBy: string | null;
  createdAt: string;
  writtenBy: WrittenBy;
  signature?: OperatorSignature;
  /** Set when ended early by `maintenance end`. */
  ended?: { at: string; by: string; writtenBy: WrittenBy; signature?: OperatorSignature };
  /** The Alertmanager silence made for it, if any (maintenance-silences.ts; attached by the operations layer). */
  silence?: WindowSilence;
}

/** The window's effective end: the planned end or the early end, whichever is first. */
export function effectiveEnd(w: MaintenanceWindow): Date {
  const planned = new Date(w.endsAt);
  return w.ended && new Date(w.ended.at) < planned ? new Date(w.ended.at) : planned;
}

export function maintenanceStatement(w: {
  scope: Scope;
  startsAt: Date | string;
  endsAt: Date | string;
  reason: string;
  by: string;
}): Record<string, unknown> {
  return {
    kind: 'pengawas-maintenance/1',
    scope: { kind: w.scope.kind, value: w.scope.value ?? null },
    startsAt: new Date(w.startsAt).toISOString(),
    endsAt: new Date(w.endsAt).toISOString(),
    reason: w.reason,
    by: w.by,
  };
}

export function maintenanceEndStatement(e: { windowId: number; at: Date | string; by: string }): Record<string, unknown> {
  return { kind: 'pengawas-maintenance-end/1', windowId: e.windowId, at: new Date(e.at).toISOString(), by: e.by };
}

/** What a check looks like to a scope. */
export interface Covered {
  id: string;
  element: string;
  labels?: Record<string, string>;
}

export function scopeCovers(scope: Scope, c: Covered): boolean {
  if (scope.kind === 'all') return true;
  if (scope.kind === 'check') return scope.value === c.id;
  if (scope.kind === 'element') return scope.value === c.element;
  const m = LABEL.exec(scope.value ?? '');
  return Boolean(m && c.labels && Object.prototype.hasOwnProperty.call(c.labels, m[1]) && c.labels[m[1]] === m[2]);
}

/** The first window covering the check at `at` (start inclusive, end exclusive), if any. */
export function windowAt(windows: MaintenanceWindow[], c: Covered, at: Date): MaintenanceWindow | undefined {
  const t = at.getTime();
  return windows.find((w) => new Date(w.startsAt).getTime() <= t && t < effectiveEnd(w).getTime() && scopeCovers(w.scope, c));
}

export function scopeText(s: Scope): string {
  return s.kind === 'all' ? 'all checks' : `${s.kind} ${s.value}`;
}

function scopeProblems(s: Scope | undefined, checks: Awaited<ReturnType<typeof checksInForce>>): string[] {
  if (!s || !SCOPE_KINDS.includes(s.kind)) return [`scope.kind "${s?.kind ?? ''}" is not one of ${SCOPE_KINDS.join(', ')}`];
  if (s.kind === 'all') return s.value === null || s.value === undefined ? [] : ['scope.value must be empty for scope "all"'];
  if (typeof s.value !== 'string' || !s.value.trim()) return [`scope.value is required for scope "${s.kind}"`];
  if (s.kind === 'check') {
    const p = textProblems('checkId', s.value, true);
    if (p.length) return p.map((x) => `scope ${x}`);
    const unknown = unknownCheckProblem(checks, s.value, false);
    return unknown ? [`scope: ${unknown}`] : [];
  }
  if (s.kind === 'element')
    return (ELEMENT_IDS as readonly string[]).includes(s.value)
      ? []
      : [`scope element "${s.value}" is not one of ${ELEMENT_IDS.join(', ')}`];
  return LABEL.test(s.value)
    ? []
    : [`scope label "${s.value.slice(0, 100)}" must be key=value (key: letters, digits, _; value: 1-200 characters)`];
}

/** Every problem of a new window, each naming the field and its value. */
export function validateMaintenance(w: MaintenanceInput, now: Date, checks?: Awaited<ReturnType<typeof checksInForce>>): string[] {
  const problems = [
    ...scopeProblems(w.scope, checks),
    ...textProblems('reason', w.reason, true),
    ...textProblems('by', w.by, true),
    ...textProblems('createdBy', w.createdBy, false),
    ...dateProblems('startsAt', w.startsAt, true),
    ...dateProblems('endsAt', w.endsAt, true),
  ];
  if (!problems.some((p) => p.startsWith('startsAt') || p.startsWith('endsAt'))) {
    const span = w.endsAt.getTime() - w.startsAt.getTime();
    if (span <= 0) problems.push(`endsAt ${w.endsAt.toISOString()} is not after startsAt ${w.startsAt.toISOString()}`);
    else if (span > MAX_WINDOW_MS)
      problems.push(
        `the window is ${(span / 3_600_000).toFixed(1)} h long; at most ${MAX_WINDOW_MS / 3_600_000} h (record longer work as several windows)`,
      );
    if (w.startsAt.getTime() < now.getTime() - PAST_TOLERANCE_MS)
      problems.push(`startsAt ${w.startsAt.toISOString()} is in the past: a window cannot excuse results already recorded`);
  }
  if (w.signature && !problems.length) {
    const bad = signatureProblem(maintenanceStatement(w), w.signature);
    if (bad) problems.push(`signature: ${bad}`);
  }
  return problems;
}

type Row = { action: string; body: string };

/** A window as addMaintenance writes it (the `add` record's body). */
function isWindow(b: JsonObject): b is JsonObject & MaintenanceWindow {
  return (
    typeof b.id === 'number' &&
    isScope(asObject(b.scope)) &&
    hasStrings(b, 'startsAt', 'endsAt', 'reason', 'by', 'createdAt') &&
    hasOptionalStrings(b, 'createdBy') &&
    isWrittenBy(b.writtenBy) &&
    (b.signature === undefined || isSignature(b.signature))
  );
}

const malformed = (r: Row) =>
  new EvidenceStoreError(
    `maintenance record (${r.action}) does not have the shape the store writes; run \`pengawas evidence verify --store\``,
  );

function fold(rows: Row[]): MaintenanceWindow[] {
  const byId = new Map<number, MaintenanceWindow>();
  for (const r of rows) {
    const b = parseObject(r.body);
    if (r.action === 'add') {
      if (!isWindow(b)) throw malformed(r);
      byId.set(b.id, b);
    } else {
      if (typeof b.windowId !== 'number' || !hasStrings(b, 'at', 'by') || !isWrittenBy(b.writtenBy)) throw malformed(r);
      const w = byId.get(b.windowId);
      if (w && !w.ended)
        w.ended = { at: b.at, by: b.by, writtenBy: b.writtenBy, ...(isSignature(b.signature) ? { signature: b.signature } : {}) };
    }
  }
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Windows (with their early ends) that overlap [from, to) by their planned times. Few rows: windows are rare. */
async function planned(db: Queryable, from: Date, to: Date): Promise<MaintenanceWindow[]> {
  const rows = await db.query<Row>(
    `SELECT action, body FROM evidence_maintenance WHERE window_id IN
       (SELECT window_id FROM evidence_maintenance WHERE action = 'add' AND starts_at < $2 AND ends_at > $1) ORDER BY seq`,
    [from, to],
  );
  return fold(rows);
}

/** Windows in force at any time between `from` and `to` (early ends applied). */
export async function maintenanceForPeriod(db: Queryable, from: Date, to: Date): Promise<MaintenanceWindow[]> {
  return (await planned(db, from, to)).filter((w) => effectiveEnd(w) > from);
}

/**
 * The windows covering one check between `from` and `to`, each clipped to the period: what [gaps] names as the
 * `maintenance` cause of missing or excused time, and what the report sums.
 */
export async function maintenanceWindowsFor(
  db: Queryable,
  check: Covered,
  from: Date,
  to: Date,
): Promise<Array<{ window: MaintenanceWindow; from: Date; to: Date }>> {
  return clipFor(await maintenanceForPeriod(db, from, to), check, from, to);
}

export function clipFor(
  windows: MaintenanceWindow[],
  check: Covered,
  from: Date,
  to: Date,
): Array<{ window: MaintenanceWindow; from: Date; to: Date }> {
  return windows
    .filter((w) => scopeCovers(w.scope, check))
    .map((w) => ({
      window: w,
      from: new Date(Math.max(from.getTime(), new Date(w.startsAt).getTime())),
      to: new Date(Math.min(to.getTime(), effectiveEnd(w).getTime())),
    }))
    .filter((s) => s.to > s.from);
}

/** Milliseconds of [from, to) covered by at least one of the spans (overlapping windows counted once). */
export function unionMs(spans: Array<{ from: Date; to: Date }>): number {
  const sorted = spans.map((s) => [s.from.getTime(), s.to.getTime()] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cur: [number, number] | undefined;
  for (const [a, b] of sorted) {
    if (cur && a <= cur[1]) cur[1] = Math.max(cur[1], b);
    else {
      if (cur) total += cur[1] - cur[0];
      cur = [a, b];
    }
  }
  return total + (cur ? cur[1] - cur[0] : 0);
}

/** What adding or ending a window needs of the store (not the EvidenceStore class: store.ts → results.ts imports this file). */
export interface MaintenanceStore {
  readonly db: EvidenceDb;
  readonly kind: BackendKind;
}

export async function addMaintenance(store: MaintenanceStore, w: MaintenanceInput, now = new Date()): Promise<MaintenanceWindow> {
  return store.db.transaction(async (tx) => {
    const problems = validateMaintenance(w, now, await checksInForce(tx));
    if (problems.length) throw invalid('maintenance window', problems);
    const [{ id }] = await tx.query<{ id: number }>(`SELECT coalesce(max(window_id), 0) + 1 AS id FROM evidence_maintenance`);
    const window: MaintenanceWindow = {
      id,
      scope: { kind: w.scope.kind, value: w.scope.kind === 'all' ? null : w.scope.value },
      startsAt: w.startsAt.toISOString(),
      endsAt: w.endsAt.toISOString(),
      reason: w.reason,
      by: w.by,
      createdBy: w.createdBy ?? null,
      createdAt: now.toISOString(),
      writtenBy: await writerOf(tx, store.kind),
      ...(w.signature ? { signature: w.signature } : {}),
    };
    await appendRecord(tx, 'evidence_maintenance', MAINTENANCE_STREAM, canonicalJson({ action: 'add', ...window }), {
      action: 'add',
      window_id: window.id,
      scope_kind: window.scope.kind,
      scope_value: window.scope.value,
      starts_at: w.startsAt,
      ends_at: w.endsAt,
    });
    return window;
  });
}

/** Ends a window now (it must still be open); the end is its own chained record. */
export async function endMaintenance(
  store: MaintenanceStore,
  e: { windowId: number; by: string; at?: Date; signature?: OperatorSignature },
  now = new Date(),
): Promise<MaintenanceWindow> {
  return store.db.transaction(async (tx) => {
    const at = e.at ?? now;
    const problems = [...textProblems('by', e.by, true), ...dateProblems('at', at, true)];
    if (!Number.isSafeInteger(e.windowId) || e.windowId < 1)
      problems.push(`window id "${String(e.windowId)}" is not a positive whole number`);
    if (!problems.length && Math.abs(at.getTime() - now.getTime()) > PAST_TOLERANCE_MS)
      problems.push(`at ${at.toISOString()} is not now: a window ends when it is ended`);
    if (problems.length) throw invalid('maintenance end', problems);
    const [w] = fold(await tx.query<Row>(`SELECT action, body FROM evidence_maintenance WHERE window_id = $1 ORDER BY seq`, [e.windowId]));
    if (!w) throw invalid('maintenance end', [`no maintenance window ${e.windowId}`]);
    if (w.ended) throw invalid('maintenance end', [`window ${w.id} was already ended at ${w.ended.at} by ${w.ended.by}`]);
    if (effectiveEnd(w) <= at) throw invalid('maintenance end', [`window ${w.id} is already over (it ended at ${w.endsAt})`]);
    if (e.signature) {
      const bad = signatureProblem(maintenanceEndStatement({ windowId: w.id, at, by: e.by }), e.signature);
      if (bad) throw invalid('maintenance end', [`signature: ${bad}`]);
    }
    // Ending a window before it started cancels it (its effective end is then before its start: it covers nothing).
    // The end is stored as given, so an operator's signature over it still verifies.
    const endAt = at;
    const writtenBy = await writerOf(tx, store.kind);
    const body = {
      action: 'end',
      windowId: w.id,
      at: endAt.toISOString(),
      by: e.by,
      createdAt: now.toISOString(),
      writtenBy,
      ...(e.signature ? { signature: e.signature } : {}),
    };
    await appendRecord(tx, 'evidence_maintenance', MAINTENANCE_STREAM, canonicalJson(body), {
      action: 'end',
      window_id: w.id,
      scope_kind: w.scope.kind,
      scope_value: w.scope.value,
      starts_at: null,
      ends_at: endAt,
    });
    w.ended = { at: endAt.toISOString(), by: e.by, writtenBy, ...(e.signature ? { signature: e.signature } : {}) };
    return w;
  });
}

/** Every window, newest first; `activeAt` keeps only those in force then. Bounded by `limit`. */
export async function listMaintenance(db: Queryable, o: { activeAt?: Date; limit?: number } = {}): Promise<MaintenanceWindow[]> {
  const rows = await db.query<Row>(`SELECT action, body FROM evidence_maintenance ORDER BY seq`);
  let all = fold(rows).reverse();
  if (o.activeAt) {
    const t = o.activeAt.getTime();
    all = all.filter((w) => new Date(w.startsAt).getTime() <= t && t < effectiveEnd(w).getTime());
  }
  return all.slice(0, o.limit ?? 1000);
}

/** The ids of the checks in maintenance at `at`: what `pengawas_check_in_maintenance` exports. */
export async function checksInMaintenance(db: Queryable, checks: Covered[], at: Date): Promise<Set<string>> {
  const windows = await maintenanceForPeriod(db, at, new Date(at.getTime() + 1));
  return new Set(checks.filter((c) => windowAt(windows, c, at)).map((c) => c.id));
}

/** Narrows a parsed value to a Scope: a known kind and a string or null value. */
export function isScope(s: Record<string, unknown>): s is Record<string, unknown> & Scope {
  return SCOPE_KINDS.some((k) => k === s.kind) && (s.value === null || typeof s.value === 'string');
}
