/**
 * Health of the results path: Redis reachability, rejected (unauthenticated) and dropped (never recorded)
 * results, jobs handed back and slots that expired unrun, and when a result was last recorded.
 * Global series only: their cardinality does not grow with the number of checks.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { GAP_REASONS } from '../results/gaps';

export interface RedisProbe {
  /** ioredis connection state: 'ready' when commands go through. */
  readonly status: string;
  ping(): Promise<unknown>;
}

export class ResultsMetrics {
  readonly redisUp: Gauge;
  readonly rejected: Counter<'reason'>;
  readonly dropped: Counter<'reason'>;
  readonly handedBack: Counter<'reason'>;
  readonly slotsExpired: Counter<'reason'>;
  readonly lastRecorded: Gauge;
  readonly gapsRecorded: Counter<'reason'>;
  readonly gapsRejected: Counter<'reason'>;
  readonly streamEntries: Gauge;
  private redis?: RedisProbe;

  constructor(registry: Registry) {
    const registers = [registry];
    const probe = () => this.redis;
    this.redisUp = new Gauge({
      name: 'pengawas_redis_up',
      help: '1 if this process reaches Redis (connection ready and PING answered within 1 s), 0 otherwise',
      registers,
      async collect() {
        const r = probe();
        if (!r) return;
        this.set((await redisAnswers(r)) ? 1 : 0);
      },
    });
    this.rejected = new Counter({
      name: 'pengawas_results_rejected_total',
      help: 'Results stream entries rejected before recording (no or bad MAC, unknown key id, not a result); they are dead-lettered',
      labelNames: ['reason'],
      registers,
    });
    this.dropped = new Counter({
      name: 'pengawas_results_dropped_total',
      help: 'Authentic results never recorded (waited longer than the results retention); each is logged and listed in the gaps stream',
      labelNames: ['reason'],
      registers,
    });
    this.handedBack = new Counter({
      name: 'pengawas_jobs_handed_back_total',
      help: 'Check jobs this worker handed back to run later (check unknown to it, or results stream at its cap)',
      labelNames: ['reason'],
      registers,
    });
    this.slotsExpired = new Counter({
      name: 'pengawas_slots_expired_total',
      help: 'Scheduled slots that expired unrun: handed back by workers until their claim ran out, shed by the scheduler (queue_full), or missed while it stalled (scheduler_stalled); each is listed in the gaps stream',
      labelNames: ['reason'],
      registers,
    });
    this.lastRecorded = new Gauge({
      name: 'pengawas_last_result_recorded_timestamp_seconds',
      help: 'When this recorder last recorded a result (unix seconds); absent until the first one',
      registers,
    });
    this.gapsRecorded = new Counter({
      name: 'pengawas_gaps_recorded_total',
      help: 'Authentic reports of lost results (gaps stream) this recorder passed to the evidence store, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.gapsRejected = new Counter({
      name: 'pengawas_gaps_rejected_total',
      help: 'Gaps stream entries rejected (no or bad MAC, unknown key id, not a gap report); their cause is not recorded',
      labelNames: ['reason'],
      registers,
    });
    // Zero from the start, so Prometheus's increase() sees the first event too.
    for (const reason of ['unsigned', 'unknown_key', 'bad_mac', 'invalid']) this.rejected.inc({ reason }, 0);
    this.dropped.inc({ reason: 'expired' }, 0);
    for (const reason of GAP_REASONS) this.gapsRecorded.inc({ reason }, 0);
    for (const reason of ['unsigned', 'unknown_key', 'bad_mac', 'invalid']) this.gapsRejected.inc({ reason }, 0);
    for (const reason of ['unknown_check', 'results_backlog']) this.handedBack.inc({ reason }, 0);
    // Every reason a slot can expire unrun for (all gap reasons but a result dropped as `expired`).
    for (const reason of GAP_REASONS) if (reason !== 'expired') this.slotsExpired.inc({ reason }, 0);
    this.streamEntries = new Gauge({
      name: 'pengawas_results_stream_entries',
      help: 'Entries on the results stream (unrecorded and not yet trimmed); workers hand jobs back at results.maxLength',
      registers,
    });
  }

  /** The connection whose state and PING `pengawas_redis_up` reports. */
  watchRedis(redis: RedisProbe): void {
    this.redis = redis;
  }
}

async function redisAnswers(r: RedisProbe): Promise<boolean> {
  // A connection that is not ready would queue the PING until Redis is back: answer 0 at once instead.
  if (r.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), 1000)));
  try {
    return await Promise.race([
      r.ping().then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
