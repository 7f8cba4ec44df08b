/**
 * A recorder that stores nothing (evidence disabled) beside one that stores evidence, on real Redis: before this
 * existed, the two shared the results consumer group and the one without evidence acknowledged about half the
 * results without storing them, so a mixed configuration silently lost evidence. Counted here: every published
 * result reaches the storing recorder exactly once — while both run, while the storing one is stopped (nothing is
 * acknowledged away in between) and when the mark appears between a read and its acknowledgement — and a recorder
 * that stores nothing consumes the group again once no storing recorder has run within the retention.
 */
import { Metrics } from '../../../src/metrics/definitions';
import { Recorder } from '../../../src/recorder/recorder';
import type { ProbeResult } from '../../../src/results/contract';
import { Keyring } from '../../../src/results/keyring';
import type { ResultSink } from '../../../src/results/sink';
import { ResultStream } from '../../../src/results/stream';
import { sleep, waitFor } from '../../helpers/net';
import { dropPrefix, redisConnections, testPrefix } from '../../helpers/redis';

function result(checkId: string, slot: number): ProbeResult {
  const at = new Date(slot).toISOString();
  return {
    ...{ id: `${checkId}@${at}`, checkId, type: 'http', element: 'efficiency', target: 'http://x', status: 'pass' },
    ...{ scheduledAt: at, startedAt: at, durationMs: 5, attempt: 1, findings: [], measurements: {} },
  };
}

describe('a recorder without evidence beside one with evidence', () => {
  const keyring = Keyring.ephemeral();
  const { conn, closeAll } = redisConnections();
  const prefixes: string[] = [];
  const recorders: Recorder[] = [];
  afterAll(async () => {
    await Promise.all(recorders.map((r) => r.stop()));
    closeAll();
    for (const p of prefixes) await dropPrefix(p);
  });

  const bed = (name: string, retentionMs = 3_600_000) => {
    const prefix = testPrefix(name);
    prefixes.push(prefix);
    const admin = conn();
    const publisher = new ResultStream(admin, prefix, { keyring });
    let n = 0;
    const base = Date.now() - 10_000;
    const publish = async (count: number) => {
      for (let i = 0; i < count; i++) await publisher.publish(result(`c${n % 7}`, base + n++));
    };
    const recorder = (sinks: ResultSink[]) => {
      const c = conn();
      const r = new Recorder({
        redis: c,
        prefix,
        stream: new ResultStream(c, prefix, { keyring }),
        metrics: new Metrics({ defaultMetrics: false }),
        sinks,
        getCheck: () => undefined,
        claimIdleMs: 500,
        retentionMs,
        batch: 16,
        blockMs: 100,
        trimEveryMs: 200,
      });
      recorders.push(r);
      return r;
    };
    const stored: string[] = [];
    const evidence: ResultSink = { name: 'evidence', write: async (r) => void stored.push(r.id) };
    /** Entries not yet acknowledged by anyone: pending plus never delivered. */
    const unacknowledged = async () => {
      const groups = (await admin.xinfo('GROUPS', publisher.key)) as unknown[][];
      const g = groups[0];
      return Number(g[g.indexOf('pending') + 1]) + Number(g[g.indexOf('lag') + 1]);
    };
    return { prefix, publisher, publish, recorder, stored, evidence, unacknowledged, published: () => n };
  };

  it('leaves every result to the storing recorder, also while that one is stopped', async () => {
    const b = bed('mixed-rec');
    const storing = b.recorder([b.evidence]);
    const metricsOnly = b.recorder([]);
    await storing.start();
    await metricsOnly.start();
    await b.publish(300);
    await waitFor(async () => (b.stored.length >= 300 && (await b.unacknowledged()) === 0 ? true : undefined), 20_000);
    expect(new Set(b.stored).size).toBe(300);

    // The storing recorder stops (a restart, a deploy): the other acknowledges nothing meanwhile.
    await storing.stop();
    await b.publish(120);
    await sleep(1500);
    expect(await b.unacknowledged()).toBe(120);

    const again = b.recorder([b.evidence]);
    await again.start();
    await waitFor(async () => (b.stored.length >= 420 && (await b.unacknowledged()) === 0 ? true : undefined), 20_000);
    await Promise.all([again.stop(), metricsOnly.stop()]);
    expect(b.stored).toHaveLength(420);
    expect(new Set(b.stored).size).toBe(420);
  });

  it('does not acknowledge what it read once a storing recorder has claimed the group; that one records it', async () => {
    const b = bed('mixed-race');
    const metricsOnly = b.recorder([]);
    // Read as the recorder that stores nothing would, before any storing recorder ran (nobody to leave them to).
    await b.publish(40);
    const reading = new ResultStream(conn(), b.prefix, { keyring });
    await reading.ensureGroup();
    const read = await reading.read(metricsOnly.consumer, 100, 100);
    expect(read).toHaveLength(40);
    // A storing recorder starts between that read and the acknowledgement.
    const storing = b.recorder([b.evidence]);
    await storing.start();
    await metricsOnly.handle(read);
    await waitFor(async () => (b.stored.length >= 40 && (await b.unacknowledged()) === 0 ? true : undefined), 20_000);
    await Promise.all([storing.stop(), metricsOnly.stop()]);
    expect(b.stored).toHaveLength(40);
    expect(new Set(b.stored).size).toBe(40);
  });

  it('consumes the group itself once no storing recorder ran within the retention (no evidence anywhere)', async () => {
    const b = bed('mixed-expire', 1500);
    const storing = b.recorder([b.evidence]);
    await storing.start();
    await storing.stop();
    const metricsOnly = b.recorder([]);
    await metricsOnly.start();
    await sleep(2000); // the storing recorder's mark (PX = retention) has expired
    await b.publish(30);
    await waitFor(async () => ((await b.unacknowledged()) === 0 ? true : undefined), 20_000);
    await metricsOnly.stop();
    expect(b.stored).toHaveLength(0);
  });
});
