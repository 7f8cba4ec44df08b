/**
 * Authenticated results, attacked the way someone with only Redis access would: raw XADDs of a forged `pass`,
 * a captured entry with one field altered, a replay of a valid entry, an entry re-labelled with another key id.
 * None may reach metrics or the sinks; each rejection is dead-lettered and counted.
 */
import { createHmac } from 'node:crypto';
import IORedis from 'ioredis';
import { settingsSchema } from '../../../src/config/settings';
import { ConfigError } from '../../../src/errors';
import { Metrics } from '../../../src/metrics/definitions';
import { Recorder } from '../../../src/recorder/recorder';
import type { ProbeResult } from '../../../src/results/contract';
import { readGaps } from '../../../src/results/gaps';
import { keyringFor } from '../../../src/results/keyring';
import { ResultStream } from '../../../src/results/stream';
import { sample } from '../../helpers/monitor';
import { waitFor } from '../../helpers/net';
import { dropPrefix, REDIS_URL, testPrefix } from '../../helpers/redis';

const KEY = 'a'.repeat(16) + '0123456789abcdef0123456789abcdef';
const env = { RESULTS_KEY_TEST: KEY, OTHER_KEY_TEST: 'b'.repeat(40), SHORT_KEY_TEST: 'short' };
const results = (keys: Record<string, string>, extra: Record<string, unknown> = {}) =>
  settingsSchema.parse({ results: { keys, ...extra } }).results;

function result(checkId: string, at: number, status: ProbeResult['status']): ProbeResult {
  const iso = new Date(at).toISOString();
  return {
    id: `${checkId}@${iso}`,
    checkId,
    type: 'http',
    element: 'security',
    target: 'http://127.0.0.1:1/',
    status,
    scheduledAt: iso,
    startedAt: iso,
    durationMs: 3,
    attempt: 1,
    findings: [],
    measurements: {},
  };
}

describe('authenticated results on the stream', () => {
  const prefix = testPrefix('auth');
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const recConn = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  const worker = keyringFor(results({ main: '${env:RESULTS_KEY_TEST}' }), { signs: true, verifies: false }, env)!;
  const verifier = keyringFor(
    results({ main: '${env:RESULTS_KEY_TEST}', other: '${env:OTHER_KEY_TEST}' }),
    { signs: false, verifies: true },
    env,
  )!;
  const publisher = new ResultStream(redis, prefix, { keyring: worker });
  const metrics = new Metrics({ defaultMetrics: false });
  const written: string[] = [];
  const recorder = new Recorder({
    redis: recConn,
    prefix,
    stream: new ResultStream(recConn, prefix, { keyring: verifier }),
    metrics,
    sinks: [{ name: 'collect', write: async (r) => void written.push(`${r.id} ${r.status}`) }],
    getCheck: () => undefined,
    claimIdleMs: 1000,
    blockMs: 100,
    retentionMs: 3_600_000,
  });

  beforeAll(() => recorder.start());
  afterAll(async () => {
    await recorder.stop();
    await dropPrefix(prefix);
    redis.disconnect();
    recConn.disconnect();
  });

  // Everything added so far was delivered to the group and acknowledged.
  const settle = () =>
    waitFor(async () => {
      const stream = (await redis.xinfo('STREAM', publisher.key)) as unknown[];
      const group = (await redis.xinfo('GROUPS', publisher.key)) as unknown[][];
      const last = stream[stream.indexOf('last-generated-id') + 1];
      const delivered = group[0][group[0].indexOf('last-delivered-id') + 1];
      return last === delivered && (await redis.xpending(publisher.key, 'recorders'))[0] === 0;
    }, 10_000);
  const text = () => metrics.registry.metrics();

  it('records a signed result; a forged unsigned `pass`, a re-keyed and an altered entry are dead-lettered and counted', async () => {
    const t = Date.now() - 5000;
    await publisher.publish(result('pay-api', t, 'fail'));
    const [[, fields]] = await redis.xrange(publisher.key, '-', '+');
    const f: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) f[fields[i]] = fields[i + 1];
    expect(Object.keys(f).sort()).toEqual(['k', 'm', 'r']);

    // 1. A forged pass for another slot, no MAC at all.
    await redis.xadd(publisher.key, '*', 'r', JSON.stringify(result('pay-api', t + 1000, 'pass')));
    // 2. The captured entry with its status altered from fail to pass, MAC kept.
    await redis.xadd(publisher.key, '*', 'r', f.r.replace('"status":"fail"', '"status":"pass"'), 'k', f.k, 'm', f.m);
    // 3. The same bytes and MAC, claimed to be under the recorder's other key.
    await redis.xadd(publisher.key, '*', 'r', f.r, 'k', 'other', 'm', f.m);
    // 4. An attacker's own HMAC under a key id nobody has.
    const forged = JSON.stringify(result('pay-api', t + 2000, 'pass'));
    await redis.xadd(
      publisher.key,
      '*',
      'r',
      forged,
      'k',
      'attacker',
      'm',
      createHmac('sha256', 'x'.repeat(32)).update(forged).digest('hex'),
    );
    // 5. A MAC that is not even hex.
    await redis.xadd(publisher.key, '*', 'r', forged, 'k', 'main', 'm', 'zz');
    await settle();

    expect(written).toEqual([`pay-api@${new Date(t).toISOString()} fail`]);
    const m = await text();
    expect(sample(m, 'pengawas_check_runs_total{check="pay-api",element="security",type="http",result="fail"}')).toBe(1);
    expect(m).not.toMatch(/pengawas_check_runs_total\{[^}]*result="pass"\} [1-9]/);
    expect(sample(m, 'pengawas_check_status{check="pay-api",element="security",type="http"}')).toBe(0);
    expect(sample(m, 'pengawas_results_rejected_total{reason="unsigned"}')).toBe(1);
    expect(sample(m, 'pengawas_results_rejected_total{reason="bad_mac"}')).toBe(3);
    expect(sample(m, 'pengawas_results_rejected_total{reason="unknown_key"}')).toBe(1);
    const dead = await redis.xrange(publisher.deadKey, '-', '+');
    expect(dead.map(([, d]) => d[3])).toEqual(['unsigned', 'bad_mac', 'bad_mac', 'unknown_key', 'bad_mac']);
  });

  it('a valid entry replayed (same batch and later) is recorded once', async () => {
    const t = Date.now() - 3000;
    await publisher.publish(result('replayed', t, 'pass'));
    const all = await redis.xrange(publisher.key, '-', '+');
    const fields = all[all.length - 1][1];
    await redis.xadd(publisher.key, '*', ...fields); // at once: likely in the same read batch
    await settle();
    await redis.xadd(publisher.key, '*', ...fields); // later: a separate batch
    await settle();
    expect(written.filter((w) => w.startsWith('replayed@'))).toHaveLength(1);
    // The recorder counts a batch once its MULTI (with the XACK) has committed, so the counter can trail the
    // acknowledgement settle() waits for by a turn of the event loop: wait for it, then judge exact values.
    const dup = 'pengawas_recorder_results_total{outcome="duplicate"}';
    await waitFor(async () => (sample(await text(), dup) ?? 0) >= 2, 10_000).catch(() => undefined);
    const m = await text();
    expect(sample(m, 'pengawas_check_runs_total{check="replayed",element="security",type="http",result="pass"}')).toBe(1);
    expect(sample(m, dup)).toBe(2);
  });

  it('an authentic result older than the retention is dropped as a gap, not recorded (a replay past its marker)', async () => {
    const old = Date.now() - 2 * 3_600_000;
    await publisher.publish(result('ancient', old, 'pass'));
    await settle();
    expect(written.some((w) => w.startsWith('ancient@'))).toBe(false);
    expect(sample(await text(), 'pengawas_results_dropped_total{reason="expired"}')).toBe(1);
    const gaps = await readGaps(redis, prefix);
    expect(gaps.map((g) => [g.id, g.reason])).toEqual([[`ancient@${new Date(old).toISOString()}`, 'expired']]);
  });

  it('the key never reaches Redis', async () => {
    let dump = '';
    for (const k of await redis.keys(`${prefix}*`)) {
      const type = await redis.type(k);
      if (type === 'stream') dump += JSON.stringify(await redis.xrange(k, '-', '+'));
      else if (type === 'hash') dump += JSON.stringify(await redis.hgetall(k));
      else if (type === 'string') dump += await redis.get(k);
    }
    expect(dump.length).toBeGreaterThan(100);
    expect(dump).not.toContain(KEY);
    expect(dump).not.toContain(Buffer.from(KEY).toString('hex'));
  });
});

describe('results keys from settings', () => {
  const err = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('a split worker or recorder without a key refuses to start, naming the setting; all roles in one get a random key', () => {
    expect(err(() => keyringFor(results({}), { signs: true, verifies: false }, env))).toMatch(
      /results\.keys: a separate worker needs the results key.*pengawas run/,
    );
    expect(err(() => keyringFor(results({}), { signs: false, verifies: true }, env))).toMatch(/separate recorder/);
    const a = keyringFor(results({}), { signs: true, verifies: true }, env)!;
    const b = keyringFor(results({}), { signs: true, verifies: true }, env)!;
    expect(a.ephemeral).toBe(true);
    const { kid, mac } = a.sign('x');
    expect(a.verify(kid, 'x', mac)).toBe('ok');
    expect(b.verify(kid, 'x', mac)).not.toBe('ok');
    expect(keyringFor(results({}), { signs: false, verifies: false }, env)).toBeUndefined();
  });

  it('rejects a literal key, an unset or short key, and an ambiguous or unknown signWith', () => {
    expect(() => results({ main: KEY })).toThrow(/\$\{env:NAME\} or \$\{file:PATH\} reference/);
    expect(err(() => keyringFor(results({ main: '${env:NOT_SET_ANYWHERE}' }), { signs: true, verifies: false }, env))).toMatch(
      /results\.keys\.main: environment variable NOT_SET_ANYWHERE is not set/,
    );
    expect(err(() => keyringFor(results({ main: '${file:/nonexistent/results.key}' }), { signs: true, verifies: false }, env))).toMatch(
      /results\.keys\.main: secret file \/nonexistent\/results.key cannot be read \(ENOENT\)/,
    );
    expect(err(() => keyringFor(results({ main: '${env:SHORT_KEY_TEST}' }), { signs: false, verifies: true }, env))).toMatch(
      /results\.keys\.main: the key from \$\{env:SHORT_KEY_TEST\} is 5 bytes; use at least 32/,
    );
    const two = { main: '${env:RESULTS_KEY_TEST}', other: '${env:OTHER_KEY_TEST}' };
    expect(err(() => keyringFor(results(two), { signs: true, verifies: false }, env))).toMatch(
      /results\.signWith: 2 keys are listed \(main, other\)/,
    );
    expect(err(() => keyringFor(results(two, { signWith: 'nope' }), { signs: true, verifies: false }, env))).toMatch(
      /"nope" is not one of results\.keys/,
    );
    expect(keyringFor(results(two, { signWith: 'other' }), { signs: true, verifies: true }, env)!.signWith).toBe('other');
  });
});
