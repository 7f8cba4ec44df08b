/**
 * The monitor's own sessions, hash-chained in the `#lifecycle` stream: each recorder writes `started` when it
 * opens the store and `stopped` when it closes it cleanly. A month's pack reads them to tell a gap in monitoring
 * (no results because pengawas was not running) from an unexplained one, so an hour with the monitor off is never
 * shown as an hour of passing. A `started` without a `stopped` before it means the previous session ended without
 * closing the store (a crash or a kill): its end is taken as the last result recorded before the restart.
 */
import { hostname } from 'node:os';
import { appendRecord } from './chain';
import type { EvidenceDb, Queryable } from './db/types';
import { canonicalJson } from './hash';
import { addDays, dayOf } from './tz';

export const LIFECYCLE_STREAM = '#lifecycle';
/** Sessions here; Redis outages and lost results share the stream (see outages.ts). */
export type LifecycleEvent = 'started' | 'stopped';

export interface LifecycleRecord {
  event: LifecycleEvent;
  at: string;
  host: string;
  pid: number;
}

export async function recordLifecycle(
  db: EvidenceDb,
  event: LifecycleEvent,
  at = new Date(),
  who = { host: hostname(), pid: process.pid },
): Promise<void> {
  const record: LifecycleRecord = { event, at: at.toISOString(), ...who };
  await db.transaction((tx) => appendRecord(tx, 'evidence_lifecycle', LIFECYCLE_STREAM, canonicalJson(record), { event, at }));
}

/** A span when no recorder of this store was running. */
export interface MonitorDown {
  from: Date;
  to: Date;
  /** `stopped`: a clean stop was recorded; `not_closed`: the session before ended without one (crash, kill). */
  kind: 'stopped' | 'not_closed';
}

/**
 * Spans without a running recorder that overlap [from, to). Sessions are keyed by host and process id; the store
 * is "down" while no session is open. A new session on a host whose earlier session never closed ends that one
 * (`not_closed`) at the last result recorded before the restart. (A recorder that dies on a host where none
 * restarts stays counted as open: with several recorders, only the others' stops and restarts bound the gap.)
 */
export async function monitorDownSpans(db: Queryable, from: Date, to: Date, tz: string): Promise<MonitorDown[]> {
  const rows = await db.query<{ body: string }>(
    `SELECT body FROM evidence_lifecycle WHERE stream = $1 AND event IN ('started', 'stopped') ORDER BY seq`,
    [LIFECYCLE_STREAM],
  );
  const open = new Set<string>();
  const spans: MonitorDown[] = [];
  let downSince: { at: number; kind: MonitorDown['kind'] } | null = null;
  for (const e of rows.map((r) => JSON.parse(r.body) as LifecycleRecord)) {
    const at = Date.parse(e.at);
    if (e.event === 'started') {
      const stale = [...open].filter((k) => k.startsWith(`${e.host}/`));
      for (const k of stale) open.delete(k);
      if (stale.length && open.size === 0) downSince = { at: (await lastResultBefore(db, new Date(at), tz)) ?? at, kind: 'not_closed' };
      if (open.size === 0 && downSince && downSince.at < at)
        spans.push({ from: new Date(downSince.at), to: new Date(at), kind: downSince.kind });
      downSince = null;
      open.add(`${e.host}/${e.pid}`);
    } else {
      open.delete(`${e.host}/${e.pid}`);
      if (open.size === 0) downSince = { at, kind: 'stopped' };
    }
  }
  if (downSince && downSince.at < to.getTime()) spans.push({ from: new Date(downSince.at), to, kind: downSince.kind });
  return spans
    .filter((s) => s.to > from && s.from < to)
    .map((s) => ({ ...s, from: s.from < from ? from : s.from, to: s.to > to ? to : s.to }));
}

/** When the last result before `at` started, looking back two days (by `day`, which is indexed). */
async function lastResultBefore(db: Queryable, at: Date, tz: string): Promise<number | null> {
  const today = dayOf(at, tz);
  const [row] = await db.query<{ t: unknown }>(
    `SELECT max(started_at) AS t FROM evidence_results WHERE day >= $1 AND day <= $2 AND started_at < $3`,
    [addDays(today, -2), today, at],
  );
  return row?.t ? new Date(row.t as string).getTime() : null;
}
