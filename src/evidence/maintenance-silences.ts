/**
 * The Alertmanager silence made for a maintenance window, as evidence: `created` (its id, the Alertmanager it lives
 * in, the matchers) when `maintenance add` made it, `expired` when `maintenance end` expired it. Chained in the
 * `#maintenance-silences` stream, apart from `#maintenance` (whose readers take any record but `add` as an end).
 * The window stays the record of truth: a silence that could not be made leaves no record here, and the window
 * still silences through `pengawas_check_in_maintenance`.
 */
import { appendRecord } from './chain';
import type { BackendKind, EvidenceDb, Queryable } from './db/types';
import { canonicalJson } from './hash';
import { invalid, writerOf, type WrittenBy } from './record-checks';

export const SILENCES_STREAM = '#maintenance-silences';
export const SILENCE_ACTIONS = ['created', 'expired'] as const;
export type SilenceAction = (typeof SILENCE_ACTIONS)[number];
/** Alertmanager's silence ids are UUIDs; anything of this shape is accepted, nothing longer. */
export const SILENCE_ID = /^[A-Za-z0-9-]{1,100}$/;

/** One matcher of an Alertmanager v2 silence. */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface SilenceInput {
  windowId: number;
  action: SilenceAction;
  silenceId: string;
  /** The Alertmanager's base URL (no credentials). */
  alertmanager: string;
  /** `created` only: the matchers sent. */
  matchers?: SilenceMatcher[];
}

/** What a window's listing shows of its silence. */
export interface WindowSilence {
  id: string;
  alertmanager: string;
  matchers: SilenceMatcher[];
  createdAt: string;
  expiredAt?: string;
}

export async function recordSilence(
  store: { readonly db: EvidenceDb; readonly kind: BackendKind },
  s: SilenceInput,
  now = new Date(),
): Promise<void> {
  await store.db.transaction(async (tx) => {
    const problems: string[] = [];
    if (!/^https?:\/\/[^\s@]{1,2000}$/.test(s.alertmanager))
      problems.push(`alertmanager "${s.alertmanager.slice(0, 120)}" is not an http(s) URL without credentials`);
    if (!SILENCE_ID.test(s.silenceId)) problems.push(`silenceId "${s.silenceId.slice(0, 120)}" is not an Alertmanager silence id`);
    if (!(SILENCE_ACTIONS as readonly string[]).includes(s.action))
      problems.push(`action "${s.action}" is not one of ${SILENCE_ACTIONS.join(', ')}`);
    const [w] = await tx.query(`SELECT 1 AS x FROM evidence_maintenance WHERE action = 'add' AND window_id = $1`, [s.windowId]);
    if (!w) problems.push(`no maintenance window ${s.windowId}`);
    if (problems.length) throw invalid('maintenance silence', problems);
    const writtenBy: WrittenBy = await writerOf(tx, store.kind);
    const body = {
      action: s.action,
      windowId: s.windowId,
      silenceId: s.silenceId,
      alertmanager: s.alertmanager,
      ...(s.matchers ? { matchers: s.matchers } : {}),
      at: now.toISOString(),
      writtenBy,
    };
    await appendRecord(tx, 'evidence_maintenance_silences', SILENCES_STREAM, canonicalJson(body), {
      action: s.action,
      window_id: s.windowId,
      silence_id: s.silenceId,
      at: now,
    });
  });
}

/** The silence of each window that has one (the last `created`, with its expiry if recorded). */
export async function silencesOf(db: Queryable, windowIds: number[]): Promise<Map<number, WindowSilence>> {
  const out = new Map<number, WindowSilence>();
  if (!windowIds.length) return out;
  const ids = windowIds.filter((id) => Number.isSafeInteger(id)).join(', ');
  const rows = await db.query<{ body: string }>(`SELECT body FROM evidence_maintenance_silences WHERE window_id IN (${ids}) ORDER BY seq`);
  for (const r of rows) {
    const b = JSON.parse(r.body) as SilenceInput & { at: string };
    if (b.action === 'created')
      out.set(b.windowId, { id: b.silenceId, alertmanager: b.alertmanager, matchers: b.matchers ?? [], createdAt: b.at });
    else {
      const s = out.get(b.windowId);
      if (s && s.id === b.silenceId) s.expiredAt = b.at;
    }
  }
  return out;
}
