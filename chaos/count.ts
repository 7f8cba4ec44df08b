/**
 * Counting for the chaos run, from the evidence store itself (opened through pengawas's own store layer): the
 * slots each check's schedule called for in a phase (the scheduler's own slot function), the results recorded
 * for those slots, what is lost (expected, not recorded) and duplicated (two rows for one check and slot), and
 * how long after the fault was healed the first new result was recorded.
 */
import { nextEverySlot } from '../src/config/schedule';
import { EvidenceStore } from '../src/evidence/store';

export interface PhaseCount {
  fault: string;
  from: number;
  healedAt: number;
  to: number;
  checks?: number;
  expected?: number;
  recorded?: number;
  lost?: number;
  duplicated?: number;
  /** ms from the end of the fault to the first result recorded after it; null when none came. */
  recoveryMs?: number | null;
  note?: string;
}

function slots(checkId: string, everyMs: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = nextEverySlot(checkId, everyMs, from - 1); t < to; t += everyMs) out.push(t);
  return out;
}

export async function countPhase(store: EvidenceStore, p: PhaseCount, ids: string[], everyMs: number): Promise<PhaseCount> {
  const rows = await store.db.query<{ stream: string; scheduled_at: unknown }>(
    `SELECT stream, scheduled_at FROM evidence_results WHERE scheduled_at >= $1 AND scheduled_at < $2`,
    [new Date(p.from), new Date(p.to)],
  );
  const seen = new Map<string, number>();
  for (const r of rows)
    if (ids.includes(r.stream)) {
      const k = `${r.stream}@${new Date(r.scheduled_at as string).getTime()}`;
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
  let expected = 0;
  let lost = 0;
  for (const id of ids) {
    for (const t of slots(id, everyMs, p.from, p.to)) {
      expected += 1;
      if (!seen.has(`${id}@${t}`)) lost += 1;
    }
  }
  const recorded = [...seen.values()].reduce((a, b) => a + b, 0);
  const duplicated = [...seen.values()].reduce((a, n) => a + (n - 1), 0);
  const [first] = await store.db.query<{ t: unknown }>(
    `SELECT min(started_at) AS t FROM evidence_results WHERE started_at >= $1 AND stream = $2`,
    [new Date(p.healedAt), ids[0]],
  );
  const recoveryMs = first?.t ? new Date(first.t as string).getTime() - p.healedAt : null;
  return { ...p, checks: ids.length, expected, recorded, lost, duplicated, recoveryMs };
}

/** Every phase over the healthy checks, and one row for the hostile targets over the whole run. */
export async function countSlots(
  databaseUrl: string | undefined,
  dataDir: string,
  phases: PhaseCount[],
  o: { every: number; hostilePrefix: string; ids?: string[] },
): Promise<PhaseCount[]> {
  const store = await EvidenceStore.open({ dataDir, databaseUrl });
  try {
    const all =
      o.ids ??
      (await store.db.query<{ stream: string }>(`SELECT DISTINCT stream FROM evidence_results`))
        .map((r) => r.stream)
        .filter((s) => !s.startsWith('#'));
    const healthy = all.filter((s) => !s.startsWith(o.hostilePrefix)).sort();
    const hostile = all.filter((s) => s.startsWith(o.hostilePrefix)).sort();
    const out: PhaseCount[] = [];
    for (const p of phases) out.push(await countPhase(store, p, healthy, o.every * 1000));
    if (hostile.length && phases.length) {
      const whole = {
        fault: `hostile targets (${hostile.join(', ')}), whole run`,
        from: phases[0].from,
        healedAt: phases[0].from,
        to: phases[phases.length - 1].to,
      };
      const byStatus = await store.db.query<{ stream: string; status: string; n: unknown }>(
        `SELECT stream, status, count(*) AS n FROM evidence_results WHERE scheduled_at >= $1 AND scheduled_at < $2 AND stream LIKE $3 GROUP BY stream, status ORDER BY stream, status`,
        [new Date(whole.from), new Date(whole.to), `${o.hostilePrefix}%`],
      );
      const note = `recorded by status: ${byStatus.map((r) => `${r.stream} ${r.status} ${Number(r.n)}`).join(', ')}`;
      out.push({ ...(await countPhase(store, whole, hostile, o.every * 1000)), recoveryMs: undefined, note });
    }
    return out;
  } finally {
    await store.close();
  }
}

/**
 * Waits until every result of slots before `until` that is coming has reached the store: the count of such rows
 * has not changed for `quietMs` (a recorder backing off after an outage retries within 30 s), at most `maxMs`.
 * Counting earlier would report results that are late (still pending in Redis) as lost.
 */
export async function settle(
  databaseUrl: string | undefined,
  dataDir: string,
  until: number,
  quietMs = 35_000,
  maxMs = 150_000,
): Promise<void> {
  const t0 = Date.now();
  let last = -1;
  let since = Date.now();
  while (Date.now() - t0 < maxMs) {
    const store = await EvidenceStore.open({ dataDir, databaseUrl });
    try {
      const [row] = await store.db.query<{ n: unknown }>(`SELECT count(*) AS n FROM evidence_results WHERE scheduled_at < $1`, [
        new Date(until),
      ]);
      const n = Number(row.n);
      if (n !== last) {
        last = n;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) return;
    } catch {
      // the store may still be coming back
    } finally {
      await store.close();
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
